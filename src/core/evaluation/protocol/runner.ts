/**
 * The evaluation loop: fits every detector on every split's train part, scores its test part and
 * measures it (point-wise at the oracle best-F1 threshold, events at that threshold, at an operating
 * threshold fitted on the training labels and within a false-alarm budget).
 */
import type { Detector, DetectorFactory } from '../detector';
import {
  averagePrecision,
  bestF1,
  eventMetrics,
  eventsWithinFalseAlarms,
  metricsAt,
  type BestF1,
  type EventMetrics,
  type PointMetrics,
} from '../metrics';
import { appendRows, type EvaluationSplit } from './splits';

export interface DetectorResult {
  dataset: string;
  group: string;
  detector: string;
  heldOutKind?: string;
  /** Point-wise, on the labelled, scored test rows. */
  bestF1: number;
  precision: number;
  recall: number;
  threshold: number;
  averagePrecision: number;
  rows: number;
  positives: number;
  /** Labelled test rows the detector returned NaN for (left out of the point-wise metrics). */
  unscored: number;
  /** Event-level metrics at the best-F1 threshold (an oracle threshold chosen on the test labels). */
  events: EventMetrics;
  /**
   * What an operator would see: point and event metrics on the test part at a threshold chosen without its
   * labels, the best-F1 threshold on the labelled training rows (scored in-sample). NaN threshold and metrics
   * when the training part has no labelled anomaly.
   */
  operating: PointMetrics & { threshold: number; events: EventMetrics };
  /**
   * Event metrics at the lowest threshold with at most FALSE_ALARM_BUDGET_PER_WEEK false alarms a week on the
   * test part (an oracle threshold, like the best F1's): how much a detector catches at an alarm rate operators
   * keep switched on.
   */
  withinAlarmBudget: EventMetrics;
  /** Event recall of the held-out kind at the operating threshold, when there is one. */
  heldOutRecall?: number;
  fitSeconds: number;
  scoreSeconds: number;
  /** Why the metrics are NaN, e.g. no labelled anomaly in the test part. */
  skipped?: string;
}

/** Issue 16's alarm rate for pattern outages: what an operator keeps switched on. */
export const FALSE_ALARM_BUDGET_PER_WEEK = 1;

/** True when the labelled rows hold at least one scored positive (else F1/AP are undefined). */
function hasPositive(labels: ReadonlyArray<0 | 1 | null>, scores: ArrayLike<number>): boolean {
  return labels.some((l, i) => l === 1 && !Number.isNaN(scores[i]));
}

function emptyEvents(): EventMetrics {
  return {
    threshold: NaN,
    events: 0,
    detected: 0,
    eventRecall: NaN,
    medianDelaySteps: NaN,
    meanDelaySteps: NaN,
    medianDelayHours: NaN,
    meanDelayHours: NaN,
    falseAlarms: NaN,
    normalWeeks: NaN,
    falseAlarmsPerWeek: NaN,
    perKind: {},
  };
}

/** No operating threshold (no labelled anomaly to fit it on, or nothing to measure). */
function noOperatingPoint(): DetectorResult['operating'] {
  return { threshold: NaN, f1: NaN, precision: NaN, recall: NaN, events: emptyEvents() };
}

const NO_TEST_ANOMALY = 'no labelled anomaly in the test part';

/** What was measured on a split's test part; absent when the split was skipped. */
interface Measured {
  f1: BestF1;
  averagePrecision: number;
  events: EventMetrics;
  operating: DetectorResult['operating'];
  withinAlarmBudget: EventMetrics;
}

/** One result, measured or skipped (NaN metrics and the reason); the held-out kind only when measured. */
function toResult(
  split: EvaluationSplit,
  detector: string,
  seconds: { fit: number; score: number },
  m: Measured | undefined
): DetectorResult {
  const r: DetectorResult = {
    dataset: split.dataset,
    group: split.group,
    detector,
    bestF1: m ? m.f1.f1 : NaN,
    precision: m ? m.f1.precision : NaN,
    recall: m ? m.f1.recall : NaN,
    threshold: m ? m.f1.threshold : NaN,
    averagePrecision: m ? m.averagePrecision : NaN,
    rows: m ? m.f1.n : split.test.labels.filter((l) => l !== null).length,
    positives: m ? m.f1.positives : 0,
    unscored: m ? m.f1.unscored : 0,
    events: m ? m.events : emptyEvents(),
    operating: m ? m.operating : noOperatingPoint(),
    withinAlarmBudget: m ? m.withinAlarmBudget : emptyEvents(),
    fitSeconds: seconds.fit,
    scoreSeconds: seconds.score,
  };
  if (!m) {
    r.skipped = NO_TEST_ANOMALY;
  } else if (split.heldOutKind !== undefined) {
    r.heldOutKind = split.heldOutKind;
    r.heldOutRecall = m.operating.events.perKind[split.heldOutKind]?.recall ?? NaN;
  }
  return r;
}

/** Test-part metrics of `scores`, with the operating threshold fitted on the detector's training scores. */
function measure(split: EvaluationSplit, scores: ArrayLike<number>, trainScores: ArrayLike<number>): Measured {
  const { labels, kinds, matrix } = split.test;
  const f1 = bestF1(scores, labels);
  const events = eventMetrics(scores, labels, f1.threshold, matrix.stepMs, kinds);
  const fitted = hasPositive(split.train.labels, trainScores) ? bestF1(trainScores, split.train.labels).threshold : NaN;
  const operating = Number.isNaN(fitted)
    ? noOperatingPoint()
    : {
        threshold: fitted,
        ...metricsAt(scores, labels, fitted),
        events: eventMetrics(scores, labels, fitted, matrix.stepMs, kinds),
      };
  return {
    f1,
    averagePrecision: averagePrecision(scores, labels),
    events,
    operating,
    withinAlarmBudget: eventsWithinFalseAlarms(scores, labels, FALSE_ALARM_BUDGET_PER_WEEK, matrix.stepMs, kinds),
  };
}

function instance(d: Detector | DetectorFactory): Detector {
  return typeof d === 'function' ? d() : d;
}

/**
 * Fits every detector on every split's train part and measures it on the test part. Factories give a
 * fresh detector per split; a Detector instance is refitted (fit replaces its state).
 */
export async function evaluateDetectors(
  detectors: ReadonlyArray<Detector | DetectorFactory>,
  splits: readonly EvaluationSplit[],
  opts: { onProgress?: (msg: string) => void } = {}
): Promise<DetectorResult[]> {
  const results: DetectorResult[] = [];
  for (const split of splits) {
    for (const d of detectors) {
      const det = instance(d);
      const t0 = Date.now();
      await det.fit(split.train, { onProgress: opts.onProgress });
      const t1 = Date.now();
      // The training rows go first as history (a forecaster's context, last week's same hour), as the
      // datasource fetches history before the range it shows; only the test rows are measured.
      const all = await det.score(appendRows(split.train.matrix, split.test.matrix));
      const t2 = Date.now();
      const nTrain = split.train.matrix.times.length;
      if (all.length !== nTrain + split.test.labels.length) {
        throw new Error(`${det.name} returned ${all.length} scores for ${nTrain + split.test.labels.length} rows`);
      }
      const scores = all.subarray(nTrain);
      const seconds = { fit: (t1 - t0) / 1000, score: (t2 - t1) / 1000 };
      // Not an error for a benchmark run: one series of a set may have no anomaly in its test part.
      const m = hasPositive(split.test.labels, scores) ? measure(split, scores, all.subarray(0, nTrain)) : undefined;
      const r = toResult(split, det.name, seconds, m);
      results.push(r);
      opts.onProgress?.(
        m
          ? `${split.dataset} / ${det.name}: F1 ${r.bestF1.toFixed(3)}, AP ${r.averagePrecision.toFixed(3)} (fit ${r.fitSeconds.toFixed(1)} s)`
          : `${split.dataset} / ${det.name}: skipped, ${NO_TEST_ANOMALY}`
      );
    }
  }
  return results;
}
