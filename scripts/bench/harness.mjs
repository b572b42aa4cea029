// Shared pieces of the benchmark scripts (bench-query, bench-summaries, bench-watch): command-line
// options, seeding generated job events into OpenSearch, clearing OpenSearch's request cache, and the
// built datasource plugin loaded in the browser harness's page (tests/browser) behind the data-proxy
// stand-in (tests/support/dataProxy.mjs), queried there cold.
//
// Loading this module loads neither build/ nor the browser harness: they are loaded when first used.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
export const HOUR = 3600e3;
export const DAY = 24 * HOUR;

/** A module of the CLI build (`npm run cli:build`), by its path under build/cli. */
export const cli = (p) => require(path.join(ROOT, 'build/cli', p));

/** The value after `--name` on the command line, or dflt. */
export function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

/** A comma-separated list of numbers after `--name`, or dflt (a string in the same form). */
export const numbers = (name, dflt) => arg(name, dflt).split(',').map(Number);

export const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Clears OpenSearch's request cache (POST /_cache/clear?request=true), so that the next search runs cold. */
export async function clearRequestCache(osUrl) {
  const r = await fetch(`${osUrl}/_cache/clear?request=true`, { method: 'POST' });
  if (!r.ok) {
    throw new Error(`_cache/clear: HTTP ${r.status}`);
  }
}

/**
 * Generates `days` days of job events ending at `end` (seed 1, at `scale`) and seeds them into the
 * OpenSearch at osUrl: under `prefix` (with a template named after it) or, without one, under the seeder's
 * default prefix and template. With `log`, says how many documents it is about to seed.
 * @returns {Promise<{grid: object, docs: number, seedMs: number, report: object}>} seedMs: the seeding alone
 */
export async function seedGeneratedGrid(osUrl, { prefix, days, end, scale, log }) {
  const gen = cli('core/generator/index.js');
  const esLoader = cli('core/seed/elasticsearch.js');
  const grid = gen.generateGrid({ start: end - days * DAY, hours: days * 24, seed: '1', scale });
  const docs = gen.gridEventCount(grid);
  log?.(`scale ${scale}: seeding ${days} days, ${docs} documents`);
  const t0 = Date.now();
  const report = await esLoader.seedElasticsearch(grid, {
    url: osUrl,
    ...(prefix === undefined ? {} : { indexPrefix: prefix, templateName: prefix.replace(/-+$/, '') }),
    onProgress: () => {},
  });
  return { grid, docs, seedMs: Date.now() - t0, report };
}

/**
 * Imports the built datasource plugin into the harness page (tests/browser: openHost, served by `server`)
 * and constructs one DataSourceClass per [uid, jsonData], as window.__ds[uid], each reaching its upstream
 * through the data-proxy stand-in at /api/datasources/proxy/uid/<uid>.
 */
export async function loadDatasources(page, server, entries) {
  const meta = server.metas['gridsentinel-anomaly-datasource'];
  await page.evaluate(
    async ({ meta, entries }) => {
      const h = window.gsHarness;
      const s = await h.importPlugin(meta);
      if (!s.ok) {
        throw new Error(s.error.message);
      }
      const plugin = h.loaded.get(meta.id).plugin;
      window.__ds = {};
      for (const [uid, jsonData] of entries) {
        window.__ds[uid] = new plugin.DataSourceClass({
          uid,
          name: uid,
          type: meta.id,
          meta,
          jsonData,
          url: `/api/datasources/proxy/uid/${uid}`,
        });
      }
    },
    { meta, entries }
  );
}

/**
 * The built datasource in headless Chromium, one instance per entry of `datasources` (a Map of uid to
 * { jsonData, ... }, as createDataProxy takes it), reaching the OpenSearch at osUrl through the data-proxy
 * stand-in. query(uid, from, to, kind) runs one query cold: OpenSearch's request cache cleared and the
 * proxy's counters reset first; it resolves to the query's { ms, rows, custom } (queryInPage) with the
 * proxy's counts for it (requests, bytesSent, bytesReceived). close() closes the browser and the server.
 */
export async function openDatasourcePage(datasources, osUrl) {
  const { launchChromium, openHost } = await import('../../tests/browser/browser.mjs');
  const { createServer } = await import('../../tests/browser/server.mjs');
  const { createDataProxy } = await import('../../tests/support/dataProxy.mjs');
  const proxy = createDataProxy({ datasources });
  const server = await createServer({ routes: [proxy.route], log: () => {} });
  let browser;
  const close = async () => {
    await browser?.close().catch(() => {});
    await server.close();
  };
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    await openHost(page, server.url);
    await loadDatasources(
      page,
      server,
      [...datasources].map(([uid, d]) => [uid, d.jsonData])
    );
    const query = async (uid, from, to, kind) => {
      await clearRequestCache(osUrl);
      proxy.reset();
      const r = await queryInPage(page, uid, from, to, kind);
      return { ...r, ...proxy.stats };
    };
    return { query, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * One query of window.__ds[uid] (loadDatasources) over [from, to), one target of queryType `kind`, timed in
 * the page. Throws on a query error.
 * @returns {Promise<{ms: number, rows: number, custom: object}>} rows and meta.custom of the first frame
 */
function queryInPage(page, uid, from, to, kind) {
  return page.evaluate(
    async ({ uid, from, to, kind }) => {
      const h = window.gsHarness;
      const range = { from: h.data.dateTime(from), to: h.data.dateTime(to), raw: { from: '', to: '' } };
      const t = performance.now();
      const res = await window.__ds[uid].query({ targets: [{ refId: 'A', queryType: kind }], range, scopedVars: {} });
      if (res.errors?.length) {
        throw new Error(res.errors[0].message);
      }
      return { ms: performance.now() - t, rows: res.data[0].length, custom: res.data[0].meta?.custom ?? {} };
    },
    { uid, from, to, kind }
  );
}
