import { CsvError } from './csv';
import { readSplitCsv } from './splitSeries';

const CSV = `timestamp,split,label,m1,m2
2021-01-01T00:00:00Z,train,,0.5,0.1
2021-01-01T00:05:00Z,train,,0.4,
2021-01-01T00:10:00Z,test,0,0.3,0.2
2021-01-01T00:15:00Z,test,1,0.9,0.2
`;

describe('readSplitCsv', () => {
  it('reads features, labels and the split point', () => {
    const s = readSplitCsv(CSV);
    expect(s.splitIndex).toBe(2);
    expect(s.matrix.features).toEqual(['m1', 'm2']);
    expect(s.matrix.stepMs).toBe(300_000);
    expect(s.matrix.values[1]).toEqual([0.4, null]);
    expect(s.labels).toEqual([null, null, 0, 1]);
    expect(s.kinds).toEqual([null, null, null, null]);
  });

  it('honours other column names', () => {
    const text = CSV.replace('timestamp,split,label', 'time,part,y');
    const s = readSplitCsv(text, { timeColumn: 'time', splitColumn: 'part', labelColumn: 'y' });
    expect(s.splitIndex).toBe(2);
  });

  it('rejects bad input with the line', () => {
    expect(() => readSplitCsv(CSV.replace('test,1', 'train,1'))).toThrow(/line 5.*train must precede test/);
    expect(() => readSplitCsv(CSV.replace('test,1', 'test,2'))).toThrow(/label must be 0, 1 or empty/);
    expect(() => readSplitCsv(CSV.replace('test,0', 'valid,0'))).toThrow(CsvError);
    expect(() => readSplitCsv(CSV.replace(/test/g, 'train'))).toThrow(/no test rows/);
    expect(() => readSplitCsv(CSV.replace('00:15:00Z', '00:20:00Z'))).toThrow(/uneven step/);
    expect(() => readSplitCsv(CSV, { splitColumn: 'fold' })).toThrow(/missing column "fold"/);
  });
});
