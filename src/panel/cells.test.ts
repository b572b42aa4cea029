import { FieldType, createDataFrame } from '@grafana/data';

import { cellsFromFrames } from './cells';

describe('cellsFromFrames', () => {
  it('keeps missing values as null, distinct from zero', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [0, 3600e3, 7200e3, 10800e3] },
        { name: 'probability', type: FieldType.number, values: [0, null, 0.9, NaN] },
      ],
    });
    expect(cellsFromFrames([frame])).toEqual([
      { time: 0, value: 0 },
      { time: 3600e3, value: null },
      { time: 7200e3, value: 0.9 },
      { time: 10800e3, value: null },
    ]);
  });

  it('skips frames without a time and a number field', () => {
    const text = createDataFrame({ fields: [{ name: 'msg', type: FieldType.string, values: ['x'] }] });
    const good = createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [5] },
        { name: 'p', type: FieldType.number, values: [0.5] },
      ],
    });
    expect(cellsFromFrames([text, good])).toEqual([{ time: 5, value: 0.5 }]);
    expect(cellsFromFrames([text])).toEqual([]);
  });
});
