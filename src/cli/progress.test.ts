/** @jest-environment node */
import { createProgress } from './progress';

describe('progress', () => {
  it('draws one bar in place on a terminal, messages above it', () => {
    const out: string[] = [];
    const p = createProgress('epoch', 4, { isTTY: true, columns: 80, write: (s) => out.push(s) > 0 });
    p.update(1, 'loss 0.5');
    p.log('note');
    p.update(4, 'loss 0.1');
    p.finish();
    const text = out.join('');
    expect(text).not.toMatch(/epoch 1\/4[^\r]*\n/); // the first bar was overwritten, never ended
    expect(text).toContain('\r\x1b[2Knote\n');
    expect(text.endsWith('[########################] epoch 4/4  loss 0.1\n')).toBe(true);
    expect(text).toContain('[######..................] epoch 1/4  loss 0.5');
  });

  it('prints one line per step elsewhere (logs, pipes)', () => {
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const out: string[] = [];
      const p = createProgress('evaluate', 2, { isTTY: false, write: (s) => out.push(s) > 0 });
      p.update(0, 'fitting pca');
      p.log('g / pca: F1 0.5');
      p.update(1);
      p.finish();
      expect(out).toEqual([]);
      expect(err.mock.calls.map((c) => c[0])).toEqual(['evaluate 0/2  fitting pca', 'g / pca: F1 0.5', 'evaluate 1/2']);
    } finally {
      err.mockRestore();
    }
  });
});
