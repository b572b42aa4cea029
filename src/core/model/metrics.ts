/** The trainer's view of the evaluation metrics: a missing positive class is NaN, not an error. */
import { MetricsError, averagePrecision as evaluationAp, type Label } from '../evaluation/metrics';

/** Average precision over rows with a label and a finite score; NaN when there is no positive. */
export function averagePrecision(scores: ArrayLike<number>, labels: readonly Label[]): number {
  try {
    return evaluationAp(scores, labels);
  } catch (err) {
    if (err instanceof MetricsError) {
      return NaN;
    }
    throw err;
  }
}
