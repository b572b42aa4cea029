/**
 * The versioned JSON a trained model is stored as (dashboard JSON, files, the CLI). Weights are
 * float16 base64: ~8,000 parameters for 13 features × 32 units fit in ~21 KB of text.
 */
import type { FeatureMatrix } from '../featureMatrix';
import { decodeFloat16Base64, encodeFloat16Base64 } from './float16';
import {
  WEIGHT_NAMES,
  flattenWeights,
  parameterCount,
  unflattenWeights,
  type NetworkConfig,
  type NetworkWeights,
} from './network';
import { validatePreprocessing, type FeatureTransform, type PreprocessingParams } from './preprocessing';
import { QUANTILE_LEVELS, type FeatureNull, type SurpriseCalibration } from './surprise';
import { DAY_MS } from '../time';

export const MODEL_FORMAT = 'gridsentinel-lstm';
export const MODEL_FORMAT_VERSION = 1;

export interface EpochRecord {
  epoch: number;
  loss: number;
  validationLoss?: number;
  validationAp?: number;
}

export interface TrainingMetadata {
  seed: number;
  epochs: number;
  epochsRun: number;
  bestEpoch: number;
  batchSize: number;
  learningRate: number;
  dropout: number;
  /** First and last row given (ISO); validation rows are chunks spread over that period. */
  trainFrom: string;
  trainUntil: string;
  trainRows: number;
  validationRows: number;
  /** Rows the surprise calibration came from: held-out validation rows, or all rows when too few. */
  calibratedOn: 'validation' | 'all';
  /**
   * How the surprise's smoothing and seasonal part were set: by the AP they gave on the labelled rows
   * (surpriseLabelledAp), or the default without labels. Absent in documents from before the choice.
   */
  surpriseChosenBy?: 'labels' | 'default';
  surpriseLabelledAp?: number;
  labelledRows: number;
  anomalousRows: number;
  anomalyEvents: number;
  history: EpochRecord[];
  /** Validation figures of the final model (probability as it will be scored). */
  metrics: {
    validationAp?: number;
    /** Both sources on validation when it had enough anomalies; the better one was kept. */
    validationApClassifier?: number;
    validationApSurprise?: number;
    validationAnomalousRows?: number;
    validationAnomalyRate?: number;
  };
}

export interface ModelDocument {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  architecture: {
    type: 'lstm-two-head';
    units: number;
    contextSteps: number;
    windowSteps: number;
    inputChannels: number;
    recurrentActivation: 'sigmoid';
    parameters: number;
  };
  features: string[];
  featureSources?: string[];
  stepMs: number;
  preprocessing: { transform: FeatureTransform[]; center: number[]; scale: number[]; clip: number };
  weights: { dtype: 'float16'; encoding: 'base64'; order: string[]; count: number; data: string };
  classifier: {
    /** True when head (a) gives the probability; otherwise the calibrated surprise does. */
    enabled: boolean;
    /**
     * With enabled: the probability is the mean of the classifier's and the calibrated surprise's, so
     * an outage unlike every labelled one still counts. Absent in documents from before it existed
     * (classifier alone).
     */
    withSurprise?: boolean;
    /** Subtracted from the logit to undo the class weighting of training. */
    logitOffset: number;
    anomalousRows: number;
    anomalyEvents: number;
  };
  surprise: SurpriseCalibration;
  training: TrainingMetadata;
}

export class ModelDocumentError extends Error {}

/** A validated document with its weights decoded. */
export interface LoadedModel {
  doc: ModelDocument;
  cfg: NetworkConfig;
  weights: NetworkWeights;
  preprocessing: PreprocessingParams;
}

export function encodeWeights(w: NetworkWeights): ModelDocument['weights'] {
  const flat = flattenWeights(w);
  return {
    dtype: 'float16',
    encoding: 'base64',
    order: [...WEIGHT_NAMES],
    count: flat.length,
    data: encodeFloat16Base64(flat),
  };
}

function fail(msg: string): never {
  throw new ModelDocumentError(`invalid model: ${msg}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses (if given text) and validates a model document; throws ModelDocumentError with the reason. */
export function loadModel(input: string | unknown): LoadedModel {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (err) {
      fail(`not JSON (${(err as Error).message})`);
    }
  }
  if (!isObject(raw) || raw.format !== MODEL_FORMAT) {
    fail(`not a GridSentinel model (expected "format": "${MODEL_FORMAT}")`);
  }
  if (raw.formatVersion !== MODEL_FORMAT_VERSION) {
    fail(
      `formatVersion ${JSON.stringify(raw.formatVersion)} is not supported (this version reads ${MODEL_FORMAT_VERSION}); retrain or upgrade GridSentinel`
    );
  }
  const doc = raw as unknown as ModelDocument;
  const a = doc.architecture;
  if (!isObject(a) || a.type !== 'lstm-two-head' || a.recurrentActivation !== 'sigmoid') {
    fail('architecture must be an lstm-two-head with sigmoid recurrent activation');
  }
  for (const k of ['units', 'contextSteps'] as const) {
    if (!Number.isInteger(a[k]) || a[k] < 1) {
      fail(`architecture.${k} must be a positive integer`);
    }
  }
  if (!Array.isArray(doc.features) || doc.features.length === 0 || doc.features.some((f) => typeof f !== 'string')) {
    fail('features must be a non-empty list of names');
  }
  if (!Number.isInteger(doc.stepMs) || doc.stepMs <= 0) {
    fail('stepMs must be a positive integer');
  }
  const cfg: NetworkConfig = { features: doc.features.length, units: a.units, contextSteps: a.contextSteps };
  const preprocessing: PreprocessingParams = { features: doc.features.slice(), ...doc.preprocessing };
  try {
    validatePreprocessing(preprocessing, doc.features);
  } catch (err) {
    fail((err as Error).message);
  }
  const w = doc.weights;
  if (!isObject(w) || w.dtype !== 'float16' || w.encoding !== 'base64' || typeof w.data !== 'string') {
    fail('weights must be float16 base64');
  }
  if (JSON.stringify(w.order) !== JSON.stringify(WEIGHT_NAMES)) {
    fail(`weights.order must be ${WEIGHT_NAMES.join(', ')}`);
  }
  let flat: Float32Array;
  try {
    flat = decodeFloat16Base64(w.data);
  } catch (err) {
    fail((err as Error).message);
  }
  const expected = parameterCount(cfg);
  if (flat.length !== expected || w.count !== expected) {
    fail(
      `weights are corrupt: ${flat.length} values decoded (count says ${w.count}), ${a.units} units × ${cfg.features} features need ${expected}`
    );
  }
  if (flat.some((v) => !Number.isFinite(v))) {
    fail('weights are corrupt: non-finite values');
  }
  const s = doc.surprise;
  if (
    !isObject(s) ||
    !Array.isArray(s.residualScale) ||
    s.residualScale.length !== cfg.features ||
    !Array.isArray(s.quantiles) ||
    !Array.isArray(s.quantileLevels) ||
    s.quantiles.length !== s.quantileLevels.length ||
    !isObject(s.tail) ||
    !isObject(s.logistic)
  ) {
    fail('surprise calibration is missing or has the wrong shape');
  }
  checkAggregate(s, cfg.features, 'surprise');
  if (s.smoothing !== undefined) {
    const sm = s.smoothing;
    if (!isObject(sm) || !(sm.alpha > 0 && sm.alpha <= 1) || !Number.isInteger(sm.steps) || sm.steps < 1) {
      fail('surprise.smoothing must give alpha in (0, 1] and a positive whole number of steps');
    }
  }
  if (s.seasonal !== undefined) {
    const se = s.seasonal;
    if (
      !isObject(se) ||
      !Number.isInteger(se.periodSteps) ||
      se.periodSteps < 2 ||
      !Number.isInteger(se.days) ||
      se.days < 1 ||
      !Array.isArray(se.scale) ||
      se.scale.length !== cfg.features ||
      !se.scale.every((v) => Number.isFinite(v) && v > 0) ||
      !Array.isArray(se.quantiles) ||
      !Array.isArray(se.quantileLevels) ||
      se.quantiles.length !== se.quantileLevels.length ||
      !isObject(se.tail)
    ) {
      fail('surprise.seasonal has the wrong shape (periodSteps, days, a positive scale per feature, quantiles, tail)');
    }
    checkAggregate(se, cfg.features, 'surprise.seasonal');
    if (se.periodSteps * doc.stepMs !== DAY_MS) {
      fail(`surprise.seasonal.periodSteps ${se.periodSteps} × stepMs ${doc.stepMs} is not one day`);
    }
  }
  if (!isObject(doc.classifier) || typeof doc.classifier.enabled !== 'boolean') {
    fail('classifier section is missing');
  }
  return { doc, cfg, weights: unflattenWeights(cfg, flat), preprocessing };
}

function isFeatureNull(x: unknown): boolean {
  const n = x as FeatureNull;
  return (
    isObject(n) &&
    Array.isArray(n.quantiles) &&
    n.quantiles.length === QUANTILE_LEVELS.length &&
    n.quantiles.every(Number.isFinite) &&
    isObject(n.tail) &&
    n.tail.meanExcess > 0 &&
    (n.downShare === undefined || (n.downShare > 0 && n.downShare < 1))
  );
}

/** An aggregate this scorer knows, and for 'minp' a null distribution per feature. */
function checkAggregate(part: { aggregate?: unknown; featureNulls?: unknown }, features: number, name: string): void {
  if (part.aggregate !== undefined && !['mean', 'max', 'minp'].includes(part.aggregate as string)) {
    fail(`${name}.aggregate must be mean, max or minp, not ${JSON.stringify(part.aggregate)}`);
  }
  const nulls = part.featureNulls;
  if (part.aggregate === 'minp' && !(Array.isArray(nulls) && nulls.length === features && nulls.every(isFeatureNull))) {
    fail(
      `${name}.aggregate minp needs featureNulls: 20 quantiles, a tail and a downShare in (0, 1) if any, for each of ${features} features`
    );
  }
}

/** Throws a ModelDocumentError when the data cannot be scored by this model (features, order, step). */
export function checkCompatible(model: LoadedModel, m: FeatureMatrix): void {
  const want = model.doc.features;
  if (want.length !== m.features.length || want.some((f, i) => f !== m.features[i])) {
    throw new ModelDocumentError(`model expects features [${want.join(', ')}], data has [${m.features.join(', ')}]`);
  }
  if (m.stepMs !== model.doc.stepMs) {
    throw new ModelDocumentError(
      `model was trained on ${model.doc.stepMs / 1000}s steps, data has ${m.stepMs / 1000}s steps`
    );
  }
}
