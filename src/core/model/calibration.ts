/**
 * Calibration of the trained network (plain JS, no tfjs): the surprise's residual scale and null
 * distribution, its Platt scaling on labelled rows, and whether the classifier keeps its say.
 */
import type { FeatureMatrix } from '../featureMatrix';
import type { ModelDocument, TrainingMetadata } from './modelDocument';
import type { StreamOutput } from './network';
import { averagePrecision } from './metrics';
import { SEASONAL_DAYS, seasonalDeviation, seasonalPeriodSteps } from './seasonal';
import {
  combineEvidence,
  fitFeatureNulls,
  fitLogistic,
  fitNullDistribution,
  fitDeviationScale,
  forecastDeviation,
  fitSurpriseCalibration,
  round6,
  scaledSurprise,
  smoothTrailing,
  type FeatureNull,
  type SurpriseAggregate,
  type SurpriseCalibration,
} from './surprise';
import { roundFigure } from './trainedDocument';
import { countAnomalyEvents, MIN_ANOMALY_EVENTS, type TrainingData } from './trainingData';
import { validationAp, validationRowIndices } from './validation';

/**
 * Validation AP by which the surprise alone must beat classifier + surprise to replace it. Held-out
 * anomalies are few (10-20 rows), so smaller differences are noise; the blend already halves a weak
 * classifier's say. Chosen after seeing results (BENCHMARKS.md, "Model design history").
 */
export const SURPRISE_ONLY_MARGIN = 0.05;
/** Labelled anomalous (and normal) training rows needed to fit the surprise → probability logistic. */
const MIN_PLATT_POSITIVES = 5;
/** Calibrate surprise on validation rows only when at least this many normal ones exist. */
const MIN_CALIBRATION_ROWS = 200;
/** Smoothing weights of the newest step tried when labels can choose (1 = none). */
const SMOOTHING_ALPHAS = [1, 1 / 2, 1 / 3, 1 / 6];
/**
 * Without labels to choose: smooth with a 15-minute time constant. Five-minute server metrics are spiky
 * step to step and their incidents last tens of minutes (ASD: AP 0.26 → 0.43 unsmoothed → smoothed);
 * hourly grid counts are not smoothed at all (generator outages last 1-8 h; smoothing lost AP there).
 */
const DEFAULT_SMOOTHING_MS = 15 * 60_000;
/**
 * Aggregates labels choose between when none is set and they hold MIN_ANOMALY_EVENTS incidents; the first is
 * the default. On 2-4 incidents (ASD's halves) 'minp' won on the labelled rows and then lost on the next ones
 * (omi-3: AP 0.68 → 0.22); on the generator's ~30 it won on both (BENCHMARKS.md, "Model design history").
 */
const AGGREGATES: SurpriseAggregate[] = ['mean', 'minp'];

export interface SurpriseFit {
  calibration: SurpriseCalibration;
  calibratedOn: TrainingMetadata['calibratedOn'];
  /** Which smoothing and seasonal setting, and why: chosen on labelled rows (their AP) or the default. */
  choice: { chosenBy: 'labels' | 'default'; ap?: number };
}

export function defaultSmoothingAlpha(stepMs: number): number {
  return Number((1 - Math.exp(-stepMs / DEFAULT_SMOOTHING_MS)).toPrecision(3));
}

/** A deviation's per-feature scale and null distributions on normal rows, and its surprise per aggregate. */
interface DeviationFamily {
  scale: number[];
  featureNulls?: FeatureNull[];
  surprise: Map<SurpriseAggregate, Float64Array>;
}

function deviationFamily(
  deviation: Float64Array,
  F: number,
  rows: (t: number) => boolean,
  aggregates: readonly SurpriseAggregate[]
): DeviationFamily {
  const scale = fitDeviationScale(deviation, F, rows);
  const mean = scaledSurprise(deviation, scale, 'mean');
  const featureNulls = aggregates.includes('minp') ? fitFeatureNulls(mean.perFeature, deviation, F, rows) : undefined;
  // The mean always: the fallback when a feature has too few normal rows for its own null.
  const surprise = new Map<SurpriseAggregate, Float64Array>([['mean', mean.surprise]]);
  for (const a of aggregates) {
    if (a === 'max' || (a === 'minp' && featureNulls)) {
      surprise.set(a, scaledSurprise(deviation, scale, a, featureNulls).surprise);
    }
  }
  return { scale, featureNulls, surprise };
}

/**
 * Residual scale and null distributions of the surprise on normal rows; smoothing, the seasonal part and
 * (unless `aggregate` is given) the aggregate over features chosen by the AP they give on labelled rows (any
 * labelled anomaly is enough: a few incidents already pick what makes them stand out), else the default;
 * then Platt scaling.
 */
export function calibrateSurprise(
  data: TrainingData,
  stream: StreamOutput,
  aggregate: SurpriseAggregate | undefined,
  shape: { stepMs: number; contextSteps: number }
): SurpriseFit {
  const { prep, labels, isVal } = data;
  const T = prep.steps;
  const F = prep.features;
  // Calibrate on held-out rows when there are enough: in-sample forecast errors are too small.
  const normal = (t: number) => labels[t] !== 1 && !prep.emptyRow[t];
  let normalVal = 0;
  for (let t = 1; t < T; t++) {
    normalVal += isVal[t] && normal(t) ? 1 : 0;
  }
  const calibrateOnValidation = normalVal >= MIN_CALIBRATION_ROWS;
  const normalRow = (t: number) => normal(t) && (!calibrateOnValidation || isVal[t] === 1);
  const labelled = labels.flatMap((l, t) => (l !== null && !prep.emptyRow[t] ? [t] : []));
  const canChoose = labelled.some((t) => labels[t] === 1) && labelled.some((t) => labels[t] === 0);
  const aggregates = aggregate
    ? [aggregate]
    : canChoose && countAnomalyEvents(labels) >= MIN_ANOMALY_EVENTS
      ? AGGREGATES
      : AGGREGATES.slice(0, 1);
  const forecast = deviationFamily(forecastDeviation(prep, stream), F, normalRow, aggregates);

  const period = seasonalPeriodSteps(shape.stepMs);
  let seasonal: DeviationFamily | undefined;
  if (period > 0) {
    seasonal = deviationFamily(seasonalDeviation(prep, period, SEASONAL_DAYS), F, normalRow, aggregates);
    if (rowValues(seasonal.surprise.get('mean')!, normalRow).length < MIN_CALIBRATION_ROWS) {
      seasonal = undefined;
    }
  }
  const calibrationFor = (alpha: number, withSeasonal: boolean, agg: SurpriseAggregate): SurpriseCalibration => {
    const smoothing = alpha < 1 ? { alpha: round6(alpha), steps: shape.contextSteps } : undefined;
    const cal = fitSurpriseCalibration(
      rowValues(smoothTrailing(forecast.surprise.get(agg)!, smoothing), normalRow),
      forecast.scale,
      agg
    );
    if (agg === 'minp') {
      cal.featureNulls = forecast.featureNulls;
    }
    if (smoothing) {
      cal.smoothing = smoothing;
    }
    if (withSeasonal && seasonal) {
      cal.seasonal = {
        periodSteps: period,
        days: SEASONAL_DAYS,
        scale: seasonal.scale.map(round6),
        ...fitNullDistribution(rowValues(smoothTrailing(seasonal.surprise.get(agg)!, smoothing), normalRow)),
      };
      if (agg !== 'mean') {
        cal.seasonal.aggregate = agg;
        cal.seasonal.featureNulls = agg === 'minp' ? seasonal.featureNulls : undefined;
      }
    }
    return cal;
  };

  // The default first, so that it wins ties.
  // 'minp' needs every feature's null, in both parts.
  const available = (agg: SurpriseAggregate, withSeasonal: boolean) =>
    forecast.surprise.has(agg) && (!withSeasonal || seasonal!.surprise.has(agg));
  const defaultAggregate = available(aggregates[0], seasonal !== undefined) ? aggregates[0] : 'mean';
  const settings: Array<[number, boolean, SurpriseAggregate]> = [
    [defaultSmoothingAlpha(shape.stepMs), seasonal !== undefined, defaultAggregate],
  ];
  if (canChoose) {
    for (const alpha of SMOOTHING_ALPHAS) {
      for (const withSeasonal of seasonal ? [false, true] : [false]) {
        for (const agg of aggregates) {
          if (available(agg, withSeasonal)) {
            settings.push([alpha, withSeasonal, agg]);
          }
        }
      }
    }
  }
  // Each setting's evidence is computed once: the chosen one's is what Platt scaling fits on.
  let best: { cal: SurpriseCalibration; evidence: Float64Array; ap: number } | undefined;
  for (const [alpha, withSeasonal, agg] of settings) {
    const cal = calibrationFor(alpha, withSeasonal, agg);
    const evidence = combineEvidence(cal, forecast.surprise.get(agg)!, seasonal?.surprise.get(agg));
    if (!canChoose) {
      best = { cal, evidence, ap: NaN };
      break;
    }
    const ap = averagePrecision(
      labelled.map((t) => evidence[t]),
      labelled.map((t) => labels[t])
    );
    if (!best || ap > best.ap) {
      best = { cal, evidence, ap };
    }
  }
  const calibration = best!.cal;
  // The surprise gives (or shares) the probability whatever the labels: calibrate it on them.
  fitSurpriseLogistic(calibration, best!.evidence, labels, isVal);
  return {
    calibration,
    calibratedOn: calibrateOnValidation ? 'validation' : 'all',
    choice: canChoose ? { chosenBy: 'labels', ap: roundFigure(best!.ap) } : { chosenBy: 'default' },
  };
}

function rowValues(x: Float64Array, rows: (t: number) => boolean): number[] {
  const out: number[] = [];
  for (let t = 1; t < x.length; t++) {
    if (rows(t) && Number.isFinite(x[t])) {
      out.push(x[t]);
    }
  }
  return out;
}

/**
 * Platt-scales the evidence on the training rows when labels hold enough anomalies. Unlabelled rows from the
 * first labelled row on count as normal: operators label the hours they looked at (alarms, suggestions,
 * incidents), so labelled rows hold far more anomalies than the data, and their normal ones are the most
 * surprising normal hours. Fitted on them alone the logistic alarmed too often; corrected only by the data's
 * prior odds it fell silent (feedback loop, demo scale seed 1: 5 of 13 incidents alarmed, 7 this way, 9 without
 * labels). Rows before the first label are history nobody reviewed, whose incidents are unlabelled too: counted
 * as normal they silenced the alarm (ASD feedback loop: 13 of 26 incidents alarmed, 22 this way, 18 without
 * labels; BENCHMARKS.md, "Feedback loop").
 */
export function fitSurpriseLogistic(
  cal: SurpriseCalibration,
  evidence: Float64Array,
  labels: ReadonlyArray<0 | 1 | null>,
  isVal: Uint8Array
): void {
  const xs: number[] = [];
  const ys: Array<0 | 1> = [];
  let positives = 0;
  let labelledNormal = 0;
  for (let t = Math.max(0, labels.findIndex((l) => l !== null)); t < labels.length; t++) {
    if (isVal[t] || !Number.isFinite(evidence[t])) {
      continue;
    }
    xs.push(evidence[t]);
    ys.push(labels[t] === 1 ? 1 : 0);
    positives += labels[t] === 1 ? 1 : 0;
    labelledNormal += labels[t] === 0 ? 1 : 0;
  }
  if (positives < MIN_PLATT_POSITIVES || labelledNormal < MIN_PLATT_POSITIVES) {
    return;
  }
  cal.logistic = { ...fitLogistic(xs, ys), fittedRows: xs.length };
}

/**
 * In 'auto' mode, keeps the classifier only if it ranks held-out anomalies at least about as well as the
 * surprise alone, and turns it off in doc when too few held-out anomalies exist to show that: alone it ranks
 * far below the surprise on every benchmark set, and averaged in unchecked it cost up to 0.08 AP (BENCHMARKS.md,
 * "Model design history"). Records the validation figures.
 */
export function chooseProbabilitySource(doc: ModelDocument, m: FeatureMatrix, data: TrainingData, auto: boolean): void {
  const rowLabels = validationRowIndices(data).map((t) => data.labels[t]);
  const positives = rowLabels.filter((l) => l === 1).length;
  const labelled = rowLabels.filter((l) => l !== null).length;
  const metrics: TrainingMetadata['metrics'] = {};
  const surpriseOnly = () => ({ ...doc.classifier, enabled: false, withSurprise: false });
  const checked = auto && data.useClassifier;
  if (checked && !data.validationLabelsUsable) {
    doc.classifier = surpriseOnly();
  }
  let ap = validationAp(doc, m, data);
  if (checked && data.validationLabelsUsable) {
    const surpriseAp = validationAp({ ...doc, classifier: surpriseOnly() }, m, data);
    metrics.validationApClassifier = roundFigure(ap);
    metrics.validationApSurprise = roundFigure(surpriseAp);
    if (surpriseAp > ap + SURPRISE_ONLY_MARGIN) {
      doc.classifier = surpriseOnly();
      ap = surpriseAp;
    }
  }
  doc.training.metrics = {
    ...(Number.isFinite(ap) ? { validationAp: roundFigure(ap) } : {}),
    ...metrics,
    validationAnomalousRows: positives,
    ...(labelled > 0 ? { validationAnomalyRate: roundFigure(positives / labelled) } : {}),
  };
}
