import {
  DataSourceApi,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
} from '@grafana/data';
import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

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

  async query(request: DataQueryRequest<GridSentinelQuery>): Promise<DataQueryResponse> {
    // Feature queries and scoring are built on the core modules of issues #4 and #5; until then each
    // target reports that plainly instead of returning made-up data.
    return {
      data: [],
      errors: request.targets.map((t) => ({
        refId: t.refId,
        message: `GridSentinel: query type "${t.queryType ?? DEFAULT_QUERY.queryType}" is not available in this build yet`,
      })),
    };
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
