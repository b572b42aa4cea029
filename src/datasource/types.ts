import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

import type { FeatureSource } from '../core/featureSources';
import { DEFAULT_SOURCE_SETTINGS, type SourceSettings } from '../core/sources/settings';
import type { ScoringPreference } from '../core/model/scoringBackend';

/** `regions` is what annotation queries run: merged anomalous hours. */
export type QueryType = 'probability' | 'features' | 'surprise' | 'explanation' | 'regions';

export const QUERY_TYPES: Array<{ value: QueryType; label: string; description: string }> = [
  {
    value: 'probability',
    label: 'Anomaly probability',
    description: 'Per-step probability that the grid is in trouble (0-1)',
  },
  { value: 'features', label: 'Features', description: 'The hourly counts the model sees' },
  { value: 'surprise', label: 'Surprise', description: 'Standardized forecast error per step' },
  { value: 'explanation', label: 'Explanation', description: 'Top contributing features per step' },
];

export interface GridSentinelQuery extends DataQuery {
  queryType?: QueryType;
  /** Lucene-escaped filters on the job-event documents; template variables allowed. */
  experiment?: string;
  schedd?: string;
  /** Probability at or above which an hour is anomalous (annotation regions). */
  threshold?: number;
}

export { DEFAULT_THRESHOLD } from '../shared/thresholds';

export const DEFAULT_QUERY: Partial<GridSentinelQuery> = { queryType: 'probability' };

export type ModelBackend = ScoringPreference;

/** Secrets, write-only from the browser: Grafana keeps them server-side and adds them in the data proxy. */
export interface GridSentinelSecureOptions {
  basicAuthPassword?: string;
  elasticsearchApiKey?: string;
}

/** Non-secret settings (jsonData). Secrets go to secureJsonData only. */
export interface GridSentinelOptions extends DataSourceJsonData {
  elasticsearchUrl?: string;
  /**
   * How Elasticsearch requests authenticate: none, Grafana's basic auth of this datasource (which the
   * data proxy applies to Graphite too), or an API key (secureJsonData.elasticsearchApiKey).
   */
  elasticsearchAuth?: 'none' | 'basic' | 'apikey';
  indexPattern?: string;
  timeField?: string;
  eventTypeField?: string;
  experimentField?: string;
  scheddField?: string;
  graphiteUrl?: string;
  /** A published model document (retrained from labels); default: the model bundled with the plugin. */
  model?: unknown;
  /** Model inputs in order; default: the 13 HTCondor event types from Elasticsearch. */
  features?: FeatureSource[];
  stepSeconds?: number;
  backend?: ModelBackend;
  /**
   * Name of a `gridsentinel watch` writing gridsentinel-scores-<name>-*: hours it has summarised are read
   * from there instead of counted from raw events. Empty = off.
   */
  summaryName?: string;
}

export interface ResolvedOptions extends SourceSettings {
  backend: ModelBackend;
}

export const DEFAULT_OPTIONS: ResolvedOptions = { ...DEFAULT_SOURCE_SETTINGS, backend: 'auto' };
