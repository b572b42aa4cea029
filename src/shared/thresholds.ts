/** Probability at or above which an hour counts as anomalous, unless a query or panel says otherwise. */
export const DEFAULT_THRESHOLD = 0.5;
