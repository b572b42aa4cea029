/** The contract every anomaly detector (baselines, LSTM) implements for evaluation. */
import type { FeatureMatrix } from '../featureMatrix';

export interface DetectorInput {
  matrix: FeatureMatrix;
  /** One per row of matrix; null = unknown (not "normal"). */
  labels: Array<0 | 1 | null>;
}

export interface Detector {
  readonly name: string;
  /** May be called again on the same instance: a new fit replaces all previous state. */
  fit(train: DetectorInput, opts?: { onProgress?: (msg: string) => void }): Promise<void>;
  /** One anomaly score per row of m (higher = more anomalous); NaN allowed only where the detector truly cannot score. */
  score(m: FeatureMatrix): Promise<Float64Array>;
}

/** Builds a fresh, unfitted detector (the CLI registry and evaluateDetectors use these). */
export type DetectorFactory = () => Detector;
