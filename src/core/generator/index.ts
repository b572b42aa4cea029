import type { LabelledSeries } from '../io/labelledSeries';
import { generateGrid, type GeneratedGrid } from './simulate';
import type { GeneratorOptions } from './options';
import { gridFeatureMatrix } from './views';
import { DEFAULT_FEATURE_NAMES } from '../htcondor/eventTypes';

export { generateGrid, type GeneratedGrid } from './simulate';
export { DEFAULT_RATES, resolveHours, type BaselineRates, type GeneratorOptions } from './options';
export { GENERATED_EVENT_TYPES } from './events';
export { apportion } from './matchmaking';
export type { GridContext } from './record';
export { gridEventCount, gridFeatureMatrix } from './views';
export * from './outages';
export * from './profiles';
export { Rng, hashString } from '../rng';

/**
 * Scale of the seeded demo: ~270-280 events/hour, so 150 days at seed 1 are about one million
 * Elasticsearch documents (997,332 from 2024-01-01; 963,557 for the 150 days before 2026-11-25T13:00Z;
 * the calendar moves it a few percent). Scale 1 is ~17,000 events/hour.
 */
export const DEFAULT_SEED_SCALE = 0.0165;
/** Five months. */
export const DEFAULT_SEED_DAYS = 150;

/** The feature matrix with labels and outage kinds, ready for CSV/JSONL or the model. */
export function gridLabelledSeries(
  g: GeneratedGrid,
  features: readonly string[] = DEFAULT_FEATURE_NAMES
): LabelledSeries {
  return { matrix: gridFeatureMatrix(g, features), labels: g.labels.slice(), kinds: g.hourKinds.slice() };
}

export function generateLabelledSeries(
  opts: GeneratorOptions,
  features?: readonly string[]
): { grid: GeneratedGrid; series: LabelledSeries } {
  const grid = generateGrid(opts);
  return { grid, series: gridLabelledSeries(grid, features) };
}
