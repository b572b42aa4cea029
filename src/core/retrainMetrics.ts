/**
 * Before/after figures for a retrained model on the labelled hours training held out, so an operator
 * can judge a model before publishing it. Pure: the datasource computes them, the panel shows them.
 */
import { averagePrecision } from './model/metrics';

export interface HeldOutMetrics {
  /** Held-out rows with a label and a score. */
  rows: number;
  anomalous: number;
  /** Average precision (NaN without a held-out anomalous row). */
  ap: number;
  precision: number;
  recall: number;
  accuracy: number;
}

/** Metrics over rows where heldOut[t] = 1, a label exists and the probability is finite. */
export function heldOutMetrics(
  probability: ArrayLike<number>,
  labels: ReadonlyArray<0 | 1 | null>,
  heldOut: ArrayLike<number>,
  threshold: number
): HeldOutMetrics {
  const scores: number[] = [];
  const ys: Array<0 | 1> = [];
  for (let t = 0; t < labels.length; t++) {
    const y = labels[t];
    if (heldOut[t] && y !== null && Number.isFinite(probability[t])) {
      scores.push(probability[t]);
      ys.push(y);
    }
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  scores.forEach((p, i) => {
    const hit = p >= threshold;
    tp += hit && ys[i] === 1 ? 1 : 0;
    fp += hit && ys[i] === 0 ? 1 : 0;
    fn += !hit && ys[i] === 1 ? 1 : 0;
  });
  const rows = scores.length;
  return {
    rows,
    anomalous: ys.filter((y) => y === 1).length,
    ap: averagePrecision(scores, ys),
    precision: tp + fp > 0 ? tp / (tp + fp) : NaN,
    recall: tp + fn > 0 ? tp / (tp + fn) : NaN,
    accuracy: rows > 0 ? (rows - fp - fn) / rows : NaN,
  };
}
