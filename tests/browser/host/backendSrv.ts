// A fetch-based stand-in for Grafana's backendSrv: the plugin's requests go to the harness server,
// whose routes stand in for Grafana's HTTP API (e.g. tests/support/dataProxy.mjs for the data proxy).
// Errors have Grafana's FetchError shape ({ status, statusText, data, config }) so isFetchError works.
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';

function body(data: unknown): BodyInit | undefined {
  if (data === undefined || data === null) {
    return undefined;
  }
  return typeof data === 'string' ? data : JSON.stringify(data);
}

export function createBackendSrv(): BackendSrv {
  const fetchFn = <T>(options: BackendSrvRequest) =>
    new Observable<FetchResponse<T>>((sub) => {
      const controller = new AbortController();
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.data !== undefined && typeof options.data !== 'string' && !headers['Content-Type']) {
        headers['Content-Type'] = 'application/json';
      }
      window
        .fetch(options.url, {
          method: options.method ?? 'GET',
          headers,
          body: body(options.data),
          signal: controller.signal,
        })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            // non-JSON bodies stay text
          }
          if (!res.ok) {
            sub.error({ status: res.status, statusText: res.statusText, data, config: options });
            return;
          }
          sub.next({
            data: data as T,
            status: res.status,
            statusText: res.statusText,
            ok: true,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url: res.url,
            config: options,
          });
          sub.complete();
        })
        .catch((err) =>
          sub.error({ status: 0, statusText: String(err), data: { message: String(err) }, config: options })
        );
      return () => controller.abort();
    });
  return { fetch: fetchFn } as unknown as BackendSrv;
}
