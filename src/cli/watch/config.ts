/** What a Watcher is given: names, sources, the model, the schedule and its retry and batch sizes. */
import type { ScheduleOptions } from '../../core/scores/schedule';
import type { ConfiguredSources, SourceSettings } from '../../core/sources/settings';
import type { SourceHttp } from '../../core/sources/sourceHttp';
import type { CarbonTarget } from '../carbon';
import type { ModelSource } from './model';

export interface WatchConfig {
  name: string;
  settings: SourceSettings;
  /** Feature fetches, score writes to Elasticsearch and marker reads from Graphite. */
  http: SourceHttp;
  configured: ConfiguredSources;
  carbon: CarbonTarget;
  model: ModelSource;
  schedule: ScheduleOptions;
  /** Steps per fetch-score-write batch. */
  batchSteps: number;
  /** First retry delay after a failed cycle; doubles up to retryMaxMs (or the next due step, if sooner). */
  retryMinMs: number;
  retryMaxMs: number;
  /** How long to wait for carbon's points to become readable before counting a step unwritten. */
  graphiteVerifyMs: number;
  now?: () => number;
  log?: (line: string) => void;
}
