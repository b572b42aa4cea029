// The datasource class itself against a real OpenSearch. Grafana's backend cannot run here, so
// backendSrv is replaced by a stand-in for Grafana's data proxy: it takes the request the plugin makes to
// /api/datasources/proxy/uid/<uid>/<route>/<path> and forwards method, body and content type to the route's
// URL from plugin.json, as the proxy does, returning Grafana's FetchResponse/FetchError shapes.
import http from 'node:http';
import { dateTime, type DataFrame, type DataQueryRequest, type DataSourceInstanceSettings } from '@grafana/data';
import { setBackendSrv, setTemplateSrv, type BackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import { Observable } from 'rxjs';

import { DEFAULT_FEATURE_NAMES } from '../../src/core/htcondor/eventTypes';
import { GridSentinelDataSource } from '../../src/datasource/datasource';
import type { GridSentinelOptions, GridSentinelQuery } from '../../src/datasource/types';

const OS = process.env.GS_OPENSEARCH_URL;
const HOUR = 3600e3;
const UID = 'gs-test';

function forward(
  target: string,
  options: BackendSrvRequest
): Promise<{ status: number; statusText: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body }));
    });
    req.on('error', reject);
    if (options.data !== undefined) {
      req.write(typeof options.data === 'string' ? options.data : JSON.stringify(options.data));
    }
    req.end();
  });
}

function dataProxy(routes: Record<string, string>): BackendSrv {
  const prefix = `/api/datasources/proxy/uid/${UID}/`;
  return {
    fetch: (options: BackendSrvRequest) =>
      new Observable((sub) => {
        const rest = options.url.startsWith(prefix) ? options.url.slice(prefix.length) : '';
        const route = rest.split('/')[0];
        if (!routes[route]) {
          sub.error({ status: 404, statusText: 'Not Found', data: { message: 'route not found' }, config: options });
          return;
        }
        forward(routes[route] + rest.slice(route.length), options).then(
          (r) => {
            const data = r.body ? JSON.parse(r.body) : undefined;
            if (r.status >= 400) {
              sub.error({ status: r.status, statusText: r.statusText, data, config: options });
            } else {
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
            }
          },
          // Grafana answers 502 when the upstream cannot be reached.
          () => sub.error({ status: 502, statusText: 'Bad Gateway', data: { message: 'Bad Gateway' }, config: options })
        );
      }),
  } as unknown as BackendSrv;
}

function datasource(jsonData: Partial<GridSentinelOptions>) {
  const settings = {
    uid: UID,
    id: 1,
    name: 'GridSentinel',
    type: 'gridsentinel-anomaly-datasource',
    url: `/api/datasources/proxy/uid/${UID}`,
    access: 'proxy',
    jsonData: { indexPattern: 'gsds-events-*', ...jsonData },
    meta: {} as any,
    readOnly: false,
  } as unknown as DataSourceInstanceSettings<GridSentinelOptions>;
  return new GridSentinelDataSource(settings);
}

function request(targets: GridSentinelQuery[], from: number, to: number): DataQueryRequest<GridSentinelQuery> {
  return {
    targets,
    range: { from: dateTime(from), to: dateTime(to), raw: { from: '', to: '' } },
    scopedVars: { vo: { text: 'dune', value: 'dune' } },
  } as unknown as DataQueryRequest<GridSentinelQuery>;
}

jest.setTimeout(120000);
const describeOs = OS ? describe : describe.skip;
describeOs('GridSentinelDataSource through the data proxy', () => {
  const t0 = Date.UTC(2026, 4, 10);
  const hours = 6;

  beforeAll(async () => {
    setBackendSrv(dataProxy({ elasticsearch: OS!, graphite: 'http://127.0.0.1:9' }));
    setTemplateSrv({
      replace: (text: string, scoped: any, format?: (v: string | string[]) => string) =>
        text.replace(/\$(\w+)/g, (_, name) => {
          const v = scoped?.[name]?.value;
          return v === undefined ? `$${name}` : format ? format(v) : String(v);
        }),
    } as any);
    const template = await forward(`${OS}/_index_template/gsds-events`, {
      url: '',
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      data: {
        index_patterns: ['gsds-events-*'],
        template: {
          mappings: {
            properties: {
              '@timestamp': { type: 'date' },
              MyType: { type: 'keyword' },
              experiment: { type: 'keyword' },
            },
          },
        },
      },
    });
    expect(template.status).toBe(200);
    const lines: string[] = [];
    for (let h = 0; h < hours; h++) {
      if (h === 3) {
        continue; // a monitoring gap
      }
      for (let i = 0; i <= h; i++) {
        const ts = new Date(t0 + h * HOUR + i * 1000).toISOString();
        lines.push(JSON.stringify({ index: { _index: 'gsds-events-2026.05.10' } }));
        lines.push(JSON.stringify({ '@timestamp': ts, MyType: 'JobHeldEvent', experiment: i % 2 ? 'nova' : 'dune' }));
      }
    }
    // jsdom has no fetch; seed through the same Node HTTP client the proxy stand-in uses.
    const res = await forward(`${OS}/_bulk?refresh=true`, {
      url: '',
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      data: lines.join('\n') + '\n',
    });
    expect(JSON.parse(res.body).errors).toBe(false);
  });

  it('returns the hourly feature frame, nulls for the gap, counts exact', async () => {
    const ds = datasource({ elasticsearchUrl: OS });
    const res = await ds.query(request([{ refId: 'A', queryType: 'features' }], t0, t0 + hours * HOUR));
    expect(res.errors).toEqual([]);
    const frame = res.data[0] as DataFrame;
    expect(frame.refId).toBe('A');
    expect(frame.fields.map((f) => f.name)).toEqual(['Time', ...DEFAULT_FEATURE_NAMES]);
    const held = frame.fields.find((f) => f.name === 'JobHeldEvent')!;
    expect(held.values).toEqual([1, 2, 3, null, 5, 6]);
    expect(frame.fields.find((f) => f.name === 'ExecuteEvent')!.values).toEqual([0, 0, 0, null, 0, 0]);
  });

  it('expands template variables into exact filters', async () => {
    const ds = datasource({ elasticsearchUrl: OS });
    const res = await ds.query(
      request([{ refId: 'B', queryType: 'features', experiment: '$vo' }], t0, t0 + hours * HOUR)
    );
    const held = (res.data[0] as DataFrame).fields.find((f) => f.name === 'JobHeldEvent')!;
    expect(held.values).toEqual([1, 1, 2, null, 3, 3]);
  });

  it('fails one target with its own error and still answers the others', async () => {
    const ds = datasource({ elasticsearchUrl: OS });
    const res = await ds.query(
      request(
        [
          { refId: 'A', queryType: 'features' },
          { refId: 'P', queryType: 'probability' },
        ],
        t0,
        t0 + hours * HOUR
      )
    );
    expect(res.data.map((f: DataFrame) => f.refId)).toEqual(['A']);
    expect(res.errors).toEqual([{ refId: 'P', message: expect.stringContaining('needs the anomaly model') }]);
  });

  it('reports a missing index by name', async () => {
    const ds = datasource({ elasticsearchUrl: OS, indexPattern: 'gsds-nothing-*' });
    const res = await ds.query(request([{ refId: 'A', queryType: 'features' }], t0, t0 + HOUR));
    expect(res.errors?.[0].message).toMatch(/index pattern "gsds-nothing-\*" matches no index/);
  });

  it('testDatasource says which source is unreachable', async () => {
    const ok = await datasource({ elasticsearchUrl: OS }).testDatasource();
    expect(ok.status).toBe('success');
    expect(ok.message).toMatch(/OpenSearch|Elasticsearch/);
    const bad = await datasource({ elasticsearchUrl: OS, graphiteUrl: 'http://127.0.0.1:9' }).testDatasource();
    expect(bad).toEqual({
      status: 'error',
      message: expect.stringMatching(/Graphite: unreachable through Grafana's data proxy \(HTTP 502\)/),
    });
  });
});
