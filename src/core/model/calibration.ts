/**
 * Calibration of the trained network (plain JS, no tfjs): the surprise's residual scale and null
 * distribution, its Platt scaling on labelled rows, and whether the classifier keeps its say.
 */
import type { FeatureMatrix } from '../featureMatrix';
import type { ModelDocument, TrainingMetadata } from './modelDocument';
import type { StreamOutput } from './network';
import type { PreparedInputs } from './preprocessing';
import {
  computeSurprise,
  fitLogistic,
  fitResidualScale,
  fitSurpriseCalibration,
  surpriseEvidence,
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

export interface SurpriseFit {
  calibration: SurpriseCalibration;
  calibratedOn: TrainingMetadata['calibratedOn'];
}

/** Residual scale and null distribution of the surprise on normal rows, then its Platt scaling. */
export function calibrateSurprise(data: TrainingData, stream: StreamOutput, aggregate: SurpriseAggregate): SurpriseFit {
  const { prep, labels, isVal } = data;
  const T = prep.steps;
  // Calibrate on held-out rows when there are enough: in-sample forecast errors are too small.
  const normal = (t: number) => labels[t] !== 1 && !prep.emptyRow[t];
  let normalVal = 0;
  for (let t = 1; t < T; t++) {
    normalVal += isVal[t] && normal(t) ? 1 : 0;
  }
  const calibrateOnValidation = normalVal >= MIN_CALIBRATION_ROWS;
  const normalRow = (t: number) => normal(t) && (!calibrateOnValidation || isVal[t] === 1);
  const residualScale = fitResidualScale(prep, stream, normalRow);
  const { surprise } = computeSurprise(prep, stream, residualScale, aggregate);
  const calibrationValues: number[] = [];
  for (let t = 1; t < T; t++) {
    if (normalRow(t)) {
      calibrationValues.push(surprise[t]);
    }
  }
  const calibration = fitSurpriseCalibration(calibrationValues, residualScale, aggregate);
  // The surprise gives (or shares) the probability whatever the labels: calibrate it on them.
  fitSurpriseLogistic(calibration, prep, stream, labels, isVal);
  return { calibration, calibratedOn: calibrateOnValidation ? 'validation' : 'all' };
}

/** Platt-scales the surprise on labelled training rows when they hold enough anomalies. */
function fitSurpriseLogistic(
  cal: SurpriseCalibration,
  prep: PreparedInputs,
  stream: StreamOutput,
  labels: ReadonlyArray<0 | 1 | null>,
  isVal: Uint8Array
): void {
  const { surprise } = computeSurprise(prep, stream, cal.residualScale, cal.aggregate);
  const xs: number[] = [];
  const ys: Array<0 | 1> = [];
  for (let t = 0; t < labels.length; t++) {
    const l = labels[t];
    if (l !== null && !isVal[t] && Number.isFinite(surprise[t])) {
      xs.push(surpriseEvidence(cal, surprise[t]));
      ys.push(l);
    }
  }
  const positives = ys.filter((y) => y === 1).length;
  if (positives >= MIN_PLATT_POSITIVES && xs.length - positives >= MIN_PLATT_POSITIVES) {
    cal.logistic = { ...fitLogistic(xs, ys), fittedRows: xs.length };
  }
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
