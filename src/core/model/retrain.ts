/**
 * Retraining from operator labels as the timeline runs it (in a Web Worker in the browser): train on the
 * labelled series, then score the current and the new model on the labelled rows training held out.
 */
import type { FeatureMatrix } from '../featureMatrix';
import { heldOutMetrics, type HeldOutMetrics } from '../retrainMetrics';
import { loadModel, type ModelDocument } from './modelDocument';
import { scoreSeries } from './score';
import { trainModel, validationRows, type TrainProgress } from './train';

export interface RetrainInput {
  matrix: FeatureMatrix;
  /** One per row; null = unlabelled. */
  labels: Array<0 | 1 | null>;
  /** The model in use, to compare against; null when it does not fit the matrix. */
  current: ModelDocument | null;
  threshold: number;
  epochs?: number;
}

export interface RetrainOutcome {
  doc: ModelDocument;
  before: HeldOutMetrics | null;
  after: HeldOutMetrics;
}

export async function retrainAndCompare(
  input: RetrainInput,
  opts: { signal?: AbortSignal; onProgress?: (p: TrainProgress) => void } = {}
): Promise<RetrainOutcome> {
  const { matrix, labels, threshold } = input;
  const doc = await trainModel({ matrix, labels }, { epochs: input.epochs, ...opts });
  const C = doc.architecture.contextSteps;
  // The same rows trainModel held out (its default validation share).
  const heldOut = validationRows(matrix.times.length, 2 * C, C, 0.2);
  const metrics = (d: ModelDocument) =>
    heldOutMetrics(scoreSeries(loadModel(d), matrix).probability, labels, heldOut, threshold);
  return { doc, before: input.current ? metrics(input.current) : null, after: metrics(doc) };
}
