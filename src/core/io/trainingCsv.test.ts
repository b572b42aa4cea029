import { readTrainingCsv } from './trainingCsv';

describe('readTrainingCsv', () => {
  const text = [
    'timestamp,split,label,m01,m02',
    '2021-01-01T00:00:00Z,train,,0.5,1',
    '2021-01-01T00:05:00Z,train,,,2',
    '2021-01-01T00:10:00Z,test,1,0.7,3',
    '2021-01-01T00:15:00Z,test,0,0.4,4',
  ].join('\n');

  it('finds the time column, numeric features and labels (empty = unknown)', () => {
    const s = readTrainingCsv(text);
    expect(s.matrix.features).toEqual(['m01', 'm02']);
    expect(s.matrix.stepMs).toBe(300_000);
    expect(s.matrix.values[1]).toEqual([null, 2]);
    expect(s.labels).toEqual([null, null, 1, 0]);
  });

  it('honours explicit columns and reports problems', () => {
    const s = readTrainingCsv(text, { features: ['m02'], labelColumn: 'label', timeColumn: 'timestamp' });
    expect(s.matrix.features).toEqual(['m02']);
    expect(() => readTrainingCsv(text, { labelColumn: 'truth' })).toThrow(/missing label column "truth"/);
    expect(() => readTrainingCsv(text.replace(',1,0.7', ',yes,0.7'))).toThrow(/label must be 0, 1 or empty/);
    expect(() => readTrainingCsv(text.replace('00:15:00Z', '00:25:00Z'))).toThrow(/uneven step/);
    expect(readTrainingCsv(text, { labelColumn: undefined, features: ['m01'] }).labels[2]).toBe(1);
  });

  it('never drops a feature: a bad cell or an all-empty column is an error with line and column', () => {
    for (const bad of ['abc', 'NaN', 'Infinity', '-inf']) {
      expect(() => readTrainingCsv(text.replace(',,2', `,${bad},2`))).toThrow(
        `line 3, column "m01": "${bad}" is not a number`
      );
    }
    const empty = text.replace(/,(\d)\n/g, ',\n').replace(/,\d$/, ',');
    expect(() => readTrainingCsv(empty)).toThrow('line 1, column "m02": every cell is empty');
    expect(() => readTrainingCsv(empty, { features: ['m02'] })).toThrow('every cell is empty');
    expect(readTrainingCsv(empty, { features: ['m01'] }).matrix.features).toEqual(['m01']);
  });

  it('keeps text columns out by their content (split) or name (an empty outage_kind), and says which', () => {
    const s = readTrainingCsv(text.replace('m02', 'm02,outage_kind').replace(/(,\d)(\n|$)/g, '$1,$2'));
    expect(s.matrix.features).toEqual(['m01', 'm02']);
    expect(s.textColumns).toEqual(['split', 'outage_kind']);
  });

  it('counts negative values per column; a header-only, binary or time-less file is refused clearly', () => {
    expect(readTrainingCsv(text.replace(',0.5,1', ',-0.5,1').replace(',0.4,4', ',-0.4,4')).negatives).toEqual([
      { column: 'm01', rows: 2, line: 2 },
    ]);
    expect(() => readTrainingCsv(text.split('\n')[0])).toThrow('line 1: no data rows: the file has a header line only');
    expect(() => readTrainingCsv('PK\u0003\u0004\u0000"x')).toThrow('line 1: not a CSV text file');
    expect(() => readTrainingCsv('ti\uFFFDme,a\n1,2')).toThrow('not a CSV text file');
    expect(() => readTrainingCsv(text.replace('timestamp', 'when'))).toThrow(
      'missing time column "time" or "timestamp" (header has when, split, label, m01, m02)'
    );
    expect(() => readTrainingCsv(text, { timeColumn: 'time' })).toThrow('missing time column "time" (header has');
  });
});
