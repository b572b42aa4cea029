// Servers for the watcher's integration tests: a carbon proxy that can be closed, an OpenSearch proxy that
// holds _bulk answers, the Grafana /api/datasources stand-in over HTTP, and a free port. Node's http/net
// only (jsdom has no fetch).
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = http.createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
}

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

const withoutHost = (h: http.IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'host')) as http.OutgoingHttpHeaders;

/**
 * An HTTP proxy in front of OpenSearch that holds every _bulk answer for `holdMs` (after forwarding the
 * request), so a kill lands while a batch is being written; `reached` resolves once the `nth` _bulk has
 * been answered upstream.
 */
export async function slowBulkProxy(target: string, holdMs: number, nth: number) {
  let bulks = 0;
  let onNth: () => void = () => undefined;
  const reached = new Promise<void>((r) => (onNth = r));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req
      .on('data', (c) => chunks.push(c))
      .on('end', () => {
        const up = http.request(
          `${target}${req.url}`,
          { method: req.method, headers: withoutHost(req.headers) },
          (ur) => {
            const out: Buffer[] = [];
            ur.on('data', (c) => out.push(c)).on('end', () => {
              const isBulk = req.url!.startsWith('/_bulk');
              if (isBulk && ++bulks === nth) {
                onNth();
              }
              setTimeout(
                () => {
                  res.writeHead(ur.statusCode!, { 'content-type': ur.headers['content-type'] ?? 'application/json' });
                  res.end(Buffer.concat(out));
                },
                isBulk ? holdMs : 0
              );
            });
          }
        );
        up.end(Buffer.concat(chunks));
      });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reached,
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * tests/support/grafanaApi.mjs over HTTP, answering 401 unless the Authorization header is `authorization`
 * (a service account's `Bearer` token or a user's `Basic` credentials), as Grafana does for an API request
 * without valid credentials.
 */
export async function grafanaServer(
  api: { routes: Array<{ method: string; path: RegExp | string; handler: (ctx: object) => unknown }> },
  authorization: string
) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, obj: unknown) => {
      const body = JSON.stringify(obj);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.headers.authorization !== authorization) {
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
