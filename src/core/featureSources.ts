/**
 * Where each feature of the matrix comes from: an Elasticsearch event type (counted per step) or a
 * Graphite target (summarized per step). The configured order is the model's input order.
 */
import { FeatureMatrixError, type FeatureMatrix } from './featureMatrix';
import { DEFAULT_FEATURES } from './htcondor/eventTypes';

export type FeatureSource =
  | { name: string; source: 'elasticsearch'; eventType: string }
  | { name: string; source: 'graphite'; target: string; aggregation?: 'sum' | 'avg' | 'max' | 'min' | 'last' };

export const DEFAULT_FEATURE_SOURCES: readonly FeatureSource[] = DEFAULT_FEATURES.map((f) => ({
  name: f.name,
  source: 'elasticsearch' as const,
  eventType: f.eventType,
}));

export class FeatureSourceError extends Error {}

/** Throws a FeatureSourceError naming the first bad entry; returns the list. */
export function validateFeatureSources(list: readonly FeatureSource[]): readonly FeatureSource[] {
  if (list.length === 0) {
    throw new FeatureSourceError('no features configured');
  }
  const names = new Set<string>();
  list.forEach((f, i) => {
    const where = `feature ${i + 1}${f.name ? ` ("${f.name}")` : ''}`;
    if (!f.name || f.name.trim() !== f.name) {
      throw new FeatureSourceError(`${where}: name must be non-empty without surrounding spaces`);
    }
    if (names.has(f.name)) {
      throw new FeatureSourceError(`${where}: duplicate name`);
    }
    names.add(f.name);
    if (f.source === 'elasticsearch' && !f.eventType) {
      throw new FeatureSourceError(`${where}: event type is empty`);
    }
    if (f.source === 'graphite' && !f.target) {
      throw new FeatureSourceError(`${where}: Graphite target is empty`);
    }
    if (f.source !== 'elasticsearch' && f.source !== 'graphite') {
      throw new FeatureSourceError(`${where}: unknown source "${(f as { source: string }).source}"`);
    }
  });
  return list;
}

/**
 * Puts columns from per-source matrices (same times and step) into the configured order. A feature
 * missing from every part is an error, never a silent column of nulls.
 */
export function assembleFeatures(order: readonly FeatureSource[], parts: readonly FeatureMatrix[]): FeatureMatrix {
  if (parts.length === 0) {
    throw new FeatureMatrixError('nothing to assemble');
  }
  const [first] = parts;
  for (const p of parts) {
    if (
      p.stepMs !== first.stepMs ||
      p.times.length !== first.times.length ||
      p.times.some((t, i) => t !== first.times[i])
    ) {
      throw new FeatureMatrixError('feature sources returned different time axes');
    }
  }
  const columns = order.map((f) => {
    for (const p of parts) {
      const c = p.features.indexOf(f.name);
      if (c >= 0) {
        return { part: p, c };
      }
    }
    throw new FeatureMatrixError(`no source returned feature "${f.name}"`);
  });
  return {
    times: first.times.slice(),
    stepMs: first.stepMs,
    features: order.map((f) => f.name),
    values: first.times.map((_, t) => columns.map(({ part, c }) => part.values[t][c])),
  };
}
