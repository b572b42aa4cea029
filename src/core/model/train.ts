/**
 * Trains the two-head LSTM on a labelled series and returns the model document.
 *
 * How training matches inference (see network.ts): every training sample is a window of 2·C steps
 * that starts from a zero LSTM state, with a loss at every window position. Inference scores step t
 * with the zero-reset stream whose window position at t is ≥ C, so every output the scorer uses is
 * an output the loss trained, computed from the same starting state. Validation and calibration run
 * the real scorer (streamForward) on the float16-rounded weights that the document stores.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

import { assertFeatureMatrix, type FeatureMatrix } from '../featureMatrix';
import { Rng } from '../rng';
import { roundToFloat16 } from './float16';
import { averagePrecision } from './metrics';
import {
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  encodeWeights,
  loadModel,
  type EpochRecord,
  type ModelDocument,
  type TrainingMetadata,
} from './modelDocument';
import { buildLayers, readWeights } from './layers';
import {
  flattenWeights,
  parameterCount,
  streamForward,
  unflattenWeights,
  type NetworkConfig,
  type NetworkWeights,
  type StreamOutput,
} from './network';
import { fitPreprocessing, prepareInputs, type PreparedInputs, type PreprocessingOptions } from './preprocessing';
import { orderedProbability } from './probability';
import { scoreSeries } from './score';
import {
  computeSurprise,
  fitLogistic,
  fitResidualScale,
  fitSurpriseCalibration,
  surpriseEvidence,
  type SurpriseAggregate,
} from './surprise';

/**
 * Head (a) gives the probability only after this many anomalous labelled training steps in at
 * least MIN_ANOMALY_EVENTS separate runs; fewer labels teach a classifier one incident's look.
 * On ASD (2-4 labelled incidents per server) the classifier ranked the later incidents worse
 * than the calibrated surprise on 3 of 5 servers; the generator (25 incidents) favours it.
 */
export const MIN_ANOMALOUS_STEPS = 20;
export const MIN_ANOMALY_EVENTS = 5;
/** Upper bound on the positive class weight, so a handful of labels cannot dominate the loss. */
const MAX_POSITIVE_WEIGHT = 50;

export interface TrainingSeries {
  matrix: FeatureMatrix;
  /** One per row; null = unknown (not normal). */
  labels: Array<0 | 1 | null>;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  loss: number;
  forecastLoss: number;
  classifierLoss: number;
  validation?: { loss: number; forecastMse: number; ap?: number };
}

export interface TrainOptions {
  units?: number;
  contextSteps?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Dropout on the LSTM output before both heads (training only). */
  dropout?: number;
  seed?: number;
  /** Last share of the rows held out for early stopping and validation figures; default 0.2. */
  validationFraction?: number;
  /** Epochs without validation improvement before stopping; default 5. */
  patience?: number;
  /** Step between training window starts; default C / 2. */
  stride?: number;
  forecastWeight?: number;
  preprocessing?: PreprocessingOptions;
  surpriseAggregate?: SurpriseAggregate;
  /**
   * 'auto' (default): the classifier, averaged with the calibrated surprise, when training labels reach
   * MIN_ANOMALOUS_STEPS / MIN_ANOMALY_EVENTS, unless held-out anomalies show the surprise alone ranks them
   * better. true/false force it.
   */
  useClassifier?: 'auto' | boolean;
  featureSources?: string[];
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
}

/**
 * Validation AP by which the surprise alone must beat classifier + surprise to replace it. Held-out
 * anomalies are few (10-20 rows), so smaller differences are noise; the blend already halves a weak
 * classifier's say. (Chosen after seeing generator results, where the blend won on the test part in 3
 * of 4 splits: a selection-bias caveat.)
 */
export const SURPRISE_ONLY_MARGIN = 0.05;
/** Held-out anomalous steps, in at least MIN_VALIDATION_EVENTS runs, before validation judges the classifier. */
const MIN_VALIDATION_ANOMALOUS_STEPS = 10;
const MIN_VALIDATION_EVENTS = 2;
/** Labelled anomalous (and normal) training rows needed to fit the surprise → probability logistic. */
const MIN_PLATT_POSITIVES = 5;
/** Calibrate surprise on validation rows only when at least this many normal ones exist. */
const MIN_CALIBRATION_ROWS = 200;

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

export class TrainingAbortedError extends Error {
  constructor() {
    super('training aborted');
    this.name = 'AbortError';
  }
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

interface Targets {
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

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw new TrainingAbortedError();
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const r4 = (x: number) => Number(x.toPrecision(4));

interface Evaluation {
  loss: number;
  forecastMse: number;
  ap?: number;
}

/** Validation with the real scorer: rows [from, to) of a stream over the whole series. */
function evaluate(
  cfg: NetworkConfig,
  w: NetworkWeights,
  prep: PreparedInputs,
  tg: Targets,
  labels: ReadonlyArray<0 | 1 | null>,
  rows: Uint8Array,
  useClassifier: boolean,
  classifierInLoss: boolean,
  forecastWeight: number,
  logitOffset: number
): Evaluation {
  const out = streamForward(cfg, w, prep.inputs, prep.steps);
  const F = cfg.features;
  let se = 0;
  let n = 0;
  let bce = 0;
  let nl = 0;
  const probs: number[] = [];
  const rowLabels: Array<0 | 1 | null> = [];
  for (let t = 0; t < prep.steps; t++) {
    if (!rows[t]) {
      continue;
    }
    for (let f = 0; f < F; f++) {
      if (tg.fcMask[t * F + f]) {
        const d = out.forecasts[t * F + f] - tg.fcTarget[t * F + f];
        se += d * d;
        n++;
      }
    }
    const z = out.logits[t];
    probs.push(orderedProbability(z - logitOffset));
    rowLabels.push(labels[t]);
    if (tg.clsWeight[t] > 0) {
      const y = tg.clsTarget[t];
      bce += tg.clsWeight[t] * (Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))));
      nl++;
    }
  }
  const forecastMse = n > 0 ? se / n : 0;
  const clsLoss = nl > 0 ? bce / nl : 0;
  const ev: Evaluation = { loss: forecastWeight * forecastMse + (classifierInLoss ? clsLoss : 0), forecastMse };
  if (useClassifier) {
    const ap = averagePrecision(probs, rowLabels);
    if (Number.isFinite(ap)) {
      ev.ap = ap;
    }
  }
  return ev;
}

/** Platt-scales the surprise on labelled training rows when they hold enough anomalies. */
function fitSurpriseLogistic(
  doc: ModelDocument,
  prep: PreparedInputs,
  stream: StreamOutput,
  labels: ReadonlyArray<0 | 1 | null>,
  isVal: Uint8Array
): void {
  const cal = doc.surprise;
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

export async function trainModel(series: TrainingSeries, opts: TrainOptions = {}): Promise<ModelDocument> {
  const m = assertFeatureMatrix(series.matrix);
  const T = m.times.length;
  if (series.labels.length !== T) {
    throw new Error(`labels has ${series.labels.length} entries, the matrix ${T} rows`);
  }
  const cfg: NetworkConfig = {
    features: m.features.length,
    units: opts.units ?? 32,
    contextSteps: opts.contextSteps ?? 24,
  };
  const C = cfg.contextSteps;
  const W = 2 * C;
  const epochs = opts.epochs ?? 30;
  const batchSize = opts.batchSize ?? 32;
  const learningRate = opts.learningRate ?? 3e-3;
  const dropout = opts.dropout ?? 0.1;
  const seed = opts.seed ?? 1;
  const patience = opts.patience ?? 5;
  const stride = Math.max(1, Math.round(opts.stride ?? C / 2));
  const forecastWeight = opts.forecastWeight ?? 1;
  const aggregate = opts.surpriseAggregate ?? 'mean';
  if (T < 2 * W) {
    throw new Error(`need at least ${2 * W} rows (2 windows of 2 × ${C} steps) to train, got ${T}`);
  }

  const labels = series.labels;
  const isVal = validationRows(T, W, C, opts.validationFraction ?? 0.2);
  const nVal = isVal.reduce((n, v) => n + v, 0);
  const Ttrain = T - nVal;
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
  const logitOffset = Math.log(wPos / wNeg);
  const tg = buildTargets(prep, trainLabels, useClassifier, wPos, wNeg);
  // A few held-out anomalies make a noisy loss: then early stopping and the source choice ignore them.
  const valLabels = labels.map((l, t) => (isVal[t] ? l : null));
  const validationLabelsUsable =
    valLabels.filter((l) => l === 1).length >= MIN_VALIDATION_ANOMALOUS_STEPS &&
    countAnomalyEvents(valLabels) >= MIN_VALIDATION_EVENTS;
  const valTargets = buildTargets(prep, labels, useClassifier, wPos, wNeg);

  // valBefore[t] = validation rows before t, so a window [s, s + W) is all training rows when equal at both ends.
  const valBefore = new Int32Array(T + 1);
  for (let t = 0; t < T; t++) {
    valBefore[t + 1] = valBefore[t] + isVal[t];
  }
  const rng = new Rng(`train/${seed}`);
  const layers = buildLayers(cfg, seed);
  const variables = [layers.lstm, layers.cls, layers.fc].flatMap((l) =>
    l.trainableWeights.map((v) => v.read() as tf.Variable)
  );
  const optimizer = tf.train.adam(learningRate);
  const I = 2 * cfg.features;
  const F = cfg.features;
  const history: EpochRecord[] = [];
  let best: { score: number; epoch: number; weights: NetworkWeights } | null = null;
  let sinceBest = 0;
  let epochsRun = 0;
  let dropoutSeed = seed * 1000003;

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      checkAbort(opts.signal);
      const offset = rng.int(0, stride - 1);
      const starts: number[] = [];
      for (let s = offset; s + W <= T; s += stride) {
        if (valBefore[s + W] === valBefore[s]) {
          starts.push(s);
        }
      }
      for (let i = starts.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [starts[i], starts[j]] = [starts[j], starts[i]];
      }
      if (starts.length === 0) {
        throw new Error(
          `no training window of ${W} steps fits between the validation rows; give more data or a shorter context`
        );
      }
      let lossSum = 0;
      let fcSum = 0;
      let clsSum = 0;
      let batches = 0;
      for (let b = 0; b < starts.length; b += batchSize) {
        checkAbort(opts.signal);
        const batch = starts.slice(b, b + batchSize);
        const B = batch.length;
        const x = new Float32Array(B * W * I);
        const yc = new Float32Array(B * W);
        const wc = new Float32Array(B * W);
        const yf = new Float32Array(B * W * F);
        const mf = new Float32Array(B * W * F);
        batch.forEach((s, k) => {
          x.set(prep.inputs.subarray(s * I, (s + W) * I), k * W * I);
          yc.set(tg.clsTarget.subarray(s, s + W), k * W);
          wc.set(tg.clsWeight.subarray(s, s + W), k * W);
          yf.set(tg.fcTarget.subarray(s * F, (s + W) * F), k * W * F);
          mf.set(tg.fcMask.subarray(s * F, (s + W) * F), k * W * F);
        });
        const nCls = wc.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
        const nFc = mf.reduce((n, v) => n + v, 0);
        const dSeed = dropoutSeed++;
        const parts = tf.tidy(() => {
          const xt = tf.tensor3d(x, [B, W, I]);
          const yct = tf.tensor2d(yc, [B, W]);
          const wct = tf.tensor2d(wc, [B, W]);
          const yft = tf.tensor3d(yf, [B, W, F]);
          const mft = tf.tensor3d(mf, [B, W, F]);
          let clsLoss: tf.Scalar = tf.scalar(0);
          let fcLoss: tf.Scalar = tf.scalar(0);
          const total = optimizer.minimize(
            () => {
              const h = layers.lstm.apply(xt) as tf.Tensor3D;
              const hd = dropout > 0 ? tf.dropout(h, dropout, undefined, dSeed) : h;
              const logits = tf.reshape(layers.cls.apply(hd) as tf.Tensor, [B, W]);
              const fc = layers.fc.apply(hd) as tf.Tensor3D;
              // Numerically stable weighted BCE on logits, averaged over labelled positions.
              const bce = tf.add(
                tf.sub(tf.relu(logits), tf.mul(logits, yct)),
                tf.log1p(tf.exp(tf.neg(tf.abs(logits))))
              );
              clsLoss = tf.keep(tf.div(tf.sum(tf.mul(bce, wct)), Math.max(1, nCls)));
              fcLoss = tf.keep(tf.div(tf.sum(tf.mul(tf.square(tf.sub(fc, yft)), mft)), Math.max(1, nFc)));
              return tf.add(tf.mul(fcLoss, forecastWeight), useClassifier ? clsLoss : 0) as tf.Scalar;
            },
            true,
            variables
          );
          return [total!, clsLoss, fcLoss];
        });
        const [total, cl, fl] = await Promise.all(parts.map((p) => p.data()));
        tf.dispose(parts);
        lossSum += total[0];
        clsSum += cl[0];
        fcSum += fl[0];
        batches++;
        if (batches % 4 === 0) {
          await yieldToEventLoop();
        }
      }
      epochsRun = epoch;
      const loss = lossSum / Math.max(1, batches);
      const weights = readWeights(layers);
      const progress: TrainProgress = {
        epoch,
        epochs,
        loss,
        forecastLoss: fcSum / Math.max(1, batches),
        classifierLoss: clsSum / Math.max(1, batches),
      };
      const record: EpochRecord = { epoch, loss: r4(loss) };
      let score = loss;
      if (nVal > 0) {
        const ev = evaluate(
          cfg,
          weights,
          prep,
          valTargets,
          labels,
          isVal,
          useClassifier,
          useClassifier && validationLabelsUsable,
          forecastWeight,
          logitOffset
        );
        progress.validation = ev;
        record.validationLoss = r4(ev.loss);
        if (ev.ap !== undefined) {
          record.validationAp = r4(ev.ap);
        }
        score = ev.loss;
      }
      history.push(record);
      opts.onProgress?.(progress);
      if (!Number.isFinite(score)) {
        throw new Error(`training diverged at epoch ${epoch} (loss ${score})`);
      }
      if (best === null || score < best.score - 1e-6) {
        best = { score, epoch, weights };
        sinceBest = 0;
      } else if (++sinceBest >= patience) {
        break;
      }
      await yieldToEventLoop();
    }
  } finally {
    optimizer.dispose();
    layers.model.dispose();
  }

  // What the document stores is what we calibrate and validate with.
  const weights = unflattenWeights(cfg, roundToFloat16(flattenWeights(best!.weights)));
  const stream = streamForward(cfg, weights, prep.inputs, T);
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

  const iso = (ms: number) => new Date(ms).toISOString();
  const doc: ModelDocument = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    architecture: {
      type: 'lstm-two-head',
      units: cfg.units,
      contextSteps: C,
      windowSteps: W,
      inputChannels: I,
      recurrentActivation: 'sigmoid',
      parameters: parameterCount(cfg),
    },
    features: m.features.slice(),
    ...(opts.featureSources ? { featureSources: opts.featureSources.slice() } : {}),
    stepMs: m.stepMs,
    preprocessing: {
      transform: preprocessing.transform,
      center: preprocessing.center,
      scale: preprocessing.scale,
      clip: preprocessing.clip,
    },
    weights: encodeWeights(weights),
    classifier: {
      enabled: useClassifier,
      withSurprise: useClassifier,
      logitOffset: Number(logitOffset.toPrecision(8)),
      anomalousRows,
      anomalyEvents,
    },
    surprise: fitSurpriseCalibration(calibrationValues, residualScale, aggregate),
    training: {
      seed,
      epochs,
      epochsRun,
      bestEpoch: best!.epoch,
      batchSize,
      learningRate,
      dropout,
      trainFrom: iso(m.times[0]),
      trainUntil: iso(m.times[T - 1]),
      trainRows: Ttrain,
      validationRows: nVal,
      calibratedOn: calibrateOnValidation ? 'validation' : 'all',
      labelledRows,
      anomalousRows,
      anomalyEvents,
      history,
      metrics: {},
    },
  };
  // The surprise gives (or shares) the probability whatever the labels: calibrate it on them.
  fitSurpriseLogistic(doc, prep, stream, labels, isVal);
  if (nVal > 0) {
    const valRows = Array.from(isVal.keys()).filter((t) => isVal[t]);
    const rowLabels = valRows.map((t) => labels[t]);
    const positives = rowLabels.filter((l) => l === 1).length;
    const labelled = rowLabels.filter((l) => l !== null).length;
    const valAp = (d: ModelDocument) => {
      const p = scoreSeries(loadModel(d), m).probability;
      return averagePrecision(
        valRows.map((t) => p[t]),
        rowLabels
      );
    };
    let ap = valAp(doc);
    const metrics: TrainingMetadata['metrics'] = {};
    const auto = opts.useClassifier === undefined || opts.useClassifier === 'auto';
    if (auto && useClassifier && validationLabelsUsable) {
      // Keep the classifier only if it ranks held-out anomalies at least as well as the surprise alone.
      const surpriseDoc = { ...doc, classifier: { ...doc.classifier, enabled: false, withSurprise: false } };
      const surpriseAp = valAp(surpriseDoc);
      metrics.validationApClassifier = r4(ap);
      metrics.validationApSurprise = r4(surpriseAp);
      if (surpriseAp > ap + SURPRISE_ONLY_MARGIN) {
        doc.classifier.enabled = false;
        doc.classifier.withSurprise = false;
        ap = surpriseAp;
      }
    }
    doc.training.metrics = {
      ...(Number.isFinite(ap) ? { validationAp: r4(ap) } : {}),
      ...metrics,
      validationAnomalousRows: positives,
      ...(labelled > 0 ? { validationAnomalyRate: r4(positives / labelled) } : {}),
    };
  }
  return doc;
}
