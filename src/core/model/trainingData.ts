/**
 * What training learns from: the validation rows held out, standardized inputs, whether the classifier
 * head trains (and its class weights), and the per-step targets of both heads.
 */
import type { FeatureMatrix } from '../featureMatrix';
import {
  fitPreprocessing,
  prepareInputs,
  type PreparedInputs,
  type PreprocessingOptions,
  type PreprocessingParams,
} from './preprocessing';

/**
 * Head (a) gives the probability only after this many anomalous labelled training steps in at
 * least MIN_ANOMALY_EVENTS separate runs; fewer labels teach a classifier one incident's look
 * (measurements: BENCHMARKS.md, "Model design history").
 */
export const MIN_ANOMALOUS_STEPS = 20;
export const MIN_ANOMALY_EVENTS = 5;
/** Upper bound on the positive class weight, so a handful of labels cannot dominate the loss. */
const MAX_POSITIVE_WEIGHT = 50;
/** Held-out anomalous steps, in at least MIN_VALIDATION_EVENTS runs, before validation judges the classifier. */
export const MIN_VALIDATION_ANOMALOUS_STEPS = 10;
export const MIN_VALIDATION_EVENTS = 2;

export interface TrainingSeries {
  matrix: FeatureMatrix;
  /** One per row; null = unknown (not normal). */
  labels: Array<0 | 1 | null>;
}

/**
 * Validation rows: every k-th chunk (k = 1 / fraction) of up to 4 windows, so held-out rows (and
 * their labels) are spread over the whole period instead of all being the most recent ones. None
 * when the series is too short to spare a chunk of at least C rows.
 */
export function validationRows(T: number, W: number, C: number, fraction: number): Uint8Array {
  const out = new Uint8Array(T);
  if (!(fraction > 0)) {
    return out;
  }
  const k = Math.max(2, Math.round(1 / fraction));
  const L = Math.min(4 * W, Math.floor(T / k));
  if (L < C || T - Math.ceil(T / (k * L)) * L < 2 * W) {
    return out;
  }
  for (let t = 0; t < T; t++) {
    if (Math.floor(t / L) % k === k - 1) {
      out[t] = 1;
    }
  }
  return out;
}

/** Runs of consecutive anomalous labels among rows [0, end). */
export function countAnomalyEvents(labels: ReadonlyArray<0 | 1 | null>, end = labels.length): number {
  let events = 0;
  for (let t = 0; t < end; t++) {
    if (labels[t] === 1 && (t === 0 || labels[t - 1] !== 1)) {
      events++;
    }
  }
  return events;
}

export interface Targets {
  clsTarget: Float32Array;
  /** 1 where the classifier loss applies (labelled row), scaled by the class weight. */
  clsWeight: Float32Array;
  /** [T, F] z[t + 1]; 0 where masked. */
  fcTarget: Float32Array;
  fcMask: Float32Array;
}

function buildTargets(
  prep: PreparedInputs,
  labels: ReadonlyArray<0 | 1 | null>,
  useClassifier: boolean,
  wPos: number,
  wNeg: number
): Targets {
  const { steps: T, features: F, z } = prep;
  const tg: Targets = {
    clsTarget: new Float32Array(T),
    clsWeight: new Float32Array(T),
    fcTarget: new Float32Array(T * F),
    fcMask: new Float32Array(T * F),
  };
  for (let t = 0; t < T; t++) {
    const l = labels[t];
    if (useClassifier && l !== null && !prep.emptyRow[t]) {
      tg.clsTarget[t] = l;
      tg.clsWeight[t] = l === 1 ? wPos : wNeg;
    }
    // Known-anomalous next steps are not "normal behaviour" for the forecaster to learn.
    if (t + 1 < T && labels[t + 1] !== 1) {
      for (let f = 0; f < F; f++) {
        const v = z[(t + 1) * F + f];
        if (!Number.isNaN(v)) {
          tg.fcTarget[t * F + f] = v;
          tg.fcMask[t * F + f] = 1;
        }
      }
    }
  }
  return tg;
}

export interface TrainingData {
  /** All labels as given (validation rows included). */
  labels: ReadonlyArray<0 | 1 | null>;
  /** 1 = validation row: no training window covers it. */
  isVal: Uint8Array;
  nVal: number;
  preprocessing: PreprocessingParams;
  prep: PreparedInputs;
  /** Counted on training rows only. */
  anomalousRows: number;
  labelledRows: number;
  anomalyEvents: number;
  useClassifier: boolean;
  /** log(wPos / wNeg): the logit shift that the class weights cause, undone when scoring. */
  logitOffset: number;
  /** Targets from the training rows' labels: what the fit learns. */
  train: Targets;
  /** Targets from all labels: what validation measures on its rows. */
  validation: Targets;
  /** Enough held-out anomalies for AP on validation rows to check the classifier against the surprise. */
  validationLabelsUsable: boolean;
}

export function prepareTrainingData(
  m: FeatureMatrix,
  labels: ReadonlyArray<0 | 1 | null>,
  windowSteps: number,
  contextSteps: number,
  opts: { validationFraction?: number; preprocessing?: PreprocessingOptions; useClassifier?: 'auto' | boolean }
): TrainingData {
  const T = m.times.length;
  const isVal = validationRows(T, windowSteps, contextSteps, opts.validationFraction ?? 0.2);
  const nVal = isVal.reduce((n, v) => n + v, 0);
  // Labels the classifier may learn from: validation rows count as unknown (and break runs).
  const trainLabels = labels.map((l, t) => (isVal[t] ? null : l));

  // Feature statistics use no labels, so every given row may inform them.
  const preprocessing = fitPreprocessing(m, opts.preprocessing);
  const prep = prepareInputs(preprocessing, m);

  const anomalousRows = trainLabels.filter((l) => l === 1).length;
  const labelledRows = trainLabels.filter((l) => l !== null).length;
  const anomalyEvents = countAnomalyEvents(trainLabels);
  const useClassifier =
    opts.useClassifier === undefined || opts.useClassifier === 'auto'
      ? anomalousRows >= MIN_ANOMALOUS_STEPS && anomalyEvents >= MIN_ANOMALY_EVENTS
      : opts.useClassifier && anomalousRows > 0 && labelledRows > anomalousRows;
  // Balanced class weights (mean weight 1 over labelled rows), positive side capped.
  const wPos = useClassifier ? Math.min(MAX_POSITIVE_WEIGHT, labelledRows / (2 * anomalousRows)) : 1;
  const wNeg = useClassifier ? labelledRows / (2 * (labelledRows - anomalousRows)) : 1;
  // A few held-out anomalies make a noisy loss: then early stopping and the source choice ignore them.
  const valLabels = labels.map((l, t) => (isVal[t] ? l : null));
  return {
    labels,
    isVal,
    nVal,
    preprocessing,
    prep,
    anomalousRows,
    labelledRows,
    anomalyEvents,
    useClassifier,
    logitOffset: Math.log(wPos / wNeg),
    train: buildTargets(prep, trainLabels, useClassifier, wPos, wNeg),
    validation: buildTargets(prep, labels, useClassifier, wPos, wNeg),
    validationLabelsUsable:
      valLabels.filter((l) => l === 1).length >= MIN_VALIDATION_ANOMALOUS_STEPS &&
      countAnomalyEvents(valLabels) >= MIN_VALIDATION_EVENTS,
  };
}
