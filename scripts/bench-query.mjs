#!/usr/bin/env node
// Query benchmark: the built datasource (dist/) in headless Chromium, through the harness's stand-in for
// Grafana's data proxy, against a real OpenSearch seeded with the demo data (default scale, one year).
// For ranges from a week to a year: time of a features query and of a probability query (the same counts
// plus scoring with the bundled model, with one context length of burn-in), HTTP requests, searches per
// _msearch, bytes each way (of the probability query). Median of 3. Prints Markdown.
// Every query is cold: OpenSearch's request cache is cleared before it (POST /_cache/clear?request=true),
// as a dashboard's moving range never hits that cache (issue 13).
//
//   npm run build && npm run build:browser-host && npm run cli:build && node scripts/bench-query.mjs
//   node scripts/bench-query.mjs --days 40 --ranges 7,30        # quick; every range needs a day more seeded
import { cpus } from 'node:os';

import { startOpenSearch } from '../tests/services/opensearch.mjs';
import { DAY, HOUR, arg, cli, median, numbers, openDatasourcePage, seedGeneratedGrid } from './bench/harness.mjs';

const gen = cli('core/generator/index.js');

const END = Math.floor(Date.now() / HOUR) * HOUR;
const DAYS = Number(arg('days', '366'));
const RANGES = numbers('ranges', '7,30,150,365');
const RUNS = 3;
if (RANGES.some((d) => d + 1 > DAYS)) {
  console.error(`--days ${DAYS} must exceed every range (${RANGES.join(', ')} days) by at least a day`);
  process.exit(2);
}
const log = (m) => console.error(`[bench-query] ${m}`);

let os;
let bench;
try {
  os = await startOpenSearch();
  log(`OpenSearch at ${os.url}; generating and seeding ${DAYS} days at scale ${gen.DEFAULT_SEED_SCALE}`);
  const seeded = await seedGeneratedGrid(os.url, { days: DAYS, end: END, scale: gen.DEFAULT_SEED_SCALE });
  log(`seeded ${seeded.report.documents ?? '?'} documents in ${(seeded.seedMs / 1000).toFixed(0)} s`);

  const datasources = new Map([
    ['gs-bench', { jsonData: { elasticsearchUrl: os.url, indexPattern: 'fifebatch-logs-*' } }],
  ]);
  bench = await openDatasourcePage(datasources, os.url);

  const rows = [];
  for (const days of RANGES) {
    const runs = { features: [], probability: [] };
    let stats;
    for (let run = 0; run < RUNS; run++) {
      for (const kind of ['features', 'probability']) {
        const r = await bench.query('gs-bench', END - days * DAY, END, kind);
        runs[kind].push(r.ms);
        stats = { requests: r.requests, bytesSent: r.bytesSent, bytesReceived: r.bytesReceived, rows: r.rows };
      }
    }
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
  await bench?.close();
  await os?.stop();
}
