/**
 * Evaluation protocols (how a labelled series is cut into what a detector may learn from and what it is
 * judged on) and the loop that fits, scores and measures detectors on those cuts.
 */
export * from './splits';
export * from './runner';
export * from './summary';
export * from './report';
export * from './feedback';
