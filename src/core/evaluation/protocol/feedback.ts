/**
 * The feedback-loop protocol: how the product is used. The history starts unlabelled; each simulated
 * week the detector (refitted on everything labelled so far) scores the next week, and the shifter
 * labels, from the ground truth, the steps it alarmed on plus its top-k suggestions of that week. An
 * alarm or suggestion inside a true incident gets the whole incident labelled (a drag over the outage);
 * one on a normal step gets that step labelled normal. The same detector fitted without any labels runs
 * beside it, so the report shows what the labels are worth.
 */
import type { LabelledSeries } from '../../io/labelledSeries';
import { DEFAULT_THRESHOLD } from '../../model/probability';
import type { DetectorFactory } from '../detector';
import { averagePrecision, eventMetrics, labelledEvents, metricsAt, type Label } from '../metrics';
import { sliceRows } from './splits';

export interface FeedbackOptions {
  /** Steps in one simulated week (168 for hourly data). */
  weekSteps: number;
  /** Unlabelled steps before the first scored week. */
  historySteps: number;
  /** Weeks to simulate (fewer when the series ends first). */
  weeks: number;
  /** Highest-scoring unlabelled steps of the week the timeline suggests; default 10. */
  topK?: number;
  /** Probability at or above which a step alarms; default DEFAULT_THRESHOLD. */
  threshold?: number;
  onProgress?: (msg: string) => void;
}

/** Figures for one arm (with or without labels) over a span of weeks. */
export interface FeedbackFigures {
  averagePrecision: number;
  f1: number;
  precision: number;
  recall: number;
  events: number;
  detected: number;
  eventRecall: number;
  falseAlarmsPerWeek: number;
}

export interface FeedbackWeek {
  week: number;
  /** Labelled steps (and incidents) the detector was fitted with. */
  labelledSteps: number;
  labelledIncidents: number;
  withLabels: FeedbackFigures;
  withoutLabels: FeedbackFigures;
}

export interface FeedbackResult {
  dataset: string;
  detector: string;
  threshold: number;
  topK: number;
  weeks: FeedbackWeek[];
  /** All simulated weeks together, and the weeks after the 4th (labels of 4 weeks collected). */
  overall: { withLabels: FeedbackFigures; withoutLabels: FeedbackFigures };
  afterWeek4?: { withLabels: FeedbackFigures; withoutLabels: FeedbackFigures };
}

function figures(scores: ArrayLike<number>, labels: Label[], threshold: number, stepMs: number): FeedbackFigures {
  // A week without a (scored) incident has no AP or F1, but its false alarms still count.
  const measurable = labels.some((l, i) => l === 1 && !Number.isNaN(scores[i]));
  const at = measurable ? metricsAt(scores, labels, threshold) : { f1: NaN, precision: NaN, recall: NaN };
  const ev = eventMetrics(scores, labels, threshold, stepMs);
  return {
    averagePrecision: measurable ? averagePrecision(scores, labels) : NaN,
    f1: at.f1,
    precision: at.precision,
    recall: at.recall,
    events: ev.events,
    detected: ev.detected,
    eventRecall: ev.eventRecall,
    falseAlarmsPerWeek: ev.falseAlarmsPerWeek,
  };
}

/** The shifter's labels for rows [from, to) given the week's scores: alarms and top-k, from the truth. */
export function shifterLabels(
  known: Label[],
  truth: readonly Label[],
  scores: ArrayLike<number>,
  from: number,
  to: number,
  threshold: number,
  topK: number
): void {
  const looked = new Set<number>();
  for (let t = from; t < to; t++) {
    if (scores[t - from] >= threshold) {
      looked.add(t);
    }
  }
  // Suggestions go beyond the alarms: the highest-scoring steps nobody has looked at yet.
  const unlabelled = Array.from({ length: to - from }, (_, i) => from + i)
    .filter((t) => known[t] === null && !looked.has(t) && Number.isFinite(scores[t - from]))
    .sort((a, b) => scores[b - from] - scores[a - from]);
  unlabelled.slice(0, topK).forEach((t) => looked.add(t));
  const incidents = labelledEvents(truth);
  for (const t of looked) {
    if (truth[t] === 1) {
      // The incident as far as it has happened: its rest in the next week is not known yet.
      const e = incidents.find((x) => x.start <= t && t < x.end)!;
      for (let i = e.start; i < Math.min(e.end, to); i++) {
        known[i] = 1;
      }
    } else if (truth[t] === 0) {
      known[t] = 0;
    }
  }
}

export async function feedbackLoop(
  series: LabelledSeries,
  dataset: string,
  factory: DetectorFactory,
  o: FeedbackOptions
): Promise<FeedbackResult> {
  const threshold = o.threshold ?? DEFAULT_THRESHOLD;
  const topK = o.topK ?? 10;
  const T = series.matrix.times.length;
  const stepMs = series.matrix.stepMs;
  if (!(o.weekSteps >= 1 && o.historySteps >= 1 && o.historySteps + o.weekSteps <= T)) {
    throw new Error(
      `${dataset}: ${o.historySteps} history steps and a ${o.weekSteps}-step week do not fit in ${T} rows`
    );
  }
  const known: Label[] = series.labels.map(() => null);
  const truth = series.labels;
  const weeks: FeedbackWeek[] = [];
  const all = { with: [] as number[], without: [] as number[], labels: [] as Label[] };
  /** Offset of each week's first step in `all`. */
  const weekStart: number[] = [];
  let name = '';
  for (let w = 0; w < o.weeks; w++) {
    const from = o.historySteps + w * o.weekSteps;
    const to = Math.min(T, from + o.weekSteps);
    if (from >= T) {
      break;
    }
    const history = sliceRows(series.matrix, 0, from);
    const upTo = sliceRows(series.matrix, 0, to);
    const scoreWeek = async (labels: Label[]) => {
      const det = factory();
      name = det.name;
      await det.fit({ matrix: history, labels: labels.slice(0, from) });
      return Array.from((await det.score(upTo)).subarray(from, to));
    };
    const labelledSteps = known.slice(0, from).filter((l) => l !== null).length;
    const labelledIncidents = labelledEvents(known.slice(0, from)).length;
    const withL = await scoreWeek(known);
    const withoutL = await scoreWeek(series.labels.map(() => null));
    const weekTruth = truth.slice(from, to);
    weeks.push({
      week: w + 1,
      labelledSteps,
      labelledIncidents,
      withLabels: figures(withL, weekTruth, threshold, stepMs),
      withoutLabels: figures(withoutL, weekTruth, threshold, stepMs),
    });
    weekStart.push(all.labels.length);
    all.with.push(...withL);
    all.without.push(...withoutL);
    all.labels.push(...weekTruth);
    shifterLabels(known, truth, withL, from, to, threshold, topK);
    o.onProgress?.(
      `${dataset} week ${w + 1}: fitted with ${labelledSteps} labelled steps (${labelledIncidents} incidents); AP ${weeks[w].withLabels.averagePrecision.toFixed(3)} vs ${weeks[w].withoutLabels.averagePrecision.toFixed(3)} without labels`
    );
  }
  const span = (fromWeek: number) => {
    const start = weekStart[fromWeek];
    const labels = all.labels.slice(start);
    return {
      withLabels: figures(all.with.slice(start), labels, threshold, stepMs),
      withoutLabels: figures(all.without.slice(start), labels, threshold, stepMs),
    };
  };
  return {
    dataset,
    detector: name,
    threshold,
    topK,
    weeks,
    overall: span(0),
    ...(weeks.length > 4 ? { afterWeek4: span(4) } : {}),
  };
}
