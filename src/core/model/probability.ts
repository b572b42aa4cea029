/** Probability at or above which a step alarms, unless a query, panel or alert rule says otherwise. */
export const DEFAULT_THRESHOLD = 0.5;

/**
 * Logit → probability for scores that are ranked (best F1, AP, thresholds). The logistic function
 * rounds to exactly 1 in float64 from a logit of about 37 (and to 0 below about −745), so strong alarms
 * would tie with each other and lose their order. Above p = 0.999 this keeps p strictly increasing
 * instead: p = 1 − 0.001 / (1 + z − z₀), continuous with the logistic at z₀ (value and slope agree to
 * 0.1 %); below p = 0.001 the mirror image; in between, the logistic itself.
 */
const Z0 = Math.log(999); // logistic(Z0) = 0.999

export function orderedProbability(z: number): number {
  if (z > Z0) {
    return 1 - 0.001 / (1 + (z - Z0));
  }
  if (z < -Z0) {
    return 0.001 / (1 + (-Z0 - z));
  }
  return 1 / (1 + Math.exp(-z));
}
