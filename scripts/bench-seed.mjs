#!/usr/bin/env node
// Seeding benchmark: documents/second into OpenSearch, datapoints/second into Graphite, and the time to
// seed the five-month demo at the default scale. Starts its own OpenSearch and Graphite (tests/services),
// builds the CLI first, stops everything at the end. Results go to stdout as Markdown.
//
//   node scripts/bench-seed.mjs            full run (batch-size sweep, demo via the API and via the CLI)
//   node scripts/bench-seed.mjs --quick    30-day demo only, no sweep, no CLI run
//
// GS_OPENSEARCH_HEAP (default 512m) sets the OpenSearch heap, as for the tests.
import { spawn, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startGraphite } from '../tests/services/graphite.mjs';
import { startOpenSearch } from '../tests/services/opensearch.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const require = createRequire(import.meta.url);

function log(msg) {
  console.error(`[bench] ${msg}`);
}

log('building the CLI (npm run cli:build: into a clean build/cli)');
const build = spawnSync('npm', ['run', '-s', 'cli:build'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) {
  process.exit(1);
}
const gen = require(path.join(ROOT, 'build/cli/core/generator/index.js'));
const esLoader = require(path.join(ROOT, 'build/cli/core/seed/elasticsearch.js'));
const esDocs = require(path.join(ROOT, 'build/cli/core/seed/esDocuments.js'));
const graphite = require(path.join(ROOT, 'build/cli/cli/graphiteSeeder.js'));
const metrics = require(path.join(ROOT, 'build/cli/core/seed/graphiteMetrics.js'));

const HOUR = 3600_000;
const END = Math.floor(Date.now() / HOUR) * HOUR;
const DAYS = quick ? 30 : gen.DEFAULT_SEED_DAYS;
const SCALE = gen.DEFAULT_SEED_SCALE;
const rows = [];
const row = (...cells) => rows.push(`| ${cells.join(' | ')} |`);
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const sec = (ms) => (ms / 1000).toFixed(1);

let os;
let gr;
async function stopAll() {
  await Promise.allSettled([os?.stop(), gr?.stop()]);
}
process.on('SIGINT', () => stopAll().then(() => process.exit(130)));

try {
  const tg = Date.now();
  const grid = gen.generateGrid({ start: END - DAYS * 24 * HOUR, hours: DAYS * 24, seed: '1', scale: SCALE });
  const genMs = Date.now() - tg;
  const docs = gen.gridEventCount(grid);
  let bytes = 0;
  let n = 0;
  for (const d of esDocs.gridDocuments(grid)) {
    bytes += JSON.stringify(d.doc).length;
    if (++n === 20000) {
      break;
    }
  }
  log(`generated ${DAYS} days at scale ${SCALE}: ${docs} documents in ${genMs} ms`);

  const t0 = Date.now();
  [os, gr] = await Promise.all([startOpenSearch(), startGraphite()]);
  log(`services up in ${Date.now() - t0} ms: ${os.url} ${gr.url} carbon ${gr.carbonHost}:${gr.carbonPort}`);

  const sweep = [];
  if (!quick) {
    const sub = gen.generateGrid({ start: END - 30 * 24 * HOUR, hours: 30 * 24, seed: '1', scale: SCALE });
    const configs = [
      [1000, 1],
      [1000, 2],
      [5000, 1],
      [5000, 2],
      [5000, 4],
      [10000, 2],
    ];
    for (const [i, [batchSize, concurrency]] of configs.entries()) {
      const prefix = `bench-sweep-${i}-`;
      const t = Date.now();
      const r = await esLoader.seedElasticsearch(sub, { url: os.url, indexPrefix: prefix, batchSize, concurrency });
      const total = Date.now() - t;
      sweep.push({
        batchSize,
        concurrency,
        docs: r.documents,
        loadMs: r.elapsedMs,
        docsPerSecond: r.docsPerSecond,
        totalMs: total,
      });
      log(`sweep batch ${batchSize} × ${concurrency}: ${fmt(r.docsPerSecond)} docs/s`);
      await fetch(`${os.url}/${prefix}*`, { method: 'DELETE' });
    }
  }

  const te = Date.now();
  const esReport = await esLoader.seedElasticsearch(grid, {
    url: os.url,
    onProgress: (p) => {
      if (p.sent % 100000 < 5000) {
        log(`  ${p.sent}/${p.total} ${fmt(p.docsPerSecond)} docs/s`);
      }
    },
  });
  const esTotalMs = Date.now() - te;
  log(`elasticsearch: ${fmt(esReport.docsPerSecond)} docs/s, total with check ${esTotalMs} ms`);

  const tgr = Date.now();
  const grReport = await graphite.seedGraphite(grid, {
    host: gr.carbonHost,
    port: gr.carbonPort,
    url: gr.url,
    pool: 'bench',
  });
  const grTotalMs = Date.now() - tgr;
  log(`graphite: ${fmt(grReport.datapointsPerSecond)} datapoints/s, verified after ${grTotalMs} ms`);

  let cli;
  if (!quick) {
    const args = [
      'bin/gridsentinel.js',
      'seed',
      '--elasticsearch',
      os.url,
      '--graphite',
      `${gr.carbonHost}:${gr.carbonPort}`,
      '--graphite-url',
      gr.url,
      '--index-prefix',
      'bench-cli-',
      '--pool',
      'benchcli',
      '--end',
      new Date(END).toISOString(),
    ];
    log(`running: node ${args.join(' ')}`);
    const tc = Date.now();
    const code = await new Promise((resolve) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('exit', resolve);
    });
    cli = { code, ms: Date.now() - tc };
  }

  const gPoints = metrics.countDatapoints(metrics.gridGraphiteSeries(grid, 'bench'));
  console.log(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`
  );
  console.log(
    `OpenSearch 2.19 from tests/services (heap ${process.env.GS_OPENSEARCH_HEAP || '512m'}, SerialGC, C1 JIT), Debian graphite-carbon + graphite-web.`
  );
  console.log(
    `Demo: ${DAYS} days ending ${new Date(END).toISOString()}, seed 1, scale ${SCALE}: ${fmt(docs)} documents (~${Math.round(bytes / n)} bytes of JSON each), ${fmt(gPoints)} Graphite datapoints.\n`
  );
  row('measure', 'value');
  row('---', '---');
  row('generate the grid (core)', `${sec(genMs)} s`);
  row('OpenSearch: load (_bulk, 5000 × 2)', `${sec(esReport.elapsedMs)} s, **${fmt(esReport.docsPerSecond)} docs/s**`);
  row('OpenSearch: load + refresh + _count check', `${sec(esTotalMs)} s`);
  row(
    'Graphite: send (plaintext TCP)',
    `${sec(grReport.sendMs)} s, **${fmt(grReport.datapointsPerSecond)} datapoints/s**`
  );
  row('Graphite: send + render check passes', `${sec(grTotalMs)} s (${grReport.verify?.polls} render polls)`);
  row('sum of the above (API)', `${sec(genMs + esTotalMs + grTotalMs)} s`);
  if (cli) {
    row('`gridsentinel seed` end to end (CLI process)', `**${sec(cli.ms)} s** (exit ${cli.code})`);
  }
  console.log(rows.join('\n'));
  if (sweep.length) {
    console.log(`\nBatch size × concurrency (30 days, ${fmt(sweep[0].docs)} documents, fresh indices each):\n`);
    console.log('| batch | concurrency | docs/s | load s | load + check s |');
    console.log('|---|---|---|---|---|');
    for (const s of sweep) {
      console.log(
        `| ${s.batchSize} | ${s.concurrency} | ${fmt(s.docsPerSecond)} | ${sec(s.loadMs)} | ${sec(s.totalMs)} |`
      );
    }
  }
  await stopAll();
  process.exit(cli && cli.code !== 0 ? 1 : 0);
} catch (err) {
  console.error(err);
  await stopAll();
  process.exit(1);
}
