// Browser loading test: does Grafana's frontend load our three plugin modules?
//
// Grafana itself cannot run here (no Grafana binary, no Docker), so this stands in for its loader:
// a host bundle (tests/browser/host) reproduces Grafana 13's SystemJS 6.15.1 setup (AMD +
// named-register extras, shared dependencies under `package:` names through an import map,
// fetch + eval with a JS content type check, `?_cache=<version>` on plugin URLs, boot data before
// @grafana/runtime) and its importer, and server.mjs serves dist/ the way Grafana's backend does,
// every plugin - nested ones too - under its own id. Headless Chromium loads the page and imports
//   dist/module.js             -> AppPlugin        (plugin.init(meta) like Grafana)
//   dist/datasource/module.js  -> DataSourcePlugin (DataSourceClass constructed)
//   dist/panel/module.js       -> PanelPlugin
// checking the classes against the SAME @grafana/data instance the plugins were given.
//
// What it does NOT cover: Grafana's real backend (plugin discovery, signature checks, plugin.json
// validation, the real bootData/meta, data proxy, auth), the frontend sandbox, CDN-hosted plugins,
// SRI (`pluginsSriChecks`), rendering any page/editor/panel, running queries, the extension
// registries an app may fill, Grafana's full boot sequence (only the parts listed above), the
// `loadingStrategy: "script"` path, React/@grafana/* versions other than 13.2.3, and shared
// dependencies that only exist inside Grafana (app/core/*, d3, monaco-kusto are stubs that fail
// clearly if asked for). Lazily loaded chunks (create-plugin #2172) are only exercised if module
// evaluation loads them; later tests that render must check for 404s again.
//
// Usage: npm run build && npx webpack -c tests/browser/webpack.host.config.mjs && node tests/browser/load-modules.mjs
// (GS_DIST_DIR=<folder> checks another plugin build; GS_CHROMIUM=<path> another Chromium.)
// Prints one line per check and ends with "N passed, M failed"; exit code 1 on any failure.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, openHost, watchPage } from './browser.mjs';
import { createChecks } from './checks.mjs';
import { GRAFANA_VERSION } from './plugin-meta.mjs';
import { DEFAULT_HOST_BUILD_DIR, createServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const started = Date.now();
const { check, crashed, finish } = createChecks();

/** Fails listing every entry when `list` is not empty (no assert diff noise). */
function assertNone(list, header) {
  assert.ok(list.length === 0, `${header}:\n${list.join('\n')}`);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The dependency ids in a create-plugin AMD module's define([...], factory). */
function amdDependencies(file) {
  const m = readFileSync(file, 'utf8').match(/define\((\[[^\]]*\])/);
  if (!m) {
    throw new Error(`${file} has no AMD define([...]) call`);
  }
  return JSON.parse(m[1]).filter((d) => !['require', 'exports', 'module'].includes(d));
}

const EXPECTED_CLASS = { app: 'AppPlugin', datasource: 'DataSourcePlugin', panel: 'PanelPlugin' };

let server;
let browser;
const serverLog = [];
try {
  const hostJs = path.join(DEFAULT_HOST_BUILD_DIR, 'host.js');
  await check('host bundle is built and newer than its sources', () => {
    let built;
    try {
      built = statSync(hostJs).mtimeMs;
    } catch {
      assert.fail(
        `${path.relative(process.cwd(), hostJs)} missing; run \`npx webpack -c tests/browser/webpack.host.config.mjs\``
      );
    }
    const sources = Math.max(
      newestMtime(path.join(here, 'host')),
      statSync(path.join(here, 'webpack.host.config.mjs')).mtimeMs
    );
    assert.ok(
      built >= sources,
      'host sources changed after the last host build; rebuild it (npx webpack -c tests/browser/webpack.host.config.mjs)'
    );
  });

  // GS_DIST_DIR: check another build (default <repo>/dist).
  server = await createServer({ distDir: process.env.GS_DIST_DIR || undefined, log: (line) => serverLog.push(line) });
  const plugins = server.plugins;
  await check('dist holds an app with a nested datasource and panel (ids from plugin.json)', () => {
    const types = plugins.map((p) => `${p.type}:${p.id}`);
    assert.equal(plugins[0].type, 'app', `root plugin.json is not an app: ${types}`);
    for (const t of ['datasource', 'panel']) {
      assert.equal(plugins.filter((p) => p.type === t && p.parentId).length, 1, `expected one nested ${t}: ${types}`);
    }
  });

  browser = await launchChromium();
  const page = await browser.newPage();
  const watched = watchPage(page);

  let booted = false;
  // Page checks after a failed boot would only repeat "gsHarness is undefined".
  const needPage = () => assert.ok(booted, 'skipped: the host page did not boot');

  await check('host page boots; the registered @grafana/runtime saw window.grafanaBootData', async () => {
    await openHost(page, server.url).catch((err) => {
      throw new Error(`${err.message}\n${watched.pageErrors.join('\n') || '(no page errors)'}`);
    });
    booted = true;
    const info = await page.evaluate(() => window.gsHarness.bootInfo());
    assert.equal(
      info.buildVersion,
      GRAFANA_VERSION,
      'config.buildInfo.version: boot data was read too late or not at all'
    );
    assert.equal(info.userLogin, 'admin');
  });

  await check('every shared dependency the modules ask for is in the import map', async () => {
    needPage();
    const imports = await page.evaluate(() => window.gsHarness.SystemJS.getImportMap().imports);
    const missing = [];
    for (const p of plugins) {
      for (const dep of amdDependencies(path.join(p.dir, 'module.js'))) {
        if (!imports[dep] || !imports[dep].startsWith('package:')) {
          missing.push(`${p.id} needs "${dep}"`);
        }
      }
    }
    assertNone(missing, 'not provided as shared dependencies');
  });

  const summaries = {};
  for (const p of plugins) {
    const meta = server.metas[p.id];
    const expected = EXPECTED_CLASS[p.type];
    await check(`${p.id}: ${meta.module} loads and exports \`plugin\` as the shared ${expected}`, async () => {
      needPage();
      const s = await withTimeout(
        page.evaluate((m) => window.gsHarness.importPlugin(m), meta),
        30000,
        `importing ${meta.module}`
      );
      summaries[p.id] = s;
      assert.ok(s.ok, `import failed: ${s.error?.message}\n${s.error?.stack ?? ''}`);
      assert.ok(s.hasPluginExport, `no \`plugin\` export (exports: ${s.exportNames.join(', ') || 'none'})`);
      assert.ok(
        s.pluginClass === expected,
        `\`plugin\` (constructor ${s.pluginConstructorName}, shared class: ${s.pluginClass}) is not an instance of the` +
          ` shared @grafana/data ${expected} (did the build bundle its own @grafana/data?)`
      );
    });
  }

  const ds = plugins.find((p) => p.type === 'datasource');
  await check(
    `${ds.id}: DataSourceClass extends the shared DataSourceApi and constructs with minimal instance settings`,
    async () => {
      assert.ok(summaries[ds.id]?.ok, 'module did not load');
      assert.ok(
        summaries[ds.id].dataSourceClassExtendsShared,
        'DataSourceClass does not extend the shared DataSourceApi'
      );
      const r = await page.evaluate(
        (id) => window.gsHarness.describeDataSource(id, { uid: 'gs-test', name: 'GS test' }),
        ds.id
      );
      assert.ok(r.ok, `constructor threw: ${r.error?.message}\n${r.error?.stack ?? ''}`);
      assert.ok(r.instanceOfSharedDataSourceApi, 'instance is not a shared DataSourceApi');
      assert.equal(r.uid, 'gs-test');
      assert.equal(r.type, ds.id);
    }
  );

  // Let anything the modules started (chunks, images) finish before judging requests and errors.
  await watched.settle();

  await check('each module.js was requested under its own plugin id with ?_cache=<plugin version>', () => {
    needPage();
    const problems = [];
    for (const p of plugins) {
      const version = encodeURI(server.metas[p.id].info.version);
      const want = `/public/plugins/${p.id}/module.js?_cache=${version}`;
      if (!server.requests.some((r) => r.url === want)) {
        const seen = server.requests.filter((r) => r.path.endsWith('module.js')).map((r) => r.url);
        problems.push(`${p.id}: no request for ${want} (module.js requests: ${seen.join(', ') || 'none'})`);
      }
      const resolved = summaries[p.id]?.resolvedUrl;
      if (resolved !== server.origin + want) {
        problems.push(`${p.id}: SystemJS resolved ${resolved}, expected ${server.origin + want}`);
      }
    }
    assertNone(problems, 'module URLs');
  });

  await check('the host bundle was fetched once (SystemJS did not re-import it)', () => {
    const hostLoads = server.requests.filter((r) => r.path === '/harness/host.js').map((r) => r.url);
    assert.ok(hostLoads.length === 1, `host.js requested ${hostLoads.length} times: ${hostLoads.join(', ')}`);
  });

  await check('no 404s or failed requests', () => {
    const problems = [
      ...server.notFound.map((r) => `server 404: ${r.method} ${r.url}`),
      ...watched.badResponses.map((r) => `browser saw HTTP ${r}`),
      ...watched.failedRequests.map((r) => `request failed: ${r}`),
    ];
    assertNone(problems, 'unexpected responses');
  });

  await check('no uncaught page errors', () => {
    assertNone(watched.pageErrors, 'page errors');
  });

  await check('no console errors', () => {
    assertNone(watched.consoleErrors, 'console errors');
  });

  for (const w of watched.consoleWarnings) {
    console.log(`# console warning: ${w}`);
  }
} catch (err) {
  crashed(err);
} finally {
  await browser?.close().catch(() => {});
  await server?.close();
}

for (const line of serverLog) {
  console.log(`# ${line}`);
}
console.log(`# took ${((Date.now() - started) / 1000).toFixed(1)} s`);
finish();
