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
});
