/**
 * Surprise: how badly the forecaster (head b) predicted step t from step t − 1, in units of its own
 * typical error, optionally smoothed over the last steps and combined with the seasonal surprise
 * (seasonal.ts), and its calibration to a probability from the distribution seen on training rows.
 */
import type { PreparedInputs } from './preprocessing';
import type { StreamOutput } from './network';
import { orderedProbability } from './probability';
import { seasonalDeviation } from './seasonal';

/**
 * How per-feature terms become a step's surprise: their mean, their max, or 'minp': the smallest per-feature
 * p-value, each feature judged against its own null (featureNulls), so one feature far outside its usual
 * range counts even when it is usually quiet and the rest are calm (a mean dilutes it over all features; a
 * raw max is ruled by the noisiest feature).
 */
export type SurpriseAggregate = 'mean' | 'max' | 'minp';

/** Null distribution of a statistic on normal rows: empirical CDF plus an exponential tail. */
export interface NullDistribution {
  /** Empirical CDF: value quantiles[k] at probability quantileLevels[k]. */
  quantileLevels: number[];
  quantiles: number[];
  /** Exponential tail above quantiles at tailLevel: P(S > s) = (1 − tailLevel)·exp(−(s − threshold)/meanExcess). */
  tail: { level: number; threshold: number; meanExcess: number };
}

/** A feature's null distribution, stored without its quantile levels: they are always QUANTILE_LEVELS. */
export type FeatureNull = Omit<NullDistribution, 'quantileLevels'> & {
  /**
   * Share of the tail's deviations (above tail.threshold on normal rows) that were negative, shrunk towards
   * one half: (negative + 1) / (tail rows + 2). Makes tail p-values equal-tailed (featureExceedance); absent in
   * documents from before it, whose p-values ignore the sign.
   */
  downShare?: number;
};

export interface SeasonalCalibration extends NullDistribution {
  /** Over features; absent = 'mean' (documents from before the choice). */
  aggregate?: SurpriseAggregate;
  /** Per feature: null distribution of its squared scaled deviation; present when aggregate is 'minp'. */
  featureNulls?: FeatureNull[];
  /** Steps per day, and how many previous days the median takes. */
  periodSteps: number;
  days: number;
  /** Per feature: typical |deviation| from the same step of previous days (RMS on normal rows). */
  scale: number[];
}

/** Trailing exponentially weighted mean: weight (1 − alpha)^k for the step k back, over `steps` steps. */
export interface Smoothing {
  alpha: number;
  steps: number;
}

export interface SurpriseCalibration extends NullDistribution {
  aggregate: SurpriseAggregate;
  /** Per feature: typical |forecast error| (RMS on normal training rows), in standardized units. */
  residualScale: number[];
  /** Per feature: null distribution of its squared scaled forecast error; present when aggregate is 'minp'. */
  featureNulls?: FeatureNull[];
  /**
   * probability = sigmoid(slope · (evidence − intercept)), evidence = −log10 P(S > s);
   * DEFAULT_LOGISTIC unless fitted on labelled training rows (fittedRows of them).
   */
  logistic: { slope: number; intercept: number; fittedRows?: number };
  /** Both surprises smoothed before calibration; absent = none (documents from before it existed). */
  smoothing?: Smoothing;
  /** The seasonal surprise, whose p-value is combined with the forecast's; absent = not used. */
  seasonal?: SeasonalCalibration;
}

/** Per-feature |z| cap so one feature's huge miss cannot swamp the mean. */
export const MAX_RESIDUAL_Z = 10;
/** Smallest scale of a deviation (standardized units). */
const MIN_SCALE = 0.1;
const TAIL_LEVEL = 0.95;
const MIN_NULL_VALUES = 20;
/** Without labels to fit it: a step as rare as 1 in 100 normal steps gets 0.5, 1 in 1,000 gets ≈ 0.92. */
export const DEFAULT_LOGISTIC = { slope: 2.5, intercept: 2 };
const MIN_LOGISTIC_SLOPE = 0.1;
export const QUANTILE_LEVELS = Array.from({ length: 20 }, (_, k) => Number((k * 0.05).toPrecision(6)));

export interface SurpriseSeries {
  /** [T]; NaN at t = 0 and on steps without data. */
  surprise: Float64Array;
  /** [T, F] squared scaled deviation per feature (NaN where missing). */
  perFeature: Float64Array;
  /** 'minp' only: [T, F] 1 − the feature's p-value, what ranks features for explanations (NaN where missing). */
  featureRank?: Float64Array;
}

/** [T, F] standardized value minus the forecast made one step before; NaN at t = 0 and where missing. */
export function forecastDeviation(prepared: PreparedInputs, stream: StreamOutput): Float64Array {
  const { steps: T, features: F, z } = prepared;
  const out = new Float64Array(T * F).fill(NaN);
  for (let t = 1; t < T; t++) {
    for (let f = 0; f < F; f++) {
      const actual = z[t * F + f];
      if (!Number.isNaN(actual)) {
        out[t * F + f] = actual - stream.forecasts[(t - 1) * F + f];
      }
    }
  }
  return out;
}

/**
 * Per step: the mean (or max) over features of the squared deviation in units of its scale, each capped at
 * MAX_RESIDUAL_Z, or for 'minp' the largest per-feature −log10 p-value under featureNulls; NaN where no
 * feature has a deviation. Serves the forecast and the seasonal surprise.
 */
export function scaledSurprise(
  deviation: Float64Array,
  scale: readonly number[],
  aggregate: SurpriseAggregate,
  featureNulls?: readonly FeatureNull[]
): SurpriseSeries {
  if (aggregate === 'minp' && featureNulls?.length !== scale.length) {
    throw new Error(`the 'minp' surprise needs a null distribution per feature (${scale.length})`);
  }
  const F = scale.length;
  const T = deviation.length / F;
  const surprise = new Float64Array(T).fill(NaN);
  const perFeature = new Float64Array(T * F).fill(NaN);
  const minp = aggregate === 'minp';
  const featureRank = minp ? new Float64Array(T * F).fill(NaN) : undefined;
  for (let t = 0; t < T; t++) {
    let sum = 0;
    let max = 0;
    let minP = 1;
    let n = 0;
    for (let f = 0; f < F; f++) {
      const d = deviation[t * F + f];
      if (Number.isNaN(d)) {
        continue;
      }
      const r = Math.min(MAX_RESIDUAL_Z, Math.abs(d) / scale[f]);
      const r2 = r * r;
      perFeature[t * F + f] = r2;
      sum += r2;
      max = Math.max(max, r2);
      if (minp) {
        const p = featureExceedance(featureNulls![f], r2, d);
        featureRank![t * F + f] = 1 - p;
        minP = Math.min(minP, p);
      }
      n++;
    }
    if (n > 0) {
      surprise[t] = minp ? evidenceOf(minP) : aggregate === 'mean' ? sum / n : max;
    }
  }
  return { surprise, perFeature, featureRank };
}

export function computeSurprise(
  prepared: PreparedInputs,
  stream: StreamOutput,
  residualScale: readonly number[],
  aggregate: SurpriseAggregate,
  featureNulls?: readonly FeatureNull[]
): SurpriseSeries {
  return scaledSurprise(forecastDeviation(prepared, stream), residualScale, aggregate, featureNulls);
}

/**
 * Per feature: the null distribution of its squared scaled deviation over the given rows, and which way its
 * tail deviations went; undefined when a feature has fewer than 20 values there. The tail's mean excess is
 * floored at 1 (a squared z, about half of a normal's): a feature that barely moves on normal rows would
 * otherwise make any blip near-impossible.
 */
export function fitFeatureNulls(
  perFeature: Float64Array,
  deviation: Float64Array,
  F: number,
  rows: (t: number) => boolean
): FeatureNull[] | undefined {
  const T = perFeature.length / F;
  const nulls: FeatureNull[] = [];
  for (let f = 0; f < F; f++) {
    const xs: number[] = [];
    for (let t = 0; t < T; t++) {
      if (rows(t) && Number.isFinite(perFeature[t * F + f])) {
        xs.push(perFeature[t * F + f]);
      }
    }
    if (xs.length < MIN_NULL_VALUES) {
      return undefined;
    }
    // Four significant digits: two published models must fit Grafana's settings (publishing.ts).
    const { quantiles, tail } = fitNullDistribution(xs, 1);
    const threshold = round4(tail.threshold);
    let inTail = 0;
    let down = 0;
    for (let t = 0; t < T; t++) {
      if (rows(t) && perFeature[t * F + f] > threshold) {
        inTail++;
        down += deviation[t * F + f] < 0 ? 1 : 0;
      }
    }
    nulls.push({
      quantiles: quantiles.map(round4),
      tail: { level: tail.level, threshold, meanExcess: round4(tail.meanExcess) },
      downShare: round4((down + 1) / (inTail + 2)),
    });
  }
  return nulls;
}

/** RMS of a [T, F] deviation per feature over the given rows (present values only), floored. */
export function fitDeviationScale(deviation: Float64Array, F: number, rows: (t: number) => boolean): number[] {
  const T = deviation.length / F;
  const sum = new Float64Array(F);
  const n = new Float64Array(F);
  for (let t = 0; t < T; t++) {
    if (!rows(t)) {
      continue;
    }
    for (let f = 0; f < F; f++) {
      const d = deviation[t * F + f];
      if (!Number.isNaN(d)) {
        sum[f] += d * d;
        n[f]++;
      }
    }
  }
  return Array.from(sum, (s, f) => Math.max(MIN_SCALE, n[f] > 0 ? Math.sqrt(s / n[f]) : 1));
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const round6 = (x: number) => Number(x.toPrecision(6));
const round4 = (x: number) => Number(x.toPrecision(4));

/** Fits the empirical CDF and exponential tail on training surprise values (finite ones only). */
export function fitSurpriseCalibration(
  values: ArrayLike<number>,
  residualScale: number[],
  aggregate: SurpriseAggregate
): SurpriseCalibration {
  return {
    aggregate,
    residualScale: residualScale.map(round6),
    ...fitNullDistribution(values),
    logistic: { ...DEFAULT_LOGISTIC },
  };
}

/** Empirical CDF and exponential tail (mean excess at least minMeanExcess) of the finite values. */
export function fitNullDistribution(values: ArrayLike<number>, minMeanExcess = 1e-6): NullDistribution {
  const xs = Float64Array.from(Array.from(values).filter(Number.isFinite)).sort();
  if (xs.length < MIN_NULL_VALUES) {
    throw new Error(`only ${xs.length} training steps could be scored; need at least 20 to calibrate surprise`);
  }
  const quantiles = QUANTILE_LEVELS.map((q) => round6(quantile(xs, q)));
  const threshold = round6(quantile(xs, TAIL_LEVEL));
  let excess = 0;
  let n = 0;
  for (const x of xs) {
    if (x > threshold) {
      excess += x - threshold;
      n++;
    }
  }
  const meanExcess = round6(Math.max(minMeanExcess, n > 0 ? excess / n : threshold * 0.5));
  return {
    quantileLevels: QUANTILE_LEVELS.slice(),
    quantiles,
    tail: { level: TAIL_LEVEL, threshold, meanExcess },
  };
}

/** P(S > s) on normal training data: interpolated empirical CDF below the tail threshold, exponential above. */
export function exceedance(cal: NullDistribution | FeatureNull, s: number): number {
  const { level, threshold, meanExcess } = cal.tail;
  if (s >= threshold) {
    return (1 - level) * Math.exp(-(s - threshold) / meanExcess);
  }
  const qs = cal.quantiles;
  const ls = 'quantileLevels' in cal ? cal.quantileLevels : QUANTILE_LEVELS;
  if (s <= qs[0]) {
    return 1;
  }
  for (let k = 1; k < qs.length; k++) {
    if (s < qs[k]) {
      const frac = qs[k] > qs[k - 1] ? (s - qs[k - 1]) / (qs[k] - qs[k - 1]) : 1;
      return 1 - (ls[k - 1] + frac * (ls[k] - ls[k - 1]));
    }
  }
  // Between the last stored quantile and the tail threshold.
  const k = qs.length - 1;
  const frac = threshold > qs[k] ? (s - qs[k]) / (threshold - qs[k]) : 1;
  return 1 - (ls[k] + frac * (level - ls[k]));
}

/**
 * A feature's p-value for squared scaled deviation r2 whose sign is that of d. In the tail it is equal-tailed:
 * twice the chance of a deviation this large in this direction, so a drop in a count whose large normal
 * deviations are rises (starts after a campaign's submissions) counts more than a rise of the same size,
 * and such a rise less. Capped at the tail's level, so p never grows with the deviation (continuous at the
 * threshold, where the sign-blind p is that level). Generator scale 1, seeds 1-4: test AP 0.748 → 0.770
 * (BENCHMARKS.md, "Model design history").
 */
export function featureExceedance(n: FeatureNull, r2: number, d: number): number {
  const p = exceedance(n, r2);
  if (n.downShare === undefined || !(r2 > n.tail.threshold)) {
    return p;
  }
  return Math.min(1 - n.tail.level, 2 * (d < 0 ? n.downShare : 1 - n.downShare) * p);
}

/** −log10 of a p-value: the evidence scale the logistic works on. */
export function evidenceOf(p: number): number {
  return -Math.log10(Math.max(1e-300, p));
}

/**
 * Trailing exponentially weighted mean over a fixed number of steps (missing steps skipped), so a step's
 * value does not depend on where the fetched range starts once `steps` of history are there.
 */
export function smoothTrailing(x: Float64Array, sm: Smoothing | undefined): Float64Array {
  if (!sm || sm.alpha >= 1) {
    return x;
  }
  const out = new Float64Array(x.length).fill(NaN);
  const decay = 1 - sm.alpha;
  for (let t = 0; t < x.length; t++) {
    if (!Number.isFinite(x[t])) {
      continue;
    }
    let sum = 0;
    let weight = 0;
    let w = 1;
    for (let k = 0; k < sm.steps && k <= t; k++, w *= decay) {
      if (Number.isFinite(x[t - k])) {
        sum += w * x[t - k];
        weight += w;
      }
    }
    out[t] = sum / weight;
  }
  return out;
}

/** Fisher's combination of two p-values: P(U·V ≤ p·q) for independent uniforms. */
export function combinePValues(p: number, q: number): number {
  const c = p * q;
  return c > 0 ? Math.min(1, c * (1 - Math.log(c))) : 0;
}

export interface SurpriseEvidence extends SurpriseSeries {
  /** [T] −log10 of the combined null p-value; NaN where the forecast surprise is missing. */
  evidence: Float64Array;
}

/**
 * The evidence a step is anomalous: forecast surprise (and seasonal surprise, when calibrated), each
 * smoothed and turned into its null p-value, combined. perFeature takes, per feature, the larger of the
 * forecast and seasonal terms, so explanations name a feature that only the seasonal part flags.
 */
export function surpriseEvidenceSeries(
  prepared: PreparedInputs,
  stream: StreamOutput,
  cal: SurpriseCalibration
): SurpriseEvidence {
  const fc = computeSurprise(prepared, stream, cal.residualScale, cal.aggregate, cal.featureNulls);
  const { perFeature, featureRank } = fc;
  let seasonal: Float64Array | undefined;
  if (cal.seasonal) {
    const s = scaledSurprise(
      seasonalDeviation(prepared, cal.seasonal.periodSteps, cal.seasonal.days),
      cal.seasonal.scale,
      cal.seasonal.aggregate ?? 'mean',
      cal.seasonal.featureNulls
    );
    seasonal = s.surprise;
    for (let i = 0; i < perFeature.length; i++) {
      if (s.perFeature[i] > perFeature[i]) {
        perFeature[i] = s.perFeature[i];
      }
      if (featureRank && s.featureRank && s.featureRank[i] > featureRank[i]) {
        featureRank[i] = s.featureRank[i];
      }
    }
  }
  return { surprise: fc.surprise, perFeature, featureRank, evidence: combineEvidence(cal, fc.surprise, seasonal) };
}

/** Smooths the forecast (and seasonal) surprise and combines their null p-values into evidence. */
export function combineEvidence(
  cal: SurpriseCalibration,
  forecastSurprise: Float64Array,
  seasonalSurprise: Float64Array | undefined
): Float64Array {
  const T = forecastSurprise.length;
  const forecast = smoothTrailing(forecastSurprise, cal.smoothing);
  const seasonal =
    cal.seasonal && seasonalSurprise ? smoothTrailing(seasonalSurprise, cal.smoothing) : new Float64Array(T).fill(NaN);
  const evidence = new Float64Array(T).fill(NaN);
  for (let t = 0; t < T; t++) {
    if (!Number.isFinite(forecast[t])) {
      continue;
    }
    let p = exceedance(cal, forecast[t]);
    if (cal.seasonal && Number.isFinite(seasonal[t])) {
      p = combinePValues(p, exceedance(cal.seasonal, seasonal[t]));
    }
    evidence[t] = evidenceOf(p);
  }
  return evidence;
}

/**
 * Platt scaling of evidence x against 0/1 labels: maximum likelihood of sigmoid(a + b·x) with a
 * Gaussian prior (weight l2) pulling towards the default, so a handful of labels cannot flip it.
 */
export function fitLogistic(
  xs: readonly number[],
  ys: ReadonlyArray<0 | 1>,
  l2 = 1
): { slope: number; intercept: number } {
  const b0 = DEFAULT_LOGISTIC.slope;
  const a0 = -DEFAULT_LOGISTIC.slope * DEFAULT_LOGISTIC.intercept;
  // Negative penalized log-likelihood (stable softplus form).
  const loss = (a: number, b: number) => {
    let v = 0.5 * l2 * ((a - a0) ** 2 + (b - b0) ** 2);
    for (let i = 0; i < xs.length; i++) {
      const z = a + b * xs[i];
      v += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - ys[i] * z;
    }
    return v;
  };
  let a = a0;
  let b = b0;
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = l2 * (a - a0);
    let gb = l2 * (b - b0);
    let haa = l2;
    let hab = 0;
    let hbb = l2;
    for (let i = 0; i < xs.length; i++) {
      const p = 1 / (1 + Math.exp(-(a + b * xs[i])));
      const r = p - ys[i];
      const w = p * (1 - p);
      ga += r;
      gb += r * xs[i];
      haa += w;
      hab += w * xs[i];
      hbb += w * xs[i] * xs[i];
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) {
      break;
    }
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    // Newton step, halved until the loss goes down (plain Newton diverges on separable labels).
    let step = 1;
    let next = loss(a - da, b - db);
    while (!(next <= current) && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (!(next <= current)) {
      break;
    }
    a -= step * da;
    b -= step * db;
    const gain = current - next;
    current = next;
    if (gain < 1e-10) {
      break;
    }
  }
  // Probability must rise with surprise. Labels that say otherwise (anomalies less surprising than
  // normal rows) cannot be fitted by a rising curve; clamping the slope would then put the intercept far
  // out and every probability at 0. Keep the prior instead.
  if (!(b >= MIN_LOGISTIC_SLOPE) || !Number.isFinite(a)) {
    return { ...DEFAULT_LOGISTIC };
  }
  return { slope: round6(b), intercept: round6(-a / b) };
}

/** The calibrated probability of a step's evidence (surpriseEvidenceSeries). */
export function evidenceProbability(cal: SurpriseCalibration, evidence: number): number {
  if (!Number.isFinite(evidence)) {
    return NaN;
  }
  return orderedProbability(cal.logistic.slope * (evidence - cal.logistic.intercept));
}
