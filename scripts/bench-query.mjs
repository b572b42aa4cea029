#!/usr/bin/env node
// Query benchmark: the built datasource (dist/) in headless Chromium, through the harness's stand-in for
// Grafana's data proxy, against a real OpenSearch seeded with the demo data (default scale, one year).
// For ranges from a week to a year: time of a features query and of a probability query (the same counts
// plus scoring with the bundled model, with one context length of burn-in), HTTP requests, searches per
// _msearch, bytes each way (of the probability query). Median of 3. Prints Markdown.
//
//   npm run build && npm run build:browser-host && npm run cli:build && node scripts/bench-query.mjs
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, openHost } from '../tests/browser/browser.mjs';
import { createServer } from '../tests/browser/server.mjs';
import { startOpenSearch } from '../tests/services/opensearch.mjs';
import { createDataProxy } from '../tests/support/dataProxy.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const gen = require(path.join(ROOT, 'build/cli/core/generator/index.js'));
const esLoader = require(path.join(ROOT, 'build/cli/core/seed/elasticsearch.js'));

const HOUR = 3600e3;
const DAY = 24 * HOUR;
const END = Math.floor(Date.now() / HOUR) * HOUR;
const DAYS = 366;
const RANGES = [7, 30, 150, 365];
const RUNS = 3;
const log = (m) => console.error(`[bench-query] ${m}`);

let os;
let server;
let browser;
try {
  os = await startOpenSearch();
  log(`OpenSearch at ${os.url}; generating and seeding ${DAYS} days at scale ${gen.DEFAULT_SEED_SCALE}`);
  const grid = gen.generateGrid({
    start: END - DAYS * DAY,
    hours: DAYS * 24,
    seed: '1',
    scale: gen.DEFAULT_SEED_SCALE,
  });
  const t0 = Date.now();
  const report = await esLoader.seedElasticsearch(grid, { url: os.url, onProgress: () => {} });
  log(`seeded ${report.documents ?? '?'} documents in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  const datasources = new Map([
    ['gs-bench', { jsonData: { elasticsearchUrl: os.url, indexPattern: 'fifebatch-logs-*' } }],
  ]);
  const proxy = createDataProxy({ datasources });
  server = await createServer({ routes: [proxy.route], log: () => {} });
  browser = await launchChromium();
  const page = await browser.newPage();
  await openHost(page, server.url);
  const meta = server.metas['gridsentinel-anomaly-datasource'];
  const jsonData = datasources.get('gs-bench').jsonData;
  await page.evaluate(
    async ({ meta, jsonData }) => {
      const h = window.gsHarness;
      const s = await h.importPlugin(meta);
      if (!s.ok) {
        throw new Error(s.error.message);
      }
      const plugin = h.loaded.get(meta.id).plugin;
      window.__ds = new plugin.DataSourceClass({
        uid: 'gs-bench',
        name: 'bench',
        type: meta.id,
        meta,
        jsonData,
        url: '/api/datasources/proxy/uid/gs-bench',
      });
    },
    { meta, jsonData }
  );

  const rows = [];
  for (const days of RANGES) {
    const runs = { features: [], probability: [] };
    let stats;
    for (let run = 0; run < RUNS; run++) {
      for (const kind of ['features', 'probability']) {
        proxy.reset();
        const r = await page.evaluate(
          async ({ from, to, kind }) => {
            const h = window.gsHarness;
            const range = { from: h.data.dateTime(from), to: h.data.dateTime(to), raw: { from: '', to: '' } };
            const t = performance.now();
            const res = await window.__ds.query({ targets: [{ refId: 'A', queryType: kind }], range, scopedVars: {} });
            if (res.errors?.length) {
              throw new Error(res.errors[0].message);
            }
            return { ms: performance.now() - t, rows: res.data[0].length };
          },
          { from: END - days * DAY, to: END, kind }
        );
        runs[kind].push(r.ms);
        stats = { ...proxy.stats, rows: r.rows };
      }
    }
    const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const searches = Math.ceil((days * 24 + 24) / Math.floor(65536 / 14));
    rows.push({ ...stats, days, searches, features: median(runs.features), probability: median(runs.probability) });
    log(
      `${days} d: features ${runs.features.map((t) => t.toFixed(0)).join('/')} ms, probability ${runs.probability.map((t) => t.toFixed(0)).join('/')} ms`
    );
  }

  const base = rows[0];
  console.log(`Machine: ${cpus().length} cores, Chromium headless, OpenSearch as the tests start it (512 MiB heap).`);
  console.log(
    `Data: ${DAYS} days of demo data ending ${new Date(END).toISOString()}, seed 1, scale ${gen.DEFAULT_SEED_SCALE}.\n`
  );
  console.log(
    '| range | hours | HTTP requests | searches | bytes sent | bytes received | features query | probability query (features + scoring) | probability / 7-day probability |'
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.days} d | ${r.rows} | ${r.requests} | ${r.searches} | ${r.bytesSent.toLocaleString('en-US')} | ${r.bytesReceived.toLocaleString('en-US')} | ${r.features.toFixed(0)} ms | ${r.probability.toFixed(0)} ms | ${(r.probability / base.probability).toFixed(1)}x |`
    );
  }
} finally {
  await browser?.close().catch(() => {});
  await server?.close();
  await os?.stop();
}
