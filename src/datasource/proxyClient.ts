/**
 * Requests to Elasticsearch and Graphite through Grafana's data proxy: one plugin.json route per source,
 * so credentials stay server-side (the API-key route adds its header there).
 */
import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import type { SourceHttp } from '../core/sources/sourceHttp';

export function proxyHttp(proxyUrl: string, elasticsearchAuth: string | undefined): SourceHttp {
  return async <T>({ source, path, method = 'GET', body, contentType }: Parameters<SourceHttp>[0]) => {
    const route = source === 'elasticsearch' && elasticsearchAuth === 'apikey' ? 'elasticsearch-apikey' : source;
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url: `${proxyUrl}/${route}${path}`,
        method,
        data: body,
        headers: contentType ? { 'Content-Type': contentType } : undefined,
        showErrorAlert: false,
      })
    );
    return response.data;
  };
}

/** What a failed proxied request means for the person configuring the datasource. */
export function describeFetchError(source: string, err: unknown): string {
  if (isFetchError(err)) {
    if (err.status === 401 || err.status === 403) {
      return `${source}: authentication failed (HTTP ${err.status}); check the credentials in the datasource settings`;
    }
    if (err.status === 502 || err.status === 504 || !err.status) {
      return `${source}: unreachable through Grafana's data proxy (HTTP ${err.status ?? 'no response'}); check the URL`;
    }
    const detail =
      (err.data as { error?: { reason?: string }; message?: string } | undefined)?.error?.reason ?? err.data?.message;
    return `${source}: HTTP ${err.status} ${detail ?? err.statusText ?? ''}`.trim();
  }
  return `${source}: ${err instanceof Error ? err.message : String(err)}`;
}

export { isFetchError };

/** A proxied request that Grafana answered with 404 (e.g. _mapping on a pattern matching no index). */
export function isNotFound(err: unknown): boolean {
  return isFetchError(err) && err.status === 404;
}
