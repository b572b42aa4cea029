/** @jest-environment node */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { main } from '../main';
import { DETECTORS, detectorFactories } from '../detectors';
import { generateLabelledSeries } from '../../core/generator';
import { labelledSeriesToCsv } from '../../core/io/labelledSeries';

// Generating and evaluating two 40-day grids takes 1-3 s alone and longer on a loaded 2-core machine:
// Jest's 5 s default made it fail under load, not for what it checks.
jest.setTimeout(60_000);

describe('gridsentinel evaluate', () => {
  let dir: string;
  let errSpy: jest.SpyInstance;
  let logSpy: jest.SpyInstance;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gs-evaluate-'));
    errSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    errSpy.mockRestore();
    logSpy.mockRestore();
    await rm(dir, { recursive: true, force: true });
  });
  const printed = () => logSpy.mock.calls.map((c) => String(c[0])).join('\n');

  it('evaluates generated data for several seeds and writes JSON', async () => {
    const out = path.join(dir, 'r.json');
    const code = await main([
      'evaluate',
      '--generated',
      '--days',
      '40',
      '--train-days',
      '20',
      '--seed',
      '1,2',
      '--scale',
      '0.05',
      '--detectors',
      'robust-z,random',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const doc = JSON.parse(await readFile(out, 'utf8'));
    expect(doc.results.map((r: { dataset: string; detector: string }) => `${r.dataset}/${r.detector}`)).toEqual([
      'generated seed 1/robust-z',
      'generated seed 1/random',
      'generated seed 2/robust-z',
      'generated seed 2/random',
    ]);
    expect(doc.summary).toHaveLength(2);
    expect(printed()).toContain('| generated seed 1 | robust-z |');
  });

  it('follows the split protocol for an ASD-style CSV', async () => {
    // 2 days of 5-minute rows: day 1 train, day 2 test; m2 normally follows m1, and late in the test part
    // m1 jumps alone (caught by both: far from the median, and off the m1 = m2 line).
    const step = 300_000;
    const lines = ['timestamp,split,label,m1,m2'];
    for (let i = 0; i < 576; i++) {
      const test = i >= 288;
      const spike = i >= 500 && i < 505;
      const v = 0.5 + 0.01 * Math.sin(i) + (spike ? 0.4 : 0);
      lines.push(
        `${new Date(Date.UTC(2021, 0, 1) + i * step).toISOString()},${test ? 'test' : 'train'},${test ? (spike ? 1 : 0) : ''},${v.toFixed(4)},${(v - (spike ? 0.4 : 0)).toFixed(4)}`
      );
    }
    const file = path.join(dir, 'srv.csv');
    await writeFile(file, lines.join('\n') + '\n');
    const out = path.join(dir, 'r.json');
    expect(await main(['evaluate', '--csv', file, '--detectors', 'robust-z,pca', '--out', out])).toBe(0);
    const doc = JSON.parse(await readFile(out, 'utf8'));
    expect(doc.results).toHaveLength(2);
    for (const r of doc.results) {
      expect(r.dataset).toBe('srv');
      expect(r.rows).toBe(144); // second half of the 288 test rows
      expect(r.bestF1).toBe(1);
      expect(r.events).toMatchObject({ events: 1, detected: 1, falseAlarms: 0 });
    }
  });

  it('uses the time split for a generated CSV without a split column', async () => {
    const { series } = generateLabelledSeries({ start: '2024-01-01T00:00:00Z', days: 30, seed: 'x', scale: 0.05 });
    const file = path.join(dir, 'g.csv');
    await writeFile(file, labelledSeriesToCsv(series));
    const out = path.join(dir, 'r.json');
    expect(
      await main(['evaluate', '--csv', file, '--train-days', '15', '--detectors', 'holt-winters', '--out', out])
    ).toBe(0);
    const doc = JSON.parse(await readFile(out, 'utf8'));
    expect(doc.results[0].rows + doc.results[0].unscored).toBeLessThanOrEqual(15 * 24);
    expect(doc.results[0].dataset).toBe('g');
  });

  it('rejects bad usage with exit code 2', async () => {
    expect(await main(['evaluate'])).toBe(2);
    expect(await main(['evaluate', '--generated', '--detectors', 'lstm9'])).toBe(2);
    expect(errSpy.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(
      /unknown detector\(s\) lstm9; known: robust-z/
    );
    expect(await main(['evaluate', '--generated', '--days', '10', '--train-days', '10'])).toBe(2);
  });
});

describe('detector registry', () => {
  it('maps every name to a fresh detector of that name', () => {
    for (const [name, entry] of Object.entries(DETECTORS)) {
      const a = entry.create();
      expect(a.name).toBe(name);
      expect(entry.create()).not.toBe(a);
    }
    expect(detectorFactories(' pca , random ').map((f) => f.name)).toEqual(['pca', 'random']);
    expect(() => detectorFactories('')).toThrow(/none given/);
  });
});
