/**
 * The one feature-fetch path: Elasticsearch counts and Graphite series for the configured features,
 * fetched in parallel and assembled into the hourly matrix. Used by the datasource and the watcher.
 */
import { HOURLY_COUNTS_FILTER_PATH, parseHourlyCounts, planHourlyCounts } from '../elasticsearch/hourlyCounts';
import type { FeatureMatrix } from '../featureMatrix';
import { assembleFeatures, validateFeatureSources, type FeatureSource } from '../featureSources';
import { buildRenderParams, parseRender } from '../graphite/render';
import type { ConfiguredSources, SourceSettings } from './settings';
import { graphiteRender, type SourceHttp } from './sourceHttp';

export type ElasticsearchFeature = Extract<FeatureSource, { source: 'elasticsearch' }>;
export type GraphiteFeatureSource = Extract<FeatureSource, { source: 'graphite' }>;

export interface FeatureFetch {
  http: SourceHttp;
  settings: SourceSettings;
  configured: ConfiguredSources;
}

/** The features each source serves, in the configured order. */
export function bySource(features: readonly FeatureSource[]): {
  es: ElasticsearchFeature[];
  gr: GraphiteFeatureSource[];
} {
  return {
    es: features.filter((x): x is ElasticsearchFeature => x.source === 'elasticsearch'),
    gr: features.filter((x): x is GraphiteFeatureSource => x.source === 'graphite'),
  };
}

/**
 * The configured features per step over [fromMs, toMs). Filters (exact values per field) apply to the
 * job-event documents only.
 */
export async function fetchFeatureMatrix(
  f: FeatureFetch,
  fromMs: number,
  toMs: number,
  filters: Record<string, string[]> = {}
): Promise<FeatureMatrix> {
  const features = validateFeatureSources(f.settings.features);
  const { es, gr } = bySource(features);
  const parts: Array<Promise<FeatureMatrix>> = [];
  if (es.length > 0) {
    parts.push(fetchElasticsearchFeatures(f, es, fromMs, toMs, filters));
  }
  if (gr.length > 0) {
    parts.push(fetchGraphiteFeatures(f, gr, fromMs, toMs));
  }
  return assembleFeatures(features, await Promise.all(parts));
}

/** Event counts per step, counted by Elasticsearch (one _msearch, split under max_buckets). */
export async function fetchElasticsearchFeatures(
  f: FeatureFetch,
  features: readonly ElasticsearchFeature[],
  fromMs: number,
  toMs: number,
  filters: Record<string, string[]> = {}
): Promise<FeatureMatrix> {
  if (!f.configured.elasticsearch) {
    throw new Error('Elasticsearch URL is not configured');
  }
  const s = f.settings;
  const req = {
    indexPattern: s.indexPattern,
    timeField: s.timeField,
    eventTypeField: s.eventTypeField,
    eventTypes: features.map((x) => x.eventType),
    fromMs,
    toMs,
    stepMs: s.stepSeconds * 1000,
    filters,
  };
  const plan = planHourlyCounts(req);
  const response = await f.http({
    source: 'elasticsearch',
    path: `/_msearch?filter_path=${encodeURIComponent(HOURLY_COUNTS_FILTER_PATH)}`,
    method: 'POST',
    body: plan.body,
    contentType: 'application/x-ndjson',
  });
  const counts = parseHourlyCounts(req, plan, response);
  return { ...counts, features: features.map((x) => x.name) };
}

/** Graphite targets summarized to the step (one render request for all of them). */
export async function fetchGraphiteFeatures(
  f: FeatureFetch,
  features: readonly GraphiteFeatureSource[],
  fromMs: number,
  toMs: number
): Promise<FeatureMatrix> {
  if (!f.configured.graphite) {
    throw new Error('Graphite URL is not configured');
  }
  const req = {
    features: features.map((x) => ({ name: x.name, target: x.target, aggregation: x.aggregation })),
    fromMs,
    toMs,
    stepMs: f.settings.stepSeconds * 1000,
  };
  return parseRender(req, await graphiteRender(f.http, buildRenderParams(req)));
}
