/**
 * Where the job events and context series are and how they are read: the datasource's jsonData and the
 * watcher's flags resolve to this, with the same defaults.
 */
import { DEFAULT_FEATURE_SOURCES, type FeatureSource } from '../featureSources';

export interface SourceSettings {
  indexPattern: string;
  timeField: string;
  eventTypeField: string;
  experimentField: string;
  scheddField: string;
  /** Model inputs in order. */
  features: FeatureSource[];
  stepSeconds: number;
}

export const DEFAULT_SOURCE_SETTINGS: SourceSettings = {
  indexPattern: 'fifebatch-logs-*',
  timeField: '@timestamp',
  eventTypeField: 'MyType',
  experimentField: 'experiment',
  scheddField: 'schedd',
  features: [...DEFAULT_FEATURE_SOURCES],
  stepSeconds: 3600,
};

/** Which sources are configured (a URL is set); features that need a missing one fail with a clear error. */
export interface ConfiguredSources {
  elasticsearch: boolean;
  graphite: boolean;
}
