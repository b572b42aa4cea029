// Stand-in for Grafana's data proxy (/api/datasources/proxy/uid/<uid>/<route>/<path>), which cannot run
// here. Like Grafana it picks the route from the datasource plugin's plugin.json `routes`, renders
// `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` in its URL and headers from that datasource's settings,
// adds the datasource's basic auth (basicAuth, basicAuthUser, secureJsonData.basicAuthPassword) to every
// request, and forwards method, body and content type with a Content-Length. Upstream failures become 502, as in Grafana. Used by the Jest integration tests and the
// browser harness; it keeps counts of requests and bytes for benchmarks.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PROXY_PATH = /^\/api\/datasources\/proxy\/uid\/([^/]+)\/([^/?]+)(.*)$/;

export function readRoutes(pluginJson = path.join(ROOT, 'src', 'datasource', 'plugin.json')) {
  return JSON.parse(readFileSync(pluginJson, 'utf8')).routes ?? [];
}

/**
 * @param {{ routes?: Array<{path: string, url: string, headers?: Array<{name: string, content: string}>}>,
 *   datasources: Map<string, {jsonData: object, secureJsonData?: object, basicAuth?: boolean, basicAuthUser?: string}> }} opts
 */
export function createDataProxy({ routes = readRoutes(), datasources }) {
  // paths: each forwarded request's upstream path, so tests can count one kind (e.g. _msearch).
  const stats = { requests: 0, bytesSent: 0, bytesReceived: 0, paths: [] };

  /** Upstream URL for a proxy URL, or an error status when Grafana would refuse it. */
  function target(url) {
    const m = PROXY_PATH.exec(url);
    const ds = m ? datasources.get(m[1]) : undefined;
    const route = m ? routes.find((r) => r.path === m[2]) : undefined;
    if (!m || !ds || !route) {
      return { status: 404, message: 'Not found' };
    }
    const render = (text) =>
      text.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_, where, k) =>
        String((where === 'JsonData' ? ds.jsonData : ds.secureJsonData)?.[k] ?? '')
      );
    const base = render(route.url);
    if (!/^https?:\/\//.test(base)) {
      return { status: 502, message: 'invalid route URL' };
    }
    const headers = {};
    if (ds.basicAuth) {
      const password = ds.secureJsonData?.basicAuthPassword ?? '';
      headers.authorization = `Basic ${Buffer.from(`${ds.basicAuthUser ?? ''}:${password}`).toString('base64')}`;
    }
    for (const h of route.headers ?? []) {
      headers[h.name.toLowerCase()] = render(h.content);
    }
    return { url: base.replace(/\/$/, '') + m[3], headers };
  }

  /**
   * Forwards one request; resolves to { status, statusText, contentType, body } (body as text).
   * @param {string} url
   * @param {{ method?: string, headers?: Record<string, unknown>, body?: unknown }} [options]
   */
  function forward(url, { method = 'GET', headers = {}, body } = {}) {
    const t = target(url);
    if (!t.url) {
      return Promise.resolve({
        status: t.status,
        statusText: t.message,
        contentType: 'application/json',
        body: JSON.stringify({ message: t.message }),
      });
    }
    const payload =
      body === undefined || body === null ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    // The browser's own credentials never reach the upstream: only content headers pass, then the
    // datasource's auth is added.
    const outHeaders = {};
    for (const [k, v] of Object.entries(headers)) {
      if (/^(content-type|accept)$/i.test(k)) {
        outHeaders[k.toLowerCase()] = v;
      }
    }
    Object.assign(outHeaders, t.headers);
    if (payload !== undefined) {
      outHeaders['content-length'] = String(Buffer.byteLength(payload));
    }
    stats.requests++;
    stats.paths.push(new URL(t.url).pathname);
    stats.bytesSent += payload ? Buffer.byteLength(payload) : 0;
    return new Promise((resolve) => {
      const req = http.request(t.url, { method, headers: outHeaders }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          stats.bytesReceived += buf.length;
          resolve({
            status: res.statusCode,
            statusText: res.statusMessage,
            contentType: res.headers['content-type'] ?? '',
            body: buf.toString('utf8'),
          });
        });
      });
      req.on('error', () =>
        resolve({
          status: 502,
          statusText: 'Bad Gateway',
          contentType: 'application/json',
          body: JSON.stringify({ message: 'Bad Gateway' }),
        })
      );
      if (payload !== undefined) {
        req.write(payload);
      }
      req.end();
    });
  }

  /** A route for tests/browser/server.mjs. */
  const route = {
    method: '*',
    path: PROXY_PATH,
    handler: async ({ req, res, url, body }) => {
      const r = await forward(url.pathname + url.search, {
        method: req.method,
        headers: req.headers,
        body: ['GET', 'HEAD'].includes(req.method) ? undefined : await body(),
      });
      res.writeHead(r.status, {
        'content-type': r.contentType || 'application/json',
        'content-length': Buffer.byteLength(r.body),
      });
      res.end(r.body);
    },
  };

  return {
    forward,
    route,
    stats,
    reset: () => Object.assign(stats, { requests: 0, bytesSent: 0, bytesReceived: 0, paths: [] }),
  };
}
