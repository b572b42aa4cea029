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
  fitLogistic,
  fitNullDistribution,
  fitDeviationScale,
  forecastDeviation,
  fitSurpriseCalibration,
  round6,
  scaledSurprise,
  smoothTrailing,
  type SurpriseAggregate,
  type SurpriseCalibration,
} from './surprise';
import { roundFigure } from './trainedDocument';
import type { TrainingData } from './trainingData';
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

export interface SurpriseFit {
  calibration: SurpriseCalibration;
  calibratedOn: TrainingMetadata['calibratedOn'];
  /** Which smoothing and seasonal setting, and why: chosen on labelled rows (their AP) or the default. */
  choice: { chosenBy: 'labels' | 'default'; ap?: number };
}

export function defaultSmoothingAlpha(stepMs: number): number {
  return Number((1 - Math.exp(-stepMs / DEFAULT_SMOOTHING_MS)).toPrecision(3));
}

/**
 * Residual scale and null distributions of the surprise on normal rows; smoothing and the seasonal part
 * chosen by the AP they give on labelled rows (any labelled anomaly is enough: a few incidents already
 * pick what makes them stand out), else the default; then Platt scaling.
 */
export function calibrateSurprise(
  data: TrainingData,
  stream: StreamOutput,
  aggregate: SurpriseAggregate,
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
  const deviation = forecastDeviation(prep, stream);
  const residualScale = fitDeviationScale(deviation, F, normalRow);
  const forecast = scaledSurprise(deviation, residualScale, aggregate).surprise;

  const period = seasonalPeriodSteps(shape.stepMs);
  let seasonal: { scale: number[]; surprise: Float64Array } | undefined;
  if (period > 0) {
    const seasonalDev = seasonalDeviation(prep, period, SEASONAL_DAYS);
    const scale = fitDeviationScale(seasonalDev, F, normalRow);
    const surprise = scaledSurprise(seasonalDev, scale, 'mean').surprise;
    if (rowValues(surprise, normalRow).length >= MIN_CALIBRATION_ROWS) {
      seasonal = { scale, surprise };
    }
  }
  const calibrationFor = (alpha: number, withSeasonal: boolean): SurpriseCalibration => {
    const smoothing = alpha < 1 ? { alpha: round6(alpha), steps: shape.contextSteps } : undefined;
    const cal = fitSurpriseCalibration(
      rowValues(smoothTrailing(forecast, smoothing), normalRow),
      residualScale,
      aggregate
    );
    if (smoothing) {
      cal.smoothing = smoothing;
    }
    if (withSeasonal && seasonal) {
      cal.seasonal = {
        periodSteps: period,
        days: SEASONAL_DAYS,
        scale: seasonal.scale.map(round6),
        ...fitNullDistribution(rowValues(smoothTrailing(seasonal.surprise, smoothing), normalRow)),
      };
    }
    return cal;
  };

  const labelled = labels.flatMap((l, t) => (l !== null && !prep.emptyRow[t] ? [t] : []));
  const canChoose = labelled.some((t) => labels[t] === 1) && labelled.some((t) => labels[t] === 0);
  // The default first, so that it wins ties.
  const settings: Array<[number, boolean]> = [[defaultSmoothingAlpha(shape.stepMs), seasonal !== undefined]];
  if (canChoose) {
    for (const alpha of SMOOTHING_ALPHAS) {
      for (const withSeasonal of seasonal ? [false, true] : [false]) {
        settings.push([alpha, withSeasonal]);
      }
    }
  }
  // Each setting's evidence is computed once: the chosen one's is what Platt scaling fits on.
  let best: { cal: SurpriseCalibration; evidence: Float64Array; ap: number } | undefined;
  for (const [alpha, withSeasonal] of settings) {
    const cal = calibrationFor(alpha, withSeasonal);
    const evidence = combineEvidence(cal, forecast, seasonal?.surprise);
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

/** Platt-scales the evidence on labelled training rows when they hold enough anomalies. */
function fitSurpriseLogistic(
  cal: SurpriseCalibration,
  evidence: Float64Array,
  labels: ReadonlyArray<0 | 1 | null>,
  isVal: Uint8Array
): void {
  const xs: number[] = [];
  const ys: Array<0 | 1> = [];
  let scored = 0;
  for (let t = 0; t < labels.length; t++) {
    const l = labels[t];
    if (isVal[t] || !Number.isFinite(evidence[t])) {
      continue;
    }
    scored++;
    if (l !== null) {
      xs.push(evidence[t]);
      ys.push(l);
    }
  }
  const positives = ys.filter((y) => y === 1).length;
  const negatives = xs.length - positives;
  if (positives < MIN_PLATT_POSITIVES || negatives < MIN_PLATT_POSITIVES) {
    return;
  }
  cal.logistic = { ...priorShifted(fitLogistic(xs, ys), positives, negatives, scored), fittedRows: xs.length };
}

/**
 * Operators label the hours they looked at (alarms, suggestions, incidents), so labelled rows hold far more
 * anomalies than the data; a logistic fitted on them carries that rate and alarms too often. Shifts its logit
 * by the data's prior odds, unlabelled rows taken as normal (no shift when every scored row is labelled).
 */
export function priorShifted(
  fit: { slope: number; intercept: number },
  positives: number,
  negatives: number,
  scored: number
): { slope: number; intercept: number } {
  const shift = Math.log(positives / (scored - positives)) - Math.log(positives / negatives);
  return { slope: fit.slope, intercept: round6(fit.intercept - shift / fit.slope) };
}

/**
 * With validation rows: in 'auto' mode, keeps the classifier only if it ranks held-out anomalies at least
 * about as well as the surprise alone (else turns it off in doc), and records the validation figures.
 */
export function chooseProbabilitySource(doc: ModelDocument, m: FeatureMatrix, data: TrainingData, auto: boolean): void {
  const rowLabels = validationRowIndices(data).map((t) => data.labels[t]);
  const positives = rowLabels.filter((l) => l === 1).length;
  const labelled = rowLabels.filter((l) => l !== null).length;
  let ap = validationAp(doc, m, data);
  const metrics: TrainingMetadata['metrics'] = {};
  if (auto && data.useClassifier && data.validationLabelsUsable) {
    const surpriseDoc = { ...doc, classifier: { ...doc.classifier, enabled: false, withSurprise: false } };
    const surpriseAp = validationAp(surpriseDoc, m, data);
    metrics.validationApClassifier = roundFigure(ap);
    metrics.validationApSurprise = roundFigure(surpriseAp);
    if (surpriseAp > ap + SURPRISE_ONLY_MARGIN) {
      doc.classifier.enabled = false;
      doc.classifier.withSurprise = false;
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
