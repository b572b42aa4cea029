// Stand-in for the parts of Grafana's HTTP server the browser harness needs (Node built-ins only):
//   /                           host page; window.grafanaBootData inlined like Grafana's index.html
//   /harness/*                  the host bundle (tests/browser/.host-build/public)
//   /public/plugins/<id>/*      plugin files, each plugin under its OWN id (nested ones too):
//                               the app gets dist/ minus the nested plugins' folders, a nested plugin
//                               gets its own folder only. So a nested module that asks for a chunk at
//                               its own path (create-plugin bug #2172) gets a logged 404, as in Grafana.
//   routes                      caller-supplied handlers, tried first (stand-in /api/... endpoints).
// Anything else is a 404, logged and recorded in server.notFound.
// Run directly (`node tests/browser/server.mjs [port]`) to poke at the page by hand.
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { DEFAULT_DIST_DIR, REPO_ROOT, buildBootData, pluginMeta, readPlugins } from './plugin-meta.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const UI_ICONS_DIR = path.join(REPO_ROOT, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img', 'icons');
export const DEFAULT_HOST_BUILD_DIR = path.join(here, '.host-build', 'public');

const CONTENT_TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.html': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.bin': 'application/octet-stream',
};

function contentType(file) {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** A file under root for a URL sub-path, or null (missing, a folder, outside root, or excluded). */
function resolveFile(root, subPath, excludedDirs = []) {
  let rel;
  try {
    rel = decodeURIComponent(subPath);
  } catch {
    return null;
  }
  const file = path.resolve(root, `.${path.posix.sep}${rel}`);
  if (file !== root && !file.startsWith(root + path.sep)) {
    return null;
  }
  if (excludedDirs.some((d) => file === d || file.startsWith(d + path.sep))) {
    return null;
  }
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

function hostPage(bootData) {
  // JSON is valid JS; escaping "<" keeps "</script>" inside strings from closing the tag.
  const boot = JSON.stringify(bootData).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>GridSentinel browser harness</title>
    <link rel="icon" href="data:," />
  </head>
  <body>
    <div id="reactRoot"></div>
    <!-- defer: see the readyState note in host/loaderHooks.ts -->
    <script>
      // Lets tests stop waiting as soon as the host bundle throws while booting.
      window.addEventListener('error', () => { document.documentElement.dataset.gsHarness ??= 'failed'; });
      window.grafanaBootData = ${boot};
    </script>
    <script defer src="/harness/host.js"></script>
  </body>
</html>
`;
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function matchRoute(route, method, pathname) {
  if (route.method && route.method !== '*' && route.method.toUpperCase() !== method) {
    return null;
  }
  if (typeof route.path === 'string') {
    return route.path === pathname ? {} : null;
  }
  const m = pathname.match(route.path);
  return m ? { ...(m.groups ?? {}), _match: m } : null;
}

/**
 * Starts the server on 127.0.0.1 (a free port unless `port` is given).
 * @param {object} [opts]
 * @param {string} [opts.distDir]        plugin build (default: <repo>/dist)
 * @param {string} [opts.hostBuildDir]   host bundle output (default: .host-build/public)
 * @param {object} [opts.bootOverrides]  deep-merged into the default boot data
 * @param {Array<{method?: string, path: string|RegExp, handler: Function}>} [opts.routes]
 *        handler(ctx) with ctx = { req, res, url, params, body(): Promise<string>, json(status, obj) };
 *        routes are tried in order before the static files.
 * @param {(line: string) => void} [opts.log]  404s and handler errors are reported here
 */
export async function createServer({
  distDir = DEFAULT_DIST_DIR,
  hostBuildDir = DEFAULT_HOST_BUILD_DIR,
  bootOverrides = {},
  routes = [],
  port = 0,
  log = (line) => console.log(line),
} = {}) {
  const plugins = readPlugins(distDir);
  const metas = Object.fromEntries(plugins.map((p) => [p.id, pluginMeta(p)]));
  // The app's tree minus the nested plugins' folders (those are served under their own ids).
  const nestedDirs = plugins.filter((p) => p.parentId).map((p) => p.dir);
  const mounts = new Map(plugins.map((p) => [p.id, { root: p.dir, excluded: p.parentId ? [] : nestedDirs }]));
  const state = { bootOverrides, routes: [...routes] };
  const requests = [];
  const notFound = [];

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    const method = req.method.toUpperCase();
    requests.push({ method, path: url.pathname, search: url.search, url: url.pathname + url.search });
    try {
      for (const route of state.routes) {
        const params = matchRoute(route, method, url.pathname);
        if (params) {
          await route.handler({
            req,
            res,
            url,
            params,
            body: () => readBody(req),
            json: (status, obj) => sendJson(res, status, obj),
          });
          return;
        }
      }

      if ((method === 'GET' || method === 'HEAD') && (url.pathname === '/' || url.pathname === '/index.html')) {
        const origin = `http://${req.headers.host}`;
        const html = hostPage(buildBootData({ plugins, origin, overrides: state.bootOverrides }));
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(method === 'HEAD' ? undefined : html);
        return;
      }

      let file = null;
      if (method === 'GET' || method === 'HEAD') {
        const plugin = url.pathname.match(/^\/public\/plugins\/([^/]+)\/(.+)$/);
        if (plugin && mounts.has(plugin[1])) {
          const { root, excluded } = mounts.get(plugin[1]);
          file = resolveFile(root, plugin[2], excluded);
        } else if (url.pathname.startsWith('/harness/')) {
          file = resolveFile(hostBuildDir, url.pathname.slice('/harness/'.length));
        } else if (url.pathname.startsWith('/public/build/img/icons/')) {
          // Grafana serves @grafana/ui's icon set here; the package ships the same files.
          file = resolveFile(UI_ICONS_DIR, url.pathname.slice('/public/build/img/icons/'.length));
        }
      }
      if (!file) {
        notFound.push({ method, url: url.pathname + url.search });
        log(`[server] 404 ${method} ${url.pathname}${url.search}`);
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Not found');
        return;
      }
      res.writeHead(200, {
        'content-type': contentType(file),
        'content-length': statSync(file).size,
        'cache-control': 'no-cache',
        // As Grafana's plugin CDN answers: a page may load plugin files from another origin (see the
        // panel test's cross-origin check). Same-origin loads ignore it.
        ...(url.pathname.startsWith('/public/plugins/') ? { 'access-control-allow-origin': '*' } : {}),
      });
      if (method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(file).pipe(res);
    } catch (err) {
      log(`[server] 500 ${method} ${url.pathname}: ${err?.stack ?? err}`);
      if (!res.headersSent) {
        sendJson(res, 500, { message: 'Internal Server Error' });
      } else {
        res.end();
      }
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = server.address().port;
  const origin = `http://127.0.0.1:${actualPort}`;

  return {
    url: `${origin}/`,
    origin,
    port: actualPort,
    plugins,
    /** Frontend meta per plugin id, as Grafana would hand it to its importer. */
    metas,
    /** Every request seen: { method, path, search, url }. */
    requests,
    /** Every 404: { method, url }. */
    notFound,
    addRoute(route) {
      state.routes.push(route);
    },
    /** Boot data for pages loaded from now on (the runtime reads it once per page load). */
    setBootOverrides(overrides) {
      state.bootOverrides = overrides;
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const srv = await createServer({ port: Number(process.argv[2] ?? 0) });
  console.log(
    `browser harness server on ${srv.url} (plugins: ${srv.plugins.map((p) => p.id).join(', ')}); Ctrl-C stops it`
  );
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => srv.close().then(() => process.exit(0)));
  }
}
