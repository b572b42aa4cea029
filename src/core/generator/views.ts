/** Views of a generated grid: the feature matrix and the document count. */
import { DEFAULT_FEATURE_NAMES } from '../htcondor/eventTypes';
import type { FeatureMatrix } from '../featureMatrix';
import type { GeneratedGrid } from './simulate';

/** Feature matrix of recorded totals; monitoring-gap hours are null rows. */
export function gridFeatureMatrix(
  g: GeneratedGrid,
  features: readonly string[] = DEFAULT_FEATURE_NAMES
): FeatureMatrix {
  const idx = features.map((f) => {
    const i = g.eventTypes.indexOf(f);
    if (i < 0) {
      throw new Error(`the generator does not produce "${f}" (it produces ${g.eventTypes.join(', ')})`);
    }
    return i;
  });
  const T = g.eventTypes.length;
  const values = g.times.map((_, h) => (g.missing[h] ? idx.map(() => null) : idx.map((k) => g.totals[h * T + k])));
  return { times: g.times.slice(), stepMs: g.stepMs, features: [...features], values };
}

/** Total number of recorded events (= ES documents). */
export function gridEventCount(g: GeneratedGrid): number {
  let n = 0;
  for (const v of g.totals) {
    n += v;
  }
  return n;
}
