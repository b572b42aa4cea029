/**
 * Evaluation protocols (how a labelled series is cut into what a detector may learn from and what it is
 * judged on) and the loop that fits, scores and measures detectors on those cuts.
 */
import type { FeatureMatrix } from '../featureMatrix';
import type { LabelledSeries } from '../io/labelledSeries';
import type { SplitSeries } from '../io/splitSeries';
import type { Detector, DetectorFactory, DetectorInput } from './detector';
import { averagePrecision, bestF1, eventMetrics, metricsAt, type EventMetrics, type PointMetrics } from './metrics';
import { DAY_MS } from '../time';

/** True when the labelled test rows hold at least one positive (else F1/AP are undefined). */
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

export interface EvaluationSplit {
  /** e.g. "omi-1", "generated seed 1". */
  dataset: string;
  /** Datasets of one group are averaged together, e.g. "asd", "generated". */
  group: string;
  train: DetectorInput;
  /** Scored and measured; kinds (outage kind per row) enable per-kind event recall. */
  test: DetectorInput & { kinds?: Array<string | null> };
  /** Outage kind whose labels were masked to null in train. */
  heldOutKind?: string;
}

/** Rows [from, to) of a matrix (copies the row arrays' references, not the values). */
export function sliceRows(m: FeatureMatrix, from: number, to: number): FeatureMatrix {
  return {
    times: m.times.slice(from, to),
    stepMs: m.stepMs,
    features: m.features.slice(),
    values: m.values.slice(from, to),
  };
}

/**
 * ASD protocol: learn from the train rows (unlabelled) and the first half of the test rows with their
 * labels; report on the second half of the test rows.
 */
export function asdSplit(s: SplitSeries, dataset: string, group = 'asd'): EvaluationSplit {
  const n = s.matrix.times.length;
  const nTest = n - s.splitIndex;
  if (s.splitIndex < 1 || nTest < 2) {
    throw new Error(`${dataset}: need train rows and at least two test rows (split at ${s.splitIndex} of ${n})`);
  }
  const mid = s.splitIndex + Math.floor(nTest / 2);
  return {
    dataset,
    group,
    train: { matrix: sliceRows(s.matrix, 0, mid), labels: s.labels.slice(0, mid) },
    test: { matrix: sliceRows(s.matrix, mid, n), labels: s.labels.slice(mid), kinds: s.kinds.slice(mid) },
  };
}

export interface GeneratorSplitOptions {
  dataset: string;
  group?: string;
  /** Train on the first trainDays days (labels visible), test on the rest (or the next testDays). */
  trainDays: number;
  testDays?: number;
  /** Labels of this outage kind are masked to null in the training part. */
  holdOutKind?: string;
}

/** Generator protocol: a time split at trainDays, optionally with one outage kind's labels hidden in train. */
export function generatorSplit(s: LabelledSeries, o: GeneratorSplitOptions): EvaluationSplit {
  const perDay = DAY_MS / s.matrix.stepMs;
  const cut = Math.round(o.trainDays * perDay);
  const end =
    o.testDays === undefined
      ? s.matrix.times.length
      : Math.min(s.matrix.times.length, cut + Math.round(o.testDays * perDay));
  if (!(cut > 0 && cut < end)) {
    throw new Error(
      `${o.dataset}: trainDays ${o.trainDays} leaves no training or no test rows (${s.matrix.times.length} rows)`
    );
  }
  const trainLabels = s.labels
    .slice(0, cut)
    .map((l, i) => (o.holdOutKind !== undefined && s.kinds[i] === o.holdOutKind ? null : l));
  return {
    dataset: o.dataset,
    group: o.group ?? 'generated',
    train: { matrix: sliceRows(s.matrix, 0, cut), labels: trainLabels },
    test: { matrix: sliceRows(s.matrix, cut, end), labels: s.labels.slice(cut, end), kinds: s.kinds.slice(cut, end) },
    heldOutKind: o.holdOutKind,
  };
}

/** One split per outage kind that has labelled events in the test part, that kind hidden from training. */
export function heldOutKindSplits(s: LabelledSeries, o: Omit<GeneratorSplitOptions, 'holdOutKind'>): EvaluationSplit[] {
  const base = generatorSplit(s, o);
  const kinds = new Set<string>();
  base.test.labels.forEach((l, i) => {
    const k = base.test.kinds?.[i];
    if (l === 1 && k) {
      kinds.add(k);
    }
  });
  return [...kinds].sort().map((k) =>
    generatorSplit(s, {
      ...o,
      dataset: `${o.dataset} without ${k}`,
      group: `${o.group ?? 'generated'} held-out`,
      holdOutKind: k,
    })
  );
}

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
  /** Event recall of the held-out kind at the operating threshold, when there is one. */
  heldOutRecall?: number;
  fitSeconds: number;
  scoreSeconds: number;
  /** Why the metrics are NaN, e.g. no labelled anomaly in the test part. */
  skipped?: string;
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
      const scores = await det.score(split.test.matrix);
      const t2 = Date.now();
      if (scores.length !== split.test.labels.length) {
        throw new Error(`${det.name} returned ${scores.length} scores for ${split.test.labels.length} rows`);
      }
      if (!hasPositive(split.test.labels, scores)) {
        // Not an error for a benchmark run: one series of a set may have no anomaly in its test part.
        results.push({
          dataset: split.dataset,
          group: split.group,
          detector: det.name,
          bestF1: NaN,
          precision: NaN,
          recall: NaN,
          threshold: NaN,
          averagePrecision: NaN,
          rows: split.test.labels.filter((l) => l !== null).length,
          positives: 0,
          unscored: 0,
          events: emptyEvents(),
          operating: noOperatingPoint(),
          fitSeconds: (t1 - t0) / 1000,
          scoreSeconds: (t2 - t1) / 1000,
          skipped: 'no labelled anomaly in the test part',
        });
        opts.onProgress?.(`${split.dataset} / ${det.name}: skipped, no labelled anomaly in the test part`);
        continue;
      }
      const f1 = bestF1(scores, split.test.labels);
      const ev = eventMetrics(scores, split.test.labels, f1.threshold, split.test.matrix.stepMs, split.test.kinds);
      const trainScores = await det.score(split.train.matrix);
      const fitted = hasPositive(split.train.labels, trainScores)
        ? bestF1(trainScores, split.train.labels).threshold
        : NaN;
      const operating = Number.isNaN(fitted)
        ? noOperatingPoint()
        : {
            threshold: fitted,
            ...metricsAt(scores, split.test.labels, fitted),
            events: eventMetrics(scores, split.test.labels, fitted, split.test.matrix.stepMs, split.test.kinds),
          };
      const r: DetectorResult = {
        dataset: split.dataset,
        group: split.group,
        detector: det.name,
        bestF1: f1.f1,
        precision: f1.precision,
        recall: f1.recall,
        threshold: f1.threshold,
        averagePrecision: averagePrecision(scores, split.test.labels),
        rows: f1.n,
        positives: f1.positives,
        unscored: f1.unscored,
        events: ev,
        operating,
        fitSeconds: (t1 - t0) / 1000,
        scoreSeconds: (t2 - t1) / 1000,
      };
      if (split.heldOutKind !== undefined) {
        r.heldOutKind = split.heldOutKind;
        r.heldOutRecall = operating.events.perKind[split.heldOutKind]?.recall ?? NaN;
      }
      results.push(r);
      opts.onProgress?.(
        `${split.dataset} / ${det.name}: F1 ${f1.f1.toFixed(3)}, AP ${r.averagePrecision.toFixed(3)} (fit ${r.fitSeconds.toFixed(1)} s)`
      );
    }
  }
  return results;
}

export interface SummaryRow {
  group: string;
  detector: string;
  datasets: number;
  bestF1: number;
  averagePrecision: number;
  /** F1 and event metrics at the operating threshold (chosen on the training labels; see DetectorResult). */
  operatingF1: number;
  eventRecall: number;
  /** Mean over datasets where at least one event was detected. */
  medianDelayHours: number;
  falseAlarmsPerWeek: number;
}

function meanFinite(xs: number[]): number {
  const f = xs.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
}

/**
 * Means over the datasets of each group, per detector. NaN entries (a skipped dataset, no detected event
 * for the delay) are left out of that mean; `datasets` counts the datasets not skipped.
 */
export function summarize(results: readonly DetectorResult[]): SummaryRow[] {
  const keys: string[] = [];
  const by = new Map<string, DetectorResult[]>();
  for (const r of results) {
    const k = `${r.group}\u0000${r.detector}`;
    if (!by.has(k)) {
      by.set(k, []);
      keys.push(k);
    }
    by.get(k)!.push(r);
  }
  return keys.map((k) => {
    const rs = by.get(k)!;
    return {
      group: rs[0].group,
      detector: rs[0].detector,
      datasets: rs.filter((r) => r.skipped === undefined).length,
      bestF1: meanFinite(rs.map((r) => r.bestF1)),
      averagePrecision: meanFinite(rs.map((r) => r.averagePrecision)),
      operatingF1: meanFinite(rs.map((r) => r.operating.f1)),
      eventRecall: meanFinite(rs.map((r) => r.operating.events.eventRecall)),
      medianDelayHours: meanFinite(rs.map((r) => r.operating.events.medianDelayHours)),
      falseAlarmsPerWeek: meanFinite(rs.map((r) => r.operating.events.falseAlarmsPerWeek)),
    };
  });
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const f1d = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(100 * x)}%` : '–');

/**
 * Markdown tables: one row per dataset and detector, then the per-group means, then (when present)
 * per-kind event recall and held-out-kind recall. Best F1 and AP use the test labels' best threshold (the
 * usual benchmark figures); the other columns use the operating threshold chosen on the training labels.
 */
export function renderResultsMarkdown(results: readonly DetectorResult[]): string {
  const main = results.filter((r) => r.heldOutKind === undefined);
  const out: string[] = [
    'Best F1 and AP: best threshold on the test labels. Other columns: at the threshold chosen on the training labels.',
    '',
    '| dataset | detector | best F1 | AP | F1 | precision | recall | events detected | median delay h | false alarms/week |',
    '| ------- | -------- | ------- | -- | -- | --------- | ------ | --------------- | -------------- | ----------------- |',
  ];
  for (const r of main) {
    const o = r.operating;
    const e = o.events;
    if (r.skipped !== undefined) {
      out.push(`| ${r.dataset} | ${r.detector} | ${r.skipped} | | | | | | | |`);
      continue;
    }
    out.push(
      `| ${r.dataset} | ${r.detector} | ${f3(r.bestF1)} | ${f3(r.averagePrecision)} | ${f3(o.f1)} | ${f3(o.precision)} | ${f3(o.recall)} | ${e.detected}/${e.events} (${pct(e.eventRecall)}) | ${f1d(e.medianDelayHours)} | ${f1d(e.falseAlarmsPerWeek)} |`
    );
  }
  const summary = summarize(main);
  if (main.length > summary.length) {
    out.push(
      '',
      '| mean over | detector | datasets | best F1 | AP | F1 | event recall | median delay h | false alarms/week |',
      '| --------- | -------- | -------- | ------- | -- | -- | ------------ | -------------- | ----------------- |'
    );
    for (const s of summary) {
      out.push(
        `| ${s.group} | ${s.detector} | ${s.datasets} | ${f3(s.bestF1)} | ${f3(s.averagePrecision)} | ${f3(s.operatingF1)} | ${pct(s.eventRecall)} | ${f1d(s.medianDelayHours)} | ${f1d(s.falseAlarmsPerWeek)} |`
      );
    }
  }
  const kinds = [...new Set(main.flatMap((r) => Object.keys(r.operating.events.perKind)))].sort();
  if (kinds.length > 1 || (kinds.length === 1 && kinds[0] !== 'unknown')) {
    out.push(
      '',
      `| dataset | detector | ${kinds.join(' | ')} |`,
      `| --- | --- | ${kinds.map(() => '---').join(' | ')} |`
    );
    for (const r of main) {
      const cells = kinds.map((k) => {
        const pk = r.operating.events.perKind[k];
        return pk ? `${pk.detected}/${pk.events}` : '–';
      });
      out.push(`| ${r.dataset} | ${r.detector} | ${cells.join(' | ')} |`);
    }
  }
  const held = results.filter((r) => r.heldOutKind !== undefined);
  if (held.length) {
    out.push(
      '',
      '| dataset | detector | held-out kind | its event recall | best F1 (all kinds) |',
      '| ------- | -------- | ------------- | ---------------- | ------------------- |'
    );
    for (const r of held) {
      const pk = r.operating.events.perKind[r.heldOutKind!];
      out.push(
        `| ${r.dataset} | ${r.detector} | ${r.heldOutKind} | ${pk ? `${pk.detected}/${pk.events}` : '–'} | ${f3(r.bestF1)} |`
      );
    }
  }
  return out.join('\n') + '\n';
}
