/** Helpers shared by the baseline detectors. */
import type { FeatureMatrix } from '../../featureMatrix';
import type { DetectorInput } from '../detector';

/** Rows a baseline learns "normal" from: not labelled anomalous, and with at least one value. */
export function normalRows(train: DetectorInput): number[] {
  const { matrix, labels } = train;
  if (labels.length !== matrix.values.length) {
    throw new Error(`labels (${labels.length}) and matrix rows (${matrix.values.length}) differ`);
  }
  const rows: number[] = [];
  matrix.values.forEach((row, t) => {
    if (labels[t] !== 1 && row.some((v) => v !== null)) {
      rows.push(t);
    }
  });
  if (rows.length === 0) {
    throw new Error('no training rows with data outside labelled anomalies');
  }
  return rows;
}

export function median(xs: number[]): number {
  if (xs.length === 0) {
    return NaN;
  }
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Non-null values of feature f over the given rows. */
export function columnValues(m: FeatureMatrix, f: number, rows: readonly number[]): number[] {
  const out: number[] = [];
  for (const t of rows) {
    const v = m.values[t][f];
    if (v !== null) {
      out.push(v);
    }
  }
  return out;
}

export function assertFitted<T>(state: T | undefined, name: string): T {
  if (state === undefined) {
    throw new Error(`${name}: score() called before fit()`);
  }
  return state;
}

export function assertSameFeatures(fitted: readonly string[], m: FeatureMatrix, name: string): void {
  if (fitted.length !== m.features.length || fitted.some((f, i) => f !== m.features[i])) {
    throw new Error(`${name}: features differ from training (${fitted.join(',')} vs ${m.features.join(',')})`);
  }
}
