/**
 * Evaluation splits: how a labelled series is cut into what a detector may learn from and what it is
 * judged on (the ASD split, the generator's time split, and one split per held-out outage kind).
 */
import type { FeatureMatrix } from '../../featureMatrix';
import type { LabelledSeries } from '../../io/labelledSeries';
import type { SplitSeries } from '../../io/splitSeries';
import type { DetectorInput } from '../detector';
import { DAY_MS } from '../../time';

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

/** The rows of `b` after those of `a` (same features and step). */
export function appendRows(a: FeatureMatrix, b: FeatureMatrix): FeatureMatrix {
  return { ...a, times: [...a.times, ...b.times], values: [...a.values, ...b.values] };
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
