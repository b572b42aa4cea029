// Shared by the watcher's integration tests (node and jsdom projects): seeding job events, reading the
// score stores back, a carbon proxy that can be closed, and the Grafana /api/datasources stand-in served
// over HTTP. Node's http/net only (jsdom has no fetch).
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

import { DEFAULT_FEATURES } from '../../src/core/htcondor/eventTypes';
import { requestJson } from '../../src/cli/watch/http';
import type { ScoreDocument } from '../../src/core/scores/elasticsearch';

export type StoredScore = ScoreDocument & { _id: string };

export const HOUR = 3_600_000;
export const OS = process.env.GS_OPENSEARCH_URL;
export const GRAPHITE = process.env.GS_GRAPHITE_URL;
export const CARBON_HOST = process.env.GS_CARBON_HOST;
export const CARBON_PORT = Number(process.env.GS_CARBON_PORT);

export const os = <T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json') =>
  requestJson<T>(`${OS}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    contentType,
  });

/**
 * Job events for the 13 default types in [fromMs, fromMs + hours·1h): a few per type and hour, none in
 * the `gaps` hours (a monitoring gap: no data, not zero).
 */
export async function seedEvents(prefix: string, fromMs: number, hours: number, gaps: number[]): Promise<number> {
  await os('PUT', `/_index_template/${prefix}events`, {
    index_patterns: [`${prefix}events-*`],
    template: {
      settings: { number_of_shards: 1 },
      mappings: { properties: { '@timestamp': { type: 'date' }, MyType: { type: 'keyword' } } },
    },
  });
  const lines: string[] = [];
  for (let h = 0; h < hours; h++) {
    if (gaps.includes(h)) {
      continue;
    }
    DEFAULT_FEATURES.forEach((f, i) => {
      const n = 1 + ((h * 5 + i * 3) % 4) + (i === 0 ? 3 : 0);
      for (let k = 0; k < n; k++) {
        lines.push(JSON.stringify({ index: { _index: `${prefix}events-1` } }));
        lines.push(
          JSON.stringify({ '@timestamp': new Date(fromMs + h * HOUR + k * 1000).toISOString(), MyType: f.eventType })
        );
      }
    });
  }
  const r = await os<{ errors: boolean }>(
    'POST',
    '/_bulk?refresh=true',
    lines.join('\n') + '\n',
    'application/x-ndjson'
  );
  if (r.errors) {
    throw new Error('seeding job events failed');
  }
  return lines.length / 2;
}

/** Documents per hour in the watcher's score indices. */
export async function docsPerHour(name: string): Promise<Map<number, number>> {
  await os('POST', `/gridsentinel-scores-${name}-*/_refresh?ignore_unavailable=true&allow_no_indices=true`);
  const r = await os<{ aggregations?: { h?: { buckets: Array<{ key: number; doc_count: number }> } } }>(
    'POST',
    `/gridsentinel-scores-${name}-*/_search?ignore_unavailable=true&allow_no_indices=true`,
    {
      size: 0,
      track_total_hits: true,
      aggs: { h: { terms: { field: 'hour', size: 10000 } } },
    }
  );
  return new Map(
    (r.aggregations?.h?.buckets ?? []).map((b: { key: number; doc_count: number }) => [b.key, b.doc_count])
  );
}

export async function scoreDocs(name: string): Promise<StoredScore[]> {
  await os('POST', `/gridsentinel-scores-${name}-*/_refresh?ignore_unavailable=true&allow_no_indices=true`);
  const r = await os<{ hits: { hits: Array<{ _id: string; _source: ScoreDocument }> } }>(
    'POST',
    `/gridsentinel-scores-${name}-*/_search?ignore_unavailable=true&allow_no_indices=true`,
    {
      size: 10000,
      sort: [{ hour: 'asc' }],
    }
  );
  return r.hits.hits.map((h) => ({ ...h._source, _id: h._id }));
}

/** Raw points of one Graphite series over [fromMs, toMs): epoch ms → value (nulls dropped). */
export async function graphitePoints(target: string, fromMs: number, toMs: number): Promise<Map<number, number>> {
  const q = new URLSearchParams({
    target,
    from: String(fromMs / 1000 - 1),
    until: String(toMs / 1000 - 1),
    format: 'json',
  });
  const r = await requestJson<Array<{ datapoints: Array<[number | null, number]> }>>(`${GRAPHITE}/render?${q}`, {});
  const out = new Map<number, number>();
  for (const s of r) {
    for (const [v, ts] of s.datapoints) {
      if (v !== null) {
        out.set(ts * 1000, v);
      }
    }
  }
  return out;
}

export const hoursOf = (fromMs: number, toMs: number) =>
  Array.from({ length: Math.max(0, (toMs - fromMs) / HOUR) }, (_, i) => fromMs + i * HOUR);

/** A TCP proxy to carbon that can be closed (Graphite "down") and opened again on the same port. */
export async function carbonProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', () => sockets.delete(client));
        upstream.on('error', drop).on('close', () => sockets.delete(upstream));
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      sockets.forEach((s) => s.destroy());
      server ? server.close(() => resolve()) : resolve();
      server = null;
    });
  await open();
  return {
    get port() {
      return port;
    },
    open,
    close,
  };
}

/**
 * tests/support/grafanaApi.mjs over HTTP, answering 401 without the service-account token, as Grafana
 * does for an API request without valid credentials.
 */
export async function grafanaServer(
  api: { routes: Array<{ method: string; path: RegExp | string; handler: (ctx: object) => unknown }> },
  token: string
) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, obj: unknown) => {
      const body = JSON.stringify(obj);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(401, { message: 'Unauthorized' });
    }
    for (const route of api.routes) {
      const m =
        typeof route.path === 'string'
          ? route.path === url.pathname
            ? { groups: {} }
            : null
          : route.path.exec(url.pathname);
      if (m && (route.method === req.method || route.method === '*')) {
        const body = () =>
          new Promise<string>((resolve) => {
            let text = '';
            req.setEncoding('utf8');
            req.on('data', (c) => (text += c)).on('end', () => resolve(text));
          });
        await route.handler({ req, res, url, params: m.groups ?? {}, body, json: send });
        return;
      }
    }
    send(404, { message: 'Not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}
