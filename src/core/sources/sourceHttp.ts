/**
 * How core code talks to Elasticsearch and Graphite without knowing the transport: the datasource passes
 * Grafana's data proxy (credentials stay server-side), the watcher passes direct HTTP with its own auth.
 * Both send the same requests, so both build the same matrix.
 */
export type SourceName = 'elasticsearch' | 'graphite';

export interface SourceRequest {
  source: SourceName;
  /** Path and query below the source's base URL, starting with '/'. */
  path: string;
  method?: 'GET' | 'POST' | 'PUT';
  body?: string;
  contentType?: string;
}

/** Resolves to the parsed JSON body; rejects on transport errors and non-2xx answers. */
export type SourceHttp = <T = unknown>(req: SourceRequest) => Promise<T>;

/** Graphite's /render as a form POST: many targets with their functions would make a GET URL too long for proxies. */
export function graphiteRender<T = unknown>(http: SourceHttp, params: URLSearchParams | string): Promise<T> {
  return http<T>({
    source: 'graphite',
    path: '/render',
    method: 'POST',
    body: params.toString(),
    contentType: 'application/x-www-form-urlencoded',
  });
}
