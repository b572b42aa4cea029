/**
 * Validation on the held-out rows with the real scorer (plain JS, no tfjs): per epoch on the weights
 * being fitted (early stopping), and on a finished document (the probability as it will be scored).
 */
import type { FeatureMatrix } from '../featureMatrix';
import { averagePrecision } from './metrics';
import { loadModel, type ModelDocument } from './modelDocument';
import { streamForward, type NetworkConfig, type NetworkWeights } from './network';
import { orderedProbability } from './probability';
import { scoreSeries } from './score';
import type { TrainingData } from './trainingData';

export interface ValidationFigures {
  /** What early stopping minimises: the weighted forecast MSE. */
  loss: number;
  forecastMse: number;
  /** The classifier head's AP, when it is trained. */
  ap?: number;
}

/**
 * The forecast loss and the classifier head's AP on the validation rows, from a stream over the whole series.
 * The classifier's BCE stays out of the loss: on the 10-20 held-out anomalous steps it overfits within a few
 * epochs, and early stopping on it stopped the forecaster, which gives the surprise (the probability of most
 * models), too soon (generator seeds 1-8: BENCHMARKS.md, "Model design history").
 */
export function validateModel(
  cfg: NetworkConfig,
  w: NetworkWeights,
  data: TrainingData,
  forecastWeight: number
): ValidationFigures {
  const { prep, labels, isVal: rows, useClassifier, logitOffset } = data;
  const tg = data.validation;
  const out = streamForward(cfg, w, prep.inputs, prep.steps);
  const F = cfg.features;
  let se = 0;
  let n = 0;
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
  }
  const forecastMse = n > 0 ? se / n : 0;
  const ev: ValidationFigures = { loss: forecastWeight * forecastMse, forecastMse };
  if (useClassifier) {
    const ap = averagePrecision(probs, rowLabels);
    if (Number.isFinite(ap)) {
      ev.ap = ap;
    }
  }
  return ev;
}

/** AP of a document's probability (as scoreSeries gives it) on the validation rows; NaN without anomalies. */
export function validationAp(doc: ModelDocument, m: FeatureMatrix, data: TrainingData): number {
  const rows = validationRowIndices(data);
  const p = scoreSeries(loadModel(doc), m).probability;
  return averagePrecision(
    rows.map((t) => p[t]),
    rows.map((t) => data.labels[t])
  );
}

export function validationRowIndices(data: TrainingData): number[] {
  return Array.from(data.isVal.keys()).filter((t) => data.isVal[t]);
}
