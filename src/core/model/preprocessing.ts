/**
 * Per-feature preprocessing fitted on training rows and stored with the model:
 * optional log1p (event counts), robust standardization (median / IQR with a floor), clipping,
 * and an explicit missing mask. The network sees, per step, F standardized values (missing → 0)
 * followed by F mask channels (1 = missing), so "no data" never looks like "typical value".
 */
import type { FeatureMatrix } from '../featureMatrix';

export type FeatureTransform = 'log1p' | 'identity';

export interface PreprocessingParams {
  features: string[];
  transform: FeatureTransform[];
  center: number[];
  scale: number[];
  clip: number;
}

export interface PreprocessingOptions {
  /** Per feature name, or 'auto' (default, see detectTransform): counts → log1p, gauges → identity. */
  transforms?: 'auto' | Partial<Record<string, FeatureTransform>>;
  /** |z| limit after standardization; default 8. */
  clip?: number;
  /** Smallest scale for log1p features (log units); default 0.25, so one stray event in a near-zero column is z ≈ 2.8, not 100. */
  minLogScale?: number;
  /** Smallest scale for identity features, relative to the feature's range of training values; default 0.02 (absolute floor 1e-6). */
  minRelativeScale?: number;
}

export const DEFAULT_CLIP = 8;
const DEFAULT_MIN_LOG_SCALE = 0.25;
const DEFAULT_MIN_RELATIVE_SCALE = 0.02;

/**
 * Counts (non-negative integers) and wide-range non-negative rates (max > 10) get log1p; fractional
 * values within [0, 10] (utilizations, [0, 1]-scaled metrics, load) and anything negative are gauges.
 */
export function detectTransform(column: ReadonlyArray<number | null>): FeatureTransform {
  let min = Infinity;
  let max = -Infinity;
  let allIntegers = true;
  for (const v of column) {
    if (v === null) {
      continue;
    }
    min = Math.min(min, v);
    max = Math.max(max, v);
    if (!Number.isInteger(v)) {
      allIntegers = false;
    }
  }
  if (min === Infinity || min < 0) {
    return 'identity';
  }
  if (!allIntegers && max <= 10) {
    return 'identity';
  }
  return 'log1p';
}

function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function applyTransform(t: FeatureTransform, v: number): number {
  return t === 'log1p' ? Math.log1p(Math.max(0, v)) : v;
}

export function fitPreprocessing(m: FeatureMatrix, opts: PreprocessingOptions = {}): PreprocessingParams {
  const clip = opts.clip ?? DEFAULT_CLIP;
  const minLog = opts.minLogScale ?? DEFAULT_MIN_LOG_SCALE;
  const minRel = opts.minRelativeScale ?? DEFAULT_MIN_RELATIVE_SCALE;
  const transforms = opts.transforms ?? 'auto';
  const params: PreprocessingParams = { features: m.features.slice(), transform: [], center: [], scale: [], clip };
  m.features.forEach((name, f) => {
    const column = m.values.map((row) => row[f]);
    const given = transforms === 'auto' ? undefined : transforms[name];
    const transform = given ?? detectTransform(column);
    const xs = Float64Array.from(
      column.filter((v): v is number => v !== null),
      (v) => applyTransform(transform, v)
    ).sort();
    let center = 0;
    let scale = transform === 'log1p' ? minLog : 1;
    if (xs.length > 0) {
      center = quantileSorted(xs, 0.5);
      const iqr = quantileSorted(xs, 0.75) - quantileSorted(xs, 0.25);
      const range = xs[xs.length - 1] - xs[0];
      const floor = transform === 'log1p' ? minLog : Math.max(1e-6, minRel * range);
      scale = Math.max(iqr / 1.349, floor);
    }
    params.transform.push(transform);
    params.center.push(center);
    params.scale.push(scale);
  });
  return params;
}

/**
 * The same transforms and clip, with centres and scales refitted on `m`: for a model trained on another
 * grid (the bundled one: demo-sized, ~275 events/h) scoring data of a different size (GPGrid: ~17,000/h),
 * where the stored medians would put every hour at the clip and every forecast wildly off. Features
 * with fewer than `minRows` observed values keep the stored statistics.
 */
export function refitPreprocessing(p: PreprocessingParams, m: FeatureMatrix, minRows = 48): PreprocessingParams {
  const fresh = fitPreprocessing(m, {
    clip: p.clip,
    transforms: Object.fromEntries(p.features.map((name, f) => [name, p.transform[f]])),
  });
  const out: PreprocessingParams = { ...p, center: p.center.slice(), scale: p.scale.slice() };
  p.features.forEach((name, f) => {
    const g = m.features.indexOf(name);
    if (g >= 0 && m.values.filter((row) => row[g] !== null).length >= minRows) {
      out.center[f] = fresh.center[g];
      out.scale[f] = fresh.scale[g];
    }
  });
  return out;
}

/** Standardized, clipped value of feature f, or null when missing. */
export function standardize(p: PreprocessingParams, f: number, v: number | null): number | null {
  if (v === null) {
    return null;
  }
  const z = (applyTransform(p.transform[f], v) - p.center[f]) / p.scale[f];
  return Math.max(-p.clip, Math.min(p.clip, z));
}

export interface PreparedInputs {
  /** [T, 2F] row-major: standardized values (missing → 0), then the mask (1 = missing). */
  inputs: Float32Array;
  /** [T, F] standardized values, NaN where missing (targets for the forecaster). */
  z: Float32Array;
  /** True where every feature of the step is missing. */
  emptyRow: Uint8Array;
  steps: number;
  features: number;
}

export function prepareInputs(p: PreprocessingParams, m: FeatureMatrix): PreparedInputs {
  const F = p.features.length;
  if (m.features.length !== F || m.features.some((f, i) => f !== p.features[i])) {
    throw new Error(`preprocessing expects features [${p.features.join(', ')}], data has [${m.features.join(', ')}]`);
  }
  const T = m.values.length;
  const inputs = new Float32Array(T * 2 * F);
  const z = new Float32Array(T * F);
  const emptyRow = new Uint8Array(T);
  for (let t = 0; t < T; t++) {
    let present = 0;
    for (let f = 0; f < F; f++) {
      const s = standardize(p, f, m.values[t][f]);
      if (s === null) {
        inputs[t * 2 * F + F + f] = 1;
        z[t * F + f] = NaN;
      } else {
        inputs[t * 2 * F + f] = s;
        z[t * F + f] = s;
        present++;
      }
    }
    emptyRow[t] = present === 0 ? 1 : 0;
  }
  return { inputs, z, emptyRow, steps: T, features: F };
}

/** Throws with a readable message when the stored parameters are malformed. */
export function validatePreprocessing(p: PreprocessingParams, features: readonly string[]): void {
  const F = features.length;
  const ok =
    Array.isArray(p.transform) &&
    Array.isArray(p.center) &&
    Array.isArray(p.scale) &&
    p.transform.length === F &&
    p.center.length === F &&
    p.scale.length === F &&
    p.transform.every((t) => t === 'log1p' || t === 'identity') &&
    p.center.every(Number.isFinite) &&
    p.scale.every((s) => Number.isFinite(s) && s > 0) &&
    Number.isFinite(p.clip) &&
    p.clip > 0;
  if (!ok) {
    throw new Error(`preprocessing must give transform, center and a positive scale for each of the ${F} features`);
  }
}
