import { FieldType, createDataFrame } from '@grafana/data';

import { cellsFromFrames, stepOf } from './cells';

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

describe('cellsFromFrames with several frames', () => {
  it('prefers the probability field and joins surprise and top features by time', () => {
    const features = createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [0, 3600e3] },
        { name: 'JobHeldEvent', type: FieldType.number, values: [4, 5] },
      ],
    });
    const probability = createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [0, 3600e3] },
        { name: 'probability', type: FieldType.number, values: [0.1, 0.8] },
      ],
    });
    const explanation = createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [3600e3] },
        { name: 'probability', type: FieldType.number, values: [0.8] },
        { name: 'top_features', type: FieldType.string, values: ['JobHeldEvent, JobEvictedEvent'] },
        { name: 'where', type: FieldType.string, values: ['JobHeldEvent +9 over typical, VO mu2e +9'] },
      ],
    });
    const surprise = createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [0, 3600e3] },
        { name: 'surprise', type: FieldType.number, values: [0.2, 3.5] },
      ],
    });
    const cells = cellsFromFrames([features, probability, explanation, surprise]);
    expect(cells).toEqual([
      { time: 0, value: 0.1, surprise: 0.2 },
      {
        time: 3600e3,
        value: 0.8,
        surprise: 3.5,
        topFeatures: 'JobHeldEvent, JobEvictedEvent',
        where: 'JobHeldEvent +9 over typical, VO mu2e +9',
      },
    ]);
    expect(stepOf([probability], cells)).toBe(3600e3);
  });
});
