export interface TimelineOptions {
  /** Probability at or above which an hour counts as anomalous. */
  threshold: number;
}
