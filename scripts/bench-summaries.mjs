#!/usr/bin/env node
// Summary fast path benchmark (issue 13): the built datasource (dist/) in headless Chromium, through the
// data-proxy stand-in, against a real OpenSearch, raw path and summary path side by side in one run.
// Every query is cold: OpenSearch's request cache is cleared before it (POST /_cache/clear?request=true),
// as a dashboard's moving range never hits that cache.
//
// Per scale: DAYS of generated job events are seeded (seed 1). Summary documents are then written in the
// watcher's format (core scoreDocument + bulkBody, the watcher's own writer) from the counts of those
// events (core fetchFeatureMatrix, the path the watcher fetches through) scored with the bundled model.
// Hours older than the seeded days, needed for 90-day and year ranges, repeat the seeded days' counts
// (a year at scale 1 is 150 M events, which this machine cannot seed): those ranges are measured on the
// summary path only. Two summary sets: one ending 7 days before the end (a 7-day raw tail, the issue's
// case) and one ending 2 hours before it (a watcher running hourly).
//
//   npm run build && npm run build:browser-host && npm run cli:build
//   node scripts/bench-summaries.mjs                          # scales 0.0165 and 1, 31 days (~9 min)
//   node scripts/bench-summaries.mjs --scales 0.0165 --days 9 --ranges 7,30   # quick
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';

import { startOpenSearch } from '../tests/services/opensearch.mjs';
import { DAY, HOUR, ROOT, arg, cli, median, numbers, openDatasourcePage, seedGeneratedGrid } from './bench/harness.mjs';

const gen = cli('core/generator/index.js');
const { fetchFeatureMatrix } = cli('core/sources/featureFetch.js');
const { DEFAULT_SOURCE_SETTINGS } = cli('core/sources/settings.js');
const { scoreSeries } = cli('core/model/score.js');
const { loadModel } = cli('core/model/modelDocument.js');
const { modelForMatrix } = cli('core/model/scoreRange.js');
const { stepScores } = cli('core/scores/records.js');
const { scoreDocument, bulkBody, scoreIndexTemplate, SCORE_TEMPLATE_NAME } = cli('core/scores/elasticsearch.js');
const defaultModel = JSON.parse(readFileSync(path.join(ROOT, 'src/datasource/model/default-model.json'), 'utf8'));

const END = Math.floor(Date.now() / HOUR) * HOUR;
const SCALES = numbers('scales', `${gen.DEFAULT_SEED_SCALE},1`);
const DAYS = Number(arg('days', '31'));
const RANGES = numbers('ranges', '7,30,90,365');
const RUNS = Number(arg('runs', '3'));
// Summaries cover the longest range plus the bundled model's week of warm-up.
const SUMMARY_DAYS = Math.max(...RANGES) + 8;
const TAILS = [
  { label: '7-day tail', ms: 7 * DAY },
  { label: '2-hour tail', ms: 2 * HOUR },
];
const log = (m) => console.error(`[bench-summaries] ${m}`);

async function osRequest(method, p, body, contentType = 'application/json') {
  const r = await fetch(`${os.url}${p}`, { method, headers: { 'content-type': contentType }, body });
  const json = await r.json();
  if (!r.ok || json.errors) {
    throw new Error(`${method} ${p}: HTTP ${r.status} ${JSON.stringify(json).slice(0, 300)}`);
  }
  return json;
}

/**
 * Summary documents for [END - SUMMARY_DAYS, END - tail) under `name`: the seeded hours' own counts,
 * older hours repeating them day-aligned, all scored with the bundled model as the watcher scores.
 */
async function writeSummaries(name, indexPattern, tailMs) {
  const f = {
    http: async (req) => osRequest(req.method ?? 'GET', req.path, req.body, req.contentType),
    settings: { ...DEFAULT_SOURCE_SETTINGS, indexPattern },
    configured: { elasticsearch: true, graphite: false },
  };
  const seeded = await fetchFeatureMatrix(f, END - DAYS * DAY, END);
  const from = END - SUMMARY_DAYS * DAY;
  const to = END - tailMs;
  const times = [];
  const values = [];
  for (let t = from; t < END; t += HOUR) {
    const back = Math.max(0, Math.ceil((END - DAYS * DAY - t) / ((DAYS - 1) * DAY))) * (DAYS - 1) * DAY;
    times.push(t);
    values.push(seeded.values[(t + back - seeded.times[0]) / HOUR].slice());
  }
  const matrix = { times, stepMs: HOUR, features: seeded.features, values };
  const model = loadModel(defaultModel);
  const scores = scoreSeries(modelForMatrix(model, matrix, true), matrix);
  const identity = { id: 'bundled-bench', version: null, origin: 'bundled' };
  const due = times.filter((t) => t < to);
  const docs = stepScores(matrix, scores, due).map((s) => scoreDocument(name, HOUR, s, identity, Date.now()));
  for (let i = 0; i < docs.length; i += 2000) {
    await osRequest('POST', '/_bulk', bulkBody(docs.slice(i, i + 2000), identity), 'application/x-ndjson');
  }
  await osRequest('POST', `/gridsentinel-scores-${name}-*/_refresh`);
  return docs.length;
}

let os;
let bench;
try {
  os = await startOpenSearch();
  await osRequest('PUT', `/_index_template/${SCORE_TEMPLATE_NAME}`, JSON.stringify(scoreIndexTemplate()));
  const datasources = new Map();
  const setups = [];
  for (const [si, scale] of SCALES.entries()) {
    const prefix = `bench-sum-${si}-`;
    const indexPattern = `${prefix}*`;
    const { docs, seedMs } = await seedGeneratedGrid(os.url, { prefix, days: DAYS, end: END, scale, log });
    log(`scale ${scale}: seeded in ${(seedMs / 1000).toFixed(0)} s`);
    const setup = { scale, docs, seedMs, indexPattern, uids: { raw: `raw-${si}` } };
    datasources.set(setup.uids.raw, { jsonData: { elasticsearchUrl: os.url, indexPattern } });
    for (const [ti, tail] of TAILS.entries()) {
      const name = `bench${si}t${ti}`;
      const n = await writeSummaries(name, indexPattern, tail.ms);
      log(`scale ${scale}: ${n} summary documents for ${name} (${tail.label})`);
      setup.uids[tail.label] = `sum-${si}-${ti}`;
      datasources.set(`sum-${si}-${ti}`, { jsonData: { elasticsearchUrl: os.url, indexPattern, summaryName: name } });
    }
    setups.push(setup);
  }

  bench = await openDatasourcePage(datasources, os.url);

  async function measure(uid, days, kind) {
    const times = [];
    let last;
    for (let run = 0; run < RUNS; run++) {
      last = await bench.query(uid, END - days * DAY, END, kind);
      times.push(last.ms);
    }
    return { ...last, ms: median(times), all: times };
  }

  // Untimed: the first probability query picks and starts the scoring backend (auto: timed once per page).
  for (const uid of datasources.keys()) {
    await bench.query(uid, END - DAY, END, 'probability');
  }

  const rows = [];
  for (const s of setups) {
    for (const days of RANGES) {
      // Raw counting only where the events exist: the seeded days.
      const paths = days <= DAYS - 1 ? ['raw', ...TAILS.map((t) => t.label)] : TAILS.map((t) => t.label);
      const row = { scale: s.scale, days, paths: {} };
      for (const p of paths) {
        const features = await measure(s.uids[p], days, 'features');
        const probability = await measure(s.uids[p], days, 'probability');
        row.paths[p] = { features, probability };
        log(
          `scale ${s.scale} ${days} d ${p}: features ${features.all.map((t) => t.toFixed(0)).join('/')} ms, ` +
            `probability ${probability.all.map((t) => t.toFixed(0)).join('/')} ms ` +
            `(${probability.custom.hoursFromSummaries ?? 0} h from summaries, ${probability.custom.hoursCounted} counted)`
        );
      }
      rows.push(row);
    }
  }

  console.log(`Machine: ${cpus().length} cores, Chromium headless, OpenSearch as the tests start it (512 MiB heap).`);
  console.log(`Run ${new Date().toISOString().slice(0, 10)}; data end ${new Date(END).toISOString()}, seed 1.`);
  for (const s of setups) {
    console.log(
      `Scale ${s.scale}: ${DAYS} days, ${s.docs.toLocaleString('en-US')} job events (${Math.round(s.docs / (DAYS * 24)).toLocaleString('en-US')}/h), seeded in ${(s.seedMs / 1000).toFixed(0)} s.`
    );
  }
  console.log(
    '\n| scale | range | path | hours from summaries / counted | requests | bytes received | features query | probability query | raw / this (probability) |'
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const raw = r.paths.raw?.probability.ms;
    for (const [p, m] of Object.entries(r.paths)) {
      const c = m.probability.custom;
      console.log(
        `| ${r.scale} | ${r.days} d | ${p === 'raw' ? 'raw' : `summaries, ${p}`} | ${c.hoursFromSummaries ?? 0} / ${c.hoursCounted} | ${m.probability.requests} | ${m.probability.bytesReceived.toLocaleString('en-US')} | ${m.features.ms.toFixed(0)} ms | ${m.probability.ms.toFixed(0)} ms | ${raw ? `${(raw / m.probability.ms).toFixed(1)}x` : 'n/a'} |`
      );
    }
  }
  // Raw path per day, from the 7- and 30-day cold measurements: what a longer range would cost.
  for (const s of setups) {
    const r7 = rows.find((r) => r.scale === s.scale && r.days === 7)?.paths.raw;
    const r30 = rows.find((r) => r.scale === s.scale && r.days === 30)?.paths.raw;
    if (r7 && r30) {
      const slope = (r30.probability.ms - r7.probability.ms) / 23;
      const at = (d) => r30.probability.ms + slope * (d - 30);
      console.log(
        `\nScale ${s.scale}, raw probability query: ${slope.toFixed(1)} ms per day (7 -> 30 days); ` +
          `extrapolated 90 d ${at(90).toFixed(0)} ms, 365 d ${at(365).toFixed(0)} ms (not measured).`
      );
    }
  }
} finally {
  await bench?.close();
  await os?.stop();
}
