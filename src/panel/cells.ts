import { FieldType, type DataFrame } from '@grafana/data';

export interface TimelineCell {
  time: number;
  /** null: the series has no value for this step ("no data", not zero). */
  value: number | null;
}

/** Takes the first frame with a time field and a numeric field and turns it into one cell per row. */
export function cellsFromFrames(frames: DataFrame[]): TimelineCell[] {
  for (const frame of frames) {
    const time = frame.fields.find((f) => f.type === FieldType.time);
    const value = frame.fields.find((f) => f.type === FieldType.number);
    if (!time || !value) {
      continue;
    }
    return time.values.map((t, i) => {
      const v = value.values[i];
      return { time: Number(t), value: typeof v === 'number' && Number.isFinite(v) ? v : null };
    });
  }
  return [];
}
