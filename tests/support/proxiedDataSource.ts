// The GridSentinel datasource class as Grafana would construct it, with Grafana's backendSrv standing in
// as tests/support/dataProxy.mjs (the data proxy: plugin.json routes resolved with each datasource's
// stored settings). Responses and errors come back in Grafana's FetchResponse / FetchError shapes.
// Shared by the jsdom integration tests (*.grafana.test.ts).
import type { DataSourceInstanceSettings } from '@grafana/data';
import type { BackendSrv, BackendSrvRequest } from '@grafana/runtime';
import { Observable } from 'rxjs';

import { GridSentinelDataSource } from '../../src/datasource/datasource';
import type { GridSentinelOptions } from '../../src/datasource/types';
import { createDataProxy } from './dataProxy.mjs';

/** What Grafana stores for a datasource besides jsonData; secrets only reach the proxy, never the plugin. */
export interface StoredServerSide {
  basicAuth?: boolean;
  basicAuthUser?: string;
  secureJsonData?: Record<string, string>;
}

export function proxiedGrafana() {
  const registry = new Map<string, StoredServerSide & { jsonData: Record<string, unknown> }>();
  const proxy = createDataProxy({ datasources: registry });

  const backendSrv = {
    fetch: (options: BackendSrvRequest) =>
      new Observable((sub) => {
        proxy
          .forward(options.url, { method: options.method, headers: options.headers, body: options.data })
          .then((r: { status: number; statusText: string; body: string }) => {
            let data: unknown = r.body;
            try {
              data = r.body ? JSON.parse(r.body) : undefined;
            } catch {
              // non-JSON bodies stay text, as backendSrv leaves them
            }
            if (r.status >= 400) {
              sub.error({ status: r.status, statusText: r.statusText, data, config: options });
              return;
            }
            sub.next({
              status: r.status,
              statusText: r.statusText,
              ok: true,
              data,
              headers: {},
              redirected: false,
              type: 'basic',
              url: options.url,
              config: options,
            });
            sub.complete();
          }, sub.error.bind(sub));
      }),
  } as unknown as BackendSrv;

  let nextId = 0;
  /** Stores the settings (as Grafana's database would) and constructs the datasource on them. */
  const datasource = (uid: string, jsonData: Partial<GridSentinelOptions>, server: StoredServerSide = {}) => {
    registry.set(uid, { jsonData: jsonData as Record<string, unknown>, ...server });
    return new GridSentinelDataSource({
      uid,
      id: ++nextId,
      name: 'GridSentinel',
      type: 'gridsentinel-anomaly-datasource',
      url: `/api/datasources/proxy/uid/${uid}`,
      access: 'proxy',
      jsonData,
      meta: {},
      readOnly: false,
    } as unknown as DataSourceInstanceSettings<GridSentinelOptions>);
  };

  return { proxy, registry, backendSrv, datasource };
}
