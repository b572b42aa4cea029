import { FieldType, type DataFrame, type Field } from '@grafana/data';
import { HOUR_MS } from '../core/time';
import { FIELD_PROBABILITY, FIELD_SURPRISE, FIELD_TOP_FEATURES, FIELD_WHERE } from '../shared/frameFields';

export interface TimelineCell {
  time: number;
  /** null: the series has no value for this step ("no data", not zero). */
  value: number | null;
  /** From a `surprise` field of any frame at the same time. */
  surprise?: number | null;
  /** From the explanation frame's `top_features`, e.g. "JobHeldEvent, ShadowExceptionEvent". */
  topFeatures?: string;
  /** From the explanation frame's `where`, e.g. "JobHeldEvent +1,240 over typical, on jobsub02.fnal.gov". */
  where?: string;
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function timeField(frame: DataFrame): Field | undefined {
  return frame.fields.find((f) => f.type === FieldType.time);
}

/** The frame to colour by: a `probability` field first, else the first frame with a numeric field. */
function pickValueFrame(frames: DataFrame[]): { time: Field; value: Field } | undefined {
  for (const named of [true, false]) {
    for (const frame of frames) {
      const time = timeField(frame);
      const value = frame.fields.find((f) => f.type === FieldType.number && (!named || f.name === FIELD_PROBABILITY));
      if (time && value) {
        return { time, value };
      }
    }
  }
  return undefined;
}

/** Values of a named field across all frames, by time (the explanation/surprise queries are separate frames). */
function byTime(frames: DataFrame[], name: string): Map<number, unknown> {
  const out = new Map<number, unknown>();
  for (const frame of frames) {
    const time = timeField(frame);
    const field = frame.fields.find((f) => f.name === name);
    if (time && field) {
      time.values.forEach((t, i) => out.set(Number(t), field.values[i]));
    }
  }
  return out;
}

/** One cell per row of the probability (or single numeric) series, with explanation details when present. */
export function cellsFromFrames(frames: DataFrame[]): TimelineCell[] {
  const picked = pickValueFrame(frames);
  if (!picked) {
    return [];
  }
  const surprise = byTime(frames, FIELD_SURPRISE);
  const top = byTime(frames, FIELD_TOP_FEATURES);
  const where = byTime(frames, FIELD_WHERE);
  return picked.time.values.map((t, i) => {
    const time = Number(t);
    const cell: TimelineCell = { time, value: numberOrNull(picked.value.values[i]) };
    if (surprise.has(time)) {
      cell.surprise = numberOrNull(surprise.get(time));
    }
    const tf = top.get(time);
    if (typeof tf === 'string' && tf !== '') {
      cell.topFeatures = tf;
    }
    const w = where.get(time);
    if (typeof w === 'string' && w !== '') {
      cell.where = w;
    }
    return cell;
  });
}

/** The step of the series: the time field's interval, else the smallest gap, else one hour. */
export function stepOf(frames: DataFrame[], cells: TimelineCell[]): number {
  const interval = pickValueFrame(frames)?.time.config.interval;
  if (typeof interval === 'number' && interval > 0) {
    return interval;
  }
  let step = Infinity;
  for (let i = 1; i < cells.length; i++) {
    step = Math.min(step, cells[i].time - cells[i - 1].time);
  }
  return Number.isFinite(step) && step > 0 ? step : HOUR_MS;
}
