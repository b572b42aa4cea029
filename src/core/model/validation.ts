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
  loss: number;
  forecastMse: number;
  ap?: number;
}

/**
 * The training loss (forecast MSE, plus the classifier's weighted BCE when validation labels are usable)
 * and the classifier's AP on the validation rows, from a stream over the whole series.
 */
export function validateModel(
  cfg: NetworkConfig,
  w: NetworkWeights,
  data: TrainingData,
  forecastWeight: number
): ValidationFigures {
  const { prep, labels, isVal: rows, useClassifier, logitOffset } = data;
  const tg = data.validation;
  const classifierInLoss = useClassifier && data.validationLabelsUsable;
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
  const ev: ValidationFigures = { loss: forecastWeight * forecastMse + (classifierInLoss ? clsLoss : 0), forecastMse };
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
