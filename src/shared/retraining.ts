/**
 * The contract between the timeline panel and the GridSentinel datasource: the panel calls the instance
 * Grafana gives it through these types only, so it never bundles the datasource (or tfjs).
 */
import type { LabelRange } from '../core/labels';
import type { ModelDocument } from '../core/model/modelDocument';
import type { TrainProgress } from '../core/model/train';
import type { HeldOutMetrics } from '../core/retrainMetrics';

export interface RetrainRequest {
  fromMs: number;
  toMs: number;
  /** Operator labels (src/core/labels.ts) covering the range. */
  labels: readonly LabelRange[];
  epochs?: number;
  threshold?: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
}

export interface RetrainResult {
  doc: ModelDocument;
  /** Labelled hours in the range. */
  anomalousHours: number;
  normalHours: number;
  /** The current model and the retrained one on the labelled hours training held out. */
  before: HeldOutMetrics | null;
  after: HeldOutMetrics;
  /** tfjs backend training ran on (in the training worker). */
  backend: string;
}

/** What the panel needs from the GridSentinel datasource instance. */
export interface RetrainingDataSource {
  trainFromLabels(req: RetrainRequest): Promise<RetrainResult>;
  publishModel(doc: RetrainResult['doc']): Promise<void>;
  rollbackModel(): Promise<void>;
}

export function isRetrainingDataSource(ds: unknown): ds is RetrainingDataSource {
  const d = ds as Partial<RetrainingDataSource> | null;
  return (
    typeof d?.trainFromLabels === 'function' &&
    typeof d?.publishModel === 'function' &&
    typeof d?.rollbackModel === 'function'
  );
}
