/** The model document a training run produces (format: modelDocument.ts). */
import type { FeatureMatrix } from '../featureMatrix';
import {
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  encodeWeights,
  type EpochRecord,
  type ModelDocument,
  type TrainingMetadata,
} from './modelDocument';
import { parameterCount, type NetworkConfig, type NetworkWeights } from './network';
import type { SurpriseFit } from './calibration';
import type { TrainingData } from './trainingData';

/** Figures the document records (losses, AP) keep 4 significant digits. */
export const roundFigure = (x: number) => Number(x.toPrecision(4));

export interface TrainingRun {
  /** As the fit ran them (defaults applied). */
  settings: Pick<TrainingMetadata, 'seed' | 'epochs' | 'batchSize' | 'learningRate' | 'dropout'>;
  epochsRun: number;
  bestEpoch: number;
  history: EpochRecord[];
}

export function buildModelDocument(
  cfg: NetworkConfig,
  m: FeatureMatrix,
  featureSources: string[] | undefined,
  data: TrainingData,
  /** float16-rounded: what the document stores is what calibration and validation used. */
  weights: NetworkWeights,
  surprise: SurpriseFit,
  run: TrainingRun
): ModelDocument {
  const C = cfg.contextSteps;
  const T = m.times.length;
  const { preprocessing, useClassifier, logitOffset, anomalousRows, anomalyEvents } = data;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    architecture: {
      type: 'lstm-two-head',
      units: cfg.units,
      contextSteps: C,
      windowSteps: 2 * C,
      inputChannels: 2 * cfg.features,
      recurrentActivation: 'sigmoid',
      parameters: parameterCount(cfg),
    },
    features: m.features.slice(),
    ...(featureSources ? { featureSources: featureSources.slice() } : {}),
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
    surprise: surprise.calibration,
    training: {
      seed: run.settings.seed,
      epochs: run.settings.epochs,
      epochsRun: run.epochsRun,
      bestEpoch: run.bestEpoch,
      batchSize: run.settings.batchSize,
      learningRate: run.settings.learningRate,
      dropout: run.settings.dropout,
      trainFrom: iso(m.times[0]),
      trainUntil: iso(m.times[T - 1]),
      trainRows: T - data.nVal,
      validationRows: data.nVal,
      calibratedOn: surprise.calibratedOn,
      surpriseChosenBy: surprise.choice.chosenBy,
      ...(surprise.choice.ap !== undefined ? { surpriseLabelledAp: surprise.choice.ap } : {}),
      labelledRows: data.labelledRows,
      anomalousRows,
      anomalyEvents,
      history: run.history,
      metrics: {},
    },
  };
}
