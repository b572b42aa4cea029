/**
 * Trains the two-head LSTM on a labelled series and returns the model document. The steps live in
 * their own modules: trainingData (rows, targets), fitLoop (tfjs), validation, calibration,
 * trainedDocument. What was tried and measured on the way: BENCHMARKS.md, "Model design history".
 *
 * How training matches inference (see network.ts): every training sample is a window of 2·C steps
 * that starts from a zero LSTM state, with a loss at every window position. Inference scores step t
 * with the zero-reset stream whose window position at t is ≥ C, so every output the scorer uses is
 * an output the loss trained, computed from the same starting state. Validation and calibration run
 * the real scorer (streamForward) on the float16-rounded weights that the document stores.
 */
import { assertFeatureMatrix } from '../featureMatrix';
import { calibrateSurprise, chooseProbabilitySource } from './calibration';
import { fitNetwork, type TrainProgress } from './fitLoop';
import { roundToFloat16 } from './float16';
import type { ModelDocument } from './modelDocument';
import { flattenWeights, streamForward, unflattenWeights, type NetworkConfig } from './network';
import type { PreprocessingOptions } from './preprocessing';
import type { SurpriseAggregate } from './surprise';
import { buildModelDocument } from './trainedDocument';
import { prepareTrainingData, type TrainingSeries } from './trainingData';
import { validateModel } from './validation';

export { SURPRISE_ONLY_MARGIN } from './calibration';
export { TrainingAbortedError, type TrainProgress } from './fitLoop';
export {
  MIN_ANOMALOUS_STEPS,
  MIN_ANOMALY_EVENTS,
  MIN_VALIDATION_ANOMALOUS_STEPS,
  MIN_VALIDATION_EVENTS,
  countAnomalyEvents,
  validationRows,
  type TrainingSeries,
} from './trainingData';

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
  /** Over features; default: 'mean', or whichever of 'mean' and 'minp' ranks the labelled rows better. */
  surpriseAggregate?: SurpriseAggregate;
  /**
   * 'auto' (default): the classifier, averaged with the calibrated surprise, when training labels reach
   * MIN_ANOMALOUS_STEPS / MIN_ANOMALY_EVENTS and held-out anomalies (MIN_VALIDATION_ANOMALOUS_STEPS in
   * MIN_VALIDATION_EVENTS) show it ranks them about as well as the surprise alone. true/false force it.
   */
  useClassifier?: 'auto' | boolean;
  featureSources?: string[];
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
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
  const settings = {
    epochs: opts.epochs ?? 30,
    batchSize: opts.batchSize ?? 32,
    learningRate: opts.learningRate ?? 3e-3,
    dropout: opts.dropout ?? 0.1,
    seed: opts.seed ?? 1,
  };
  const forecastWeight = opts.forecastWeight ?? 1;
  if (T < 2 * W) {
    throw new Error(`need at least ${2 * W} rows (2 windows of 2 × ${C} steps) to train, got ${T}`);
  }

  const data = prepareTrainingData(m, series.labels, W, C, opts);
  const fit = await fitNetwork(
    cfg,
    data,
    {
      ...settings,
      patience: opts.patience ?? 5,
      stride: Math.max(1, Math.round(opts.stride ?? C / 2)),
      forecastWeight,
      signal: opts.signal,
      onProgress: opts.onProgress,
    },
    data.nVal > 0 ? (w) => validateModel(cfg, w, data, forecastWeight) : undefined
  );

  // What the document stores is what we calibrate and validate with.
  const weights = unflattenWeights(cfg, roundToFloat16(flattenWeights(fit.weights)));
  const stream = streamForward(cfg, weights, data.prep.inputs, T);
  const surprise = calibrateSurprise(data, stream, opts.surpriseAggregate, {
    stepMs: m.stepMs,
    contextSteps: C,
  });
  const doc = buildModelDocument(cfg, m, opts.featureSources, data, weights, surprise, {
    settings,
    epochsRun: fit.epochsRun,
    bestEpoch: fit.bestEpoch,
    history: fit.history,
  });
  chooseProbabilitySource(doc, m, data, opts.useClassifier === undefined || opts.useClassifier === 'auto');
  return doc;
}
