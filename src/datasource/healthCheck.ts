/**
 * "Save & test": checks every configured source for real (reachable, index and field types, recent
 * events, Graphite targets) and the model against the features, and lists everything that is wrong.
 */
import { fieldMappingProblem } from '../core/elasticsearch/fieldMapping';
import { validateFeatureSources, type FeatureSource } from '../core/featureSources';
import {
  bySource,
  fetchGraphiteFeatures,
  type FeatureFetch,
  type GraphiteFeatureSource,
} from '../core/sources/featureFetch';
import { DAY_MS } from '../core/time';
import { describeFetchError, isFetchError, isNotFound } from './proxyClient';

export interface HealthCheckResult {
  status: 'success' | 'error';
  message: string;
}

export async function checkDataSource(f: FeatureFetch, modelMismatch: () => string | null): Promise<HealthCheckResult> {
  const problems: string[] = [];
  const passed: string[] = [];
  let features: readonly FeatureSource[] = [];
  try {
    features = validateFeatureSources(f.settings.features);
  } catch (err) {
    problems.push(`Features: ${(err as Error).message}`);
  }
  if (features.some((x) => x.source === 'elasticsearch')) {
    await checkElasticsearch(f, problems, passed);
  }
  try {
    const mismatch = modelMismatch();
    if (mismatch) {
      problems.push(`Model: does not fit the configured features: ${mismatch}`);
    } else {
      passed.push(`model fits the ${features.length} features`);
    }
  } catch (err) {
    problems.push(`Model: ${(err as Error).message}`);
  }
  const graphite = bySource(features).gr;
  if (graphite.length > 0 || f.configured.graphite) {
    await checkGraphite(f, graphite, problems, passed);
  }
  return problems.length > 0
    ? { status: 'error', message: problems.join('; ') }
    : { status: 'success', message: passed.join('; ') };
}

async function checkElasticsearch(f: FeatureFetch, problems: string[], passed: string[]) {
  const s = f.settings;
  if (!f.configured.elasticsearch) {
    problems.push('Elasticsearch: no URL configured');
    return;
  }
  try {
    const info = await f.http<{ version?: { number?: string; distribution?: string } }>({
      source: 'elasticsearch',
      path: '/',
    });
    passed.push(
      `${info.version?.distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'} ${info.version?.number ?? ''} reachable`
    );
  } catch (err) {
    problems.push(describeFetchError('Elasticsearch', err));
    return;
  }
  const pattern = encodeURIComponent(s.indexPattern);
  try {
    const mapping = await f.http({
      source: 'elasticsearch',
      path: `/${pattern}/_mapping/field/${encodeURIComponent(`${s.timeField},${s.eventTypeField}`)}`,
    });
    const timeProblem = fieldMappingProblem(mapping, s.timeField, 'date');
    const typeProblem = fieldMappingProblem(mapping, s.eventTypeField, 'keyword');
    if (timeProblem === 'the index pattern matches no index') {
      problems.push(`Elasticsearch: index pattern "${s.indexPattern}" matches no index`);
      return;
    }
    for (const p of [timeProblem, typeProblem]) {
      if (p) {
        problems.push(`Elasticsearch: ${p}`);
      }
    }
    if (timeProblem || typeProblem) {
      return;
    }
    const now = Date.now();
    const count = await f.http<{ count: number }>({
      source: 'elasticsearch',
      path: `/${pattern}/_count`,
      method: 'POST',
      body: JSON.stringify({
        query: { range: { [s.timeField]: { gte: now - DAY_MS, lt: now, format: 'epoch_millis' } } },
      }),
      contentType: 'application/json',
    });
    if (count.count === 0) {
      problems.push(`Elasticsearch: no events in "${s.indexPattern}" in the last 24 h (is the shipper running?)`);
    } else {
      passed.push(`${count.count} events in the last 24 h`);
    }
  } catch (err) {
    // _mapping on a pattern that matches nothing answers 404 with an empty body.
    problems.push(
      isNotFound(err)
        ? `Elasticsearch: index pattern "${s.indexPattern}" matches no index`
        : describeFetchError('Elasticsearch', err)
    );
  }
}

async function checkGraphite(
  f: FeatureFetch,
  features: readonly GraphiteFeatureSource[],
  problems: string[],
  passed: string[]
) {
  if (!f.configured.graphite) {
    problems.push('Graphite: no URL configured, but features use it');
    return;
  }
  try {
    await f.http({ source: 'graphite', path: '/metrics/find?query=*' });
  } catch (err) {
    problems.push(describeFetchError('Graphite', err));
    return;
  }
  const now = Date.now();
  for (const feature of features) {
    try {
      await fetchGraphiteFeatures(f, [feature], now - DAY_MS, now);
    } catch (err) {
      // parseRender's own errors already name Graphite and the path.
      problems.push(isFetchError(err) ? describeFetchError('Graphite', err) : String((err as Error).message ?? err));
    }
  }
  passed.push(`Graphite reachable${features.length ? `, ${features.length} target(s) found` : ''}`);
}
