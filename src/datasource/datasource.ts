import {
  DataSourceApi,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type ScopedVars,
} from '@grafana/data';
import { getBackendSrv, getTemplateSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import type { FeatureMatrix } from '../core/featureMatrix';
import { DEFAULT_FEATURE_NAMES } from '../core/htcondor/eventTypes';
import { parseHourlyCounts, planHourlyCounts } from '../core/elasticsearch/hourlyCounts';
import { featureMatrixToFrame } from './frames';

import {
  DEFAULT_OPTIONS,
  DEFAULT_QUERY,
  type GridSentinelOptions,
  type GridSentinelQuery,
  type ResolvedOptions,
} from './types';

/** What a failed proxied request means for the person configuring the datasource. */
export function describeFetchError(source: string, err: unknown): string {
  if (isFetchError(err)) {
    if (err.status === 401 || err.status === 403) {
      return `${source}: authentication failed (HTTP ${err.status}); check the credentials in the datasource settings`;
    }
    if (err.status === 502 || err.status === 504 || !err.status) {
      return `${source}: unreachable through Grafana's data proxy (HTTP ${err.status ?? 'no response'}); check the URL`;
    }
    return `${source}: HTTP ${err.status} ${err.statusText ?? ''}`.trim();
  }
  return `${source}: ${err instanceof Error ? err.message : String(err)}`;
}

export class GridSentinelDataSource extends DataSourceApi<GridSentinelQuery, GridSentinelOptions> {
  readonly settings: GridSentinelOptions & ResolvedOptions;
  private readonly proxyUrl: string;

  constructor(instanceSettings: DataSourceInstanceSettings<GridSentinelOptions>) {
    super(instanceSettings);
    this.settings = { ...DEFAULT_OPTIONS, ...instanceSettings.jsonData };
    this.proxyUrl = instanceSettings.url ?? '';
  }

  getDefaultQuery(): Partial<GridSentinelQuery> {
    return DEFAULT_QUERY;
  }

  /** GET through a data-proxy route declared in plugin.json (`elasticsearch` or `graphite`). */
  async proxyGet<T>(route: 'elasticsearch' | 'graphite', path: string): Promise<T> {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({ url: `${this.proxyUrl}/${route}${path}`, method: 'GET', showErrorAlert: false })
    );
    return response.data;
  }

  /** POST through a data-proxy route. */
  async proxyPost<T>(route: 'elasticsearch' | 'graphite', path: string, data: string, contentType: string): Promise<T> {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url: `${this.proxyUrl}/${route}${path}`,
        method: 'POST',
        data,
        headers: { 'Content-Type': contentType },
        showErrorAlert: false,
      })
    );
    return response.data;
  }

  async query(request: DataQueryRequest<GridSentinelQuery>): Promise<DataQueryResponse> {
    const targets = request.targets.filter((t) => !t.hide);
    const from = request.range.from.valueOf();
    const to = request.range.to.valueOf();
    // Each target fails on its own: one bad query must not blank the others.
    const results = await Promise.allSettled(targets.map((t) => this.runTarget(t, from, to, request.scopedVars)));
    const response: DataQueryResponse = { data: [], errors: [] };
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        response.data.push(r.value);
      } else {
        response.errors!.push({ refId: targets[i].refId, message: describeFetchError('GridSentinel', r.reason) });
      }
    });
    return response;
  }

  private async runTarget(target: GridSentinelQuery, from: number, to: number, scopedVars: ScopedVars) {
    const type = target.queryType ?? DEFAULT_QUERY.queryType;
    if (type !== 'features') {
      // Scoring needs the bundled model (issue #5); say so rather than return made-up numbers.
      throw new Error(`query type "${type}" needs the anomaly model, which this build does not include yet`);
    }
    const matrix = await this.featureMatrix(from, to, {
      experiment: this.filterValues(target.experiment, scopedVars),
      schedd: this.filterValues(target.schedd, scopedVars),
    });
    return featureMatrixToFrame(matrix, target.refId);
  }

  /** Hourly counts of the configured event types, counted by Elasticsearch. */
  async featureMatrix(fromMs: number, toMs: number, filters: Record<string, string[]> = {}): Promise<FeatureMatrix> {
    if (!this.settings.elasticsearchUrl) {
      throw new Error('Elasticsearch URL is not configured');
    }
    const req = {
      indexPattern: this.settings.indexPattern,
      timeField: this.settings.timeField,
      eventTypeField: this.settings.eventTypeField,
      eventTypes: [...DEFAULT_FEATURE_NAMES],
      fromMs,
      toMs,
      stepMs: this.settings.stepSeconds * 1000,
      filters,
    };
    const plan = planHourlyCounts(req);
    const response = await this.proxyPost<unknown>('elasticsearch', '/_msearch', plan.body, 'application/x-ndjson');
    return parseHourlyCounts(req, plan, response);
  }

  /** Template variables expand to exact values (multi-value variables to several); no Lucene involved. */
  private filterValues(raw: string | undefined, scopedVars: ScopedVars): string[] {
    if (!raw || raw.trim() === '') {
      return [];
    }
    const sep = '\u0000';
    const expanded = getTemplateSrv().replace(raw, scopedVars, (v: string | string[]) =>
      Array.isArray(v) ? v.join(sep) : v
    );
    return expanded
      .split(sep)
      .map((v) => v.trim())
      .filter((v) => v !== '' && v !== '*' && v !== '$__all');
  }

  async testDatasource(): Promise<{ status: 'success' | 'error'; message: string }> {
    const problems: string[] = [];
    const passed: string[] = [];
    if (!this.settings.elasticsearchUrl) {
      problems.push('Elasticsearch: no URL configured');
    } else {
      try {
        const info = await this.proxyGet<{ version?: { number?: string; distribution?: string } }>(
          'elasticsearch',
          '/'
        );
        passed.push(
          `Elasticsearch ${info.version?.distribution ?? ''} ${info.version?.number ?? ''} reachable`.replace(
            /\s+/g,
            ' '
          )
        );
      } catch (err) {
        problems.push(describeFetchError('Elasticsearch', err));
      }
    }
    if (this.settings.graphiteUrl) {
      try {
        await this.proxyGet<unknown>('graphite', '/metrics/find?query=*');
        passed.push('Graphite reachable');
      } catch (err) {
        problems.push(describeFetchError('Graphite', err));
      }
    }
    if (problems.length > 0) {
      return { status: 'error', message: problems.join('; ') };
    }
    return { status: 'success', message: passed.join('; ') };
  }
}
