/**
 * Point-wise and event-level anomaly detection metrics.
 *
 * Conventions (all functions):
 * - rows whose label is null (unknown) are left out of every point-wise count;
 * - rows whose score is NaN (the detector could not score them, e.g. a step with no data) are left out of
 *   the point-wise metrics and counted in `unscored`; at event level they never raise an alarm;
 * - an alarm is `score >= threshold`.
 */
import { HOUR_MS, WEEK_MS } from '../time';

export class MetricsError extends Error {}

export type Label = 0 | 1 | null;

export interface BestF1 {
  f1: number;
  precision: number;
  recall: number;
  /** Alarm when score >= threshold; +Infinity when no threshold beats alarming on nothing (F1 0). */
  threshold: number;
  /** Labelled, scored rows used. */
  n: number;
  positives: number;
  /** Labelled rows left out because their score was NaN (of which positive: unscoredPositives). */
  unscored: number;
  unscoredPositives: number;
}

interface Ranked {
  scores: Float64Array;
  labels: Uint8Array;
  positives: number;
  unscored: number;
  unscoredPositives: number;
}

function rank(scores: ArrayLike<number>, labels: readonly Label[]): Ranked {
  if (scores.length !== labels.length) {
    throw new MetricsError(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  }
  const idx: number[] = [];
  let unscored = 0;
  let unscoredPositives = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l === null) {
      continue;
    }
    if (Number.isNaN(scores[i])) {
      unscored++;
      unscoredPositives += l;
      continue;
    }
    idx.push(i);
  }
  idx.sort((a, b) => scores[b] - scores[a]);
  const s = new Float64Array(idx.length);
  const y = new Uint8Array(idx.length);
  let positives = 0;
  idx.forEach((i, k) => {
    s[k] = scores[i];
    y[k] = labels[i] as number;
    positives += y[k];
  });
  if (positives === 0) {
    throw new MetricsError(
      `no positive (label 1) rows among ${idx.length} labelled, scored rows: F1 and AP are undefined`
    );
  }
  return { scores: s, labels: y, positives, unscored, unscoredPositives };
}

/**
 * Walks the distinct thresholds from the highest score down; calls visit(threshold, tp, fp) once per
 * distinct score, after all rows tied at that score are counted (ties are never split).
 */
function sweep(r: Ranked, visit: (threshold: number, tp: number, fp: number) => void): void {
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < r.scores.length; k++) {
    if (r.labels[k]) {
      tp++;
    } else {
      fp++;
    }
    if (k + 1 === r.scores.length || r.scores[k + 1] !== r.scores[k]) {
      visit(r.scores[k], tp, fp);
    }
  }
}

/** Best point-wise F1 over all thresholds, exact (every distinct score is tried). */
export function bestF1(scores: ArrayLike<number>, labels: readonly Label[]): BestF1 {
  const r = rank(scores, labels);
  let best = { f1: 0, precision: 0, recall: 0, threshold: Infinity };
  sweep(r, (threshold, tp, fp) => {
    const f1 = (2 * tp) / (tp + fp + r.positives);
    // Strict ">" keeps the highest threshold among equal F1 (fewest alarms).
    if (f1 > best.f1) {
      best = { f1, precision: tp / (tp + fp), recall: tp / r.positives, threshold };
    }
  });
  return {
    ...best,
    n: r.scores.length,
    positives: r.positives,
    unscored: r.unscored,
    unscoredPositives: r.unscoredPositives,
  };
}

export interface PointMetrics {
  f1: number;
  precision: number;
  recall: number;
}

/**
 * Point-wise F1, precision and recall at a given threshold (alarm when score >= threshold); precision
 * (hence F1) is 0 when nothing alarms.
 */
export function metricsAt(scores: ArrayLike<number>, labels: readonly Label[], threshold: number): PointMetrics {
  const r = rank(scores, labels);
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < r.scores.length && r.scores[k] >= threshold; k++) {
    if (r.labels[k]) {
      tp++;
    } else {
      fp++;
    }
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  return { f1: (2 * tp) / (tp + fp + r.positives), precision, recall: tp / r.positives };
}

/**
 * Average precision as scikit-learn defines it: sum over distinct thresholds (descending) of
 * (R_k - R_{k-1}) * P_k, a step function with no interpolation; tied scores form one step.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: readonly Label[]): number {
  const r = rank(scores, labels);
  let ap = 0;
  let prevRecall = 0;
  sweep(r, (_t, tp, fp) => {
    const recall = tp / r.positives;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  });
  return ap;
}

export interface LabelledEvent {
  /** First row (inclusive) and end row (exclusive) of a maximal run of label 1. */
  start: number;
  end: number;
  kind: string | null;
}

/** Maximal runs of label 1 (a 0 or null row ends a run). kind = kinds[start] when given. */
export function labelledEvents(labels: readonly Label[], kinds?: ReadonlyArray<string | null>): LabelledEvent[] {
  const out: LabelledEvent[] = [];
  let start = -1;
  for (let i = 0; i <= labels.length; i++) {
    const on = i < labels.length && labels[i] === 1;
    if (on && start < 0) {
      start = i;
    } else if (!on && start >= 0) {
      out.push({ start, end: i, kind: kinds ? (kinds[start] ?? null) : null });
      start = -1;
    }
  }
  return out;
}

export interface KindRecall {
  events: number;
  detected: number;
  recall: number;
}

export interface EventMetrics {
  threshold: number;
  events: number;
  detected: number;
  /** detected / events. */
  eventRecall: number;
  /** Steps from event start to its first alarm, over detected events; NaN when none was detected. */
  medianDelaySteps: number;
  meanDelaySteps: number;
  medianDelayHours: number;
  meanDelayHours: number;
  /** Maximal runs of alarming label-0 rows (alarm time outside labelled incidents). */
  falseAlarms: number;
  /** Label-0 rows × step, in weeks. */
  normalWeeks: number;
  /** falseAlarms / normalWeeks; NaN when there is no labelled-normal time. */
  falseAlarmsPerWeek: number;
  /** Per event kind (kinds[start] of each event; "unknown" when absent). */
  perKind: Record<string, KindRecall>;
}

function median(xs: number[]): number {
  if (xs.length === 0) {
    return NaN;
  }
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Event-level metrics at a fixed threshold. An event (maximal run of label 1) is detected when any of its
 * rows alarms; its delay is the offset of the first alarming row. A false alarm is a run of alarming
 * label-0 rows; unknown (null) rows are neither true nor false alarms.
 */
export function eventMetrics(
  scores: ArrayLike<number>,
  labels: readonly Label[],
  threshold: number,
  stepMs: number,
  kinds?: ReadonlyArray<string | null>
): EventMetrics {
  if (scores.length !== labels.length) {
    throw new MetricsError(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  }
  if (!(stepMs > 0)) {
    throw new MetricsError(`stepMs must be positive, got ${stepMs}`);
  }
  const alarm = (i: number) => scores[i] >= threshold; // NaN >= x is false: unscored rows never alarm
  const events = labelledEvents(labels, kinds);
  const delays: number[] = [];
  const perKind: Record<string, KindRecall> = {};
  for (const e of events) {
    const key = e.kind ?? 'unknown';
    const pk = (perKind[key] ??= { events: 0, detected: 0, recall: 0 });
    pk.events++;
    for (let i = e.start; i < e.end; i++) {
      if (alarm(i)) {
        delays.push(i - e.start);
        pk.detected++;
        break;
      }
    }
  }
  for (const pk of Object.values(perKind)) {
    pk.recall = pk.detected / pk.events;
  }
  // A false alarm is a maximal run of alarming label-0 rows: alarm time outside labelled incidents counts
  // even when the run touches one, so an always-on detector shows its alarms (null rows end a run uncounted).
  let falseAlarms = 0;
  let normalRows = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 0) {
      normalRows++;
      if (alarm(i) && (i === 0 || labels[i - 1] !== 0 || !alarm(i - 1))) {
        falseAlarms++;
      }
    }
  }
  const hoursPerStep = stepMs / HOUR_MS;
  const normalWeeks = (normalRows * stepMs) / WEEK_MS;
  const mean = delays.length ? delays.reduce((a, b) => a + b, 0) / delays.length : NaN;
  const med = median(delays);
  return {
    threshold,
    events: events.length,
    detected: delays.length,
    eventRecall: events.length ? delays.length / events.length : NaN,
    medianDelaySteps: med,
    meanDelaySteps: mean,
    medianDelayHours: med * hoursPerStep,
    meanDelayHours: mean * hoursPerStep,
    falseAlarms,
    normalWeeks,
    falseAlarmsPerWeek: normalWeeks > 0 ? falseAlarms / normalWeeks : NaN,
    perKind,
  };
}

/**
 * Event metrics at the lowest threshold whose false alarms stay within `maxPerWeek` of labelled-normal time:
 * thresholds are walked down from the highest score and the walk stops at the first one over budget (lower
 * thresholds can merge runs and count fewer alarms again; the first breach is where an operator would stop).
 * An oracle threshold, like bestF1's: the event-recall-at-a-false-alarm-rate point of the detector's curve.
 * Threshold +Infinity (nothing alarms) when even the highest score is over budget or nothing is scored.
 */
export function eventsWithinFalseAlarms(
  scores: ArrayLike<number>,
  labels: readonly Label[],
  maxPerWeek: number,
  stepMs: number,
  kinds?: ReadonlyArray<string | null>
): EventMetrics {
  const thresholds = [...new Set(Array.from(scores).filter((s) => !Number.isNaN(s)))].sort((a, b) => b - a);
  let within = eventMetrics(scores, labels, Infinity, stepMs, kinds);
  for (const threshold of thresholds) {
    const m = eventMetrics(scores, labels, threshold, stepMs, kinds);
    if (m.falseAlarmsPerWeek > maxPerWeek) {
      break;
    }
    within = m;
  }
  return within;
}
