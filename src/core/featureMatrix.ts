import { isoTime } from './time';

/** Hourly (or any fixed step) feature counts, the shared shape between data sources and the model. */
export interface FeatureMatrix {
  /** Start of each step, epoch ms UTC, strictly increasing, evenly spaced by stepMs. */
  times: number[];
  stepMs: number;
  features: string[];
  /** values[t][f]; null = no data for that step (NOT zero). */
  values: Array<Array<number | null>>;
}

export class FeatureMatrixError extends Error {}

/** Throws a FeatureMatrixError naming the first problem found; returns the matrix for chaining. */
export function assertFeatureMatrix(m: FeatureMatrix): FeatureMatrix {
  if (!Number.isFinite(m.stepMs) || m.stepMs <= 0 || !Number.isInteger(m.stepMs)) {
    throw new FeatureMatrixError(`stepMs must be a positive integer, got ${m.stepMs}`);
  }
  if (m.features.length === 0) {
    throw new FeatureMatrixError('features must not be empty');
  }
  const seen = new Set<string>();
  for (const f of m.features) {
    if (typeof f !== 'string' || f === '') {
      throw new FeatureMatrixError('feature names must be non-empty strings');
    }
    if (seen.has(f)) {
      throw new FeatureMatrixError(`duplicate feature "${f}"`);
    }
    seen.add(f);
  }
  if (m.values.length !== m.times.length) {
    throw new FeatureMatrixError(`values has ${m.values.length} rows but times has ${m.times.length}`);
  }
  for (let t = 0; t < m.times.length; t++) {
    const time = m.times[t];
    if (!Number.isFinite(time)) {
      throw new FeatureMatrixError(`times[${t}] is not a finite number`);
    }
    if (t > 0) {
      const step = time - m.times[t - 1];
      if (step <= 0) {
        throw new FeatureMatrixError(
          `times not strictly increasing at row ${t} (${isoTime(m.times[t - 1])} then ${isoTime(time)})`
        );
      }
      if (step !== m.stepMs) {
        throw new FeatureMatrixError(
          `uneven step at row ${t}: ${step} ms after ${isoTime(m.times[t - 1])}, expected ${m.stepMs} ms`
        );
      }
    }
    const row = m.values[t];
    if (!Array.isArray(row) || row.length !== m.features.length) {
      throw new FeatureMatrixError(
        `row ${t} (${isoTime(time)}) has ${Array.isArray(row) ? row.length : 'no'} values, expected ${m.features.length}`
      );
    }
    for (let f = 0; f < row.length; f++) {
      const v = row[f];
      if (v === null) {
        continue;
      }
      if (typeof v !== 'number' || Number.isNaN(v)) {
        throw new FeatureMatrixError(
          `NaN at row ${t} (${isoTime(time)}), feature "${m.features[f]}"; use null for missing data`
        );
      }
      if (!Number.isFinite(v)) {
        throw new FeatureMatrixError(
          `non-finite value ${v} at row ${t} (${isoTime(time)}), feature "${m.features[f]}"`
        );
      }
    }
  }
  return m;
}

/** Column f as an array (nulls kept). */
export function featureColumn(m: FeatureMatrix, feature: string): Array<number | null> {
  const f = m.features.indexOf(feature);
  if (f < 0) {
    throw new FeatureMatrixError(`unknown feature "${feature}" (have ${m.features.join(', ')})`);
  }
  return m.values.map((row) => row[f]);
}

/** Keeps the named features, in the order given. */
export function selectFeatures(m: FeatureMatrix, features: readonly string[]): FeatureMatrix {
  const idx = features.map((name) => {
    const i = m.features.indexOf(name);
    if (i < 0) {
      throw new FeatureMatrixError(`unknown feature "${name}" (have ${m.features.join(', ')})`);
    }
    return i;
  });
  return {
    times: m.times.slice(),
    stepMs: m.stepMs,
    features: [...features],
    values: m.values.map((row) => idx.map((i) => row[i])),
  };
}

/** Rows whose times fall in [fromMs, toMs). */
export function sliceTime(m: FeatureMatrix, fromMs: number, toMs: number): FeatureMatrix {
  const keep: number[] = [];
  m.times.forEach((t, i) => {
    if (t >= fromMs && t < toMs) {
      keep.push(i);
    }
  });
  return {
    times: keep.map((i) => m.times[i]),
    stepMs: m.stepMs,
    features: m.features.slice(),
    values: keep.map((i) => m.values[i].slice()),
  };
}

/** True when every value of row t is null (a step with no data at all). */
export function isMissingRow(m: FeatureMatrix, t: number): boolean {
  return m.values[t].every((v) => v === null);
}
