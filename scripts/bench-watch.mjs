#!/usr/bin/env node
// Watcher benchmark (issue 12): `gridsentinel watch --once` as a child process against its own OpenSearch
// and Graphite (tests/services), seeded with generated job events at each scale. Per scale:
//   - backfill a week into an empty score index, cold (OpenSearch's request cache cleared first);
//   - one hourly cycle (exactly one new hour due after that week), cold;
//   - backfill 30 days into another empty score index, cold;
// and beside each, the same hours scored through the datasource path: the core fetchFeatureMatrix +
// scoreSeries the datasource runs, in a Node child process with a direct SourceHttp (the one the watcher
// uses), also cold. CPU (user + sys) and peak resident memory (maxRSS) come from the child's own
// process.resourceUsage() at exit; wall time from the parent. Prints Markdown to stdout.
//
//   npm run cli:build && node scripts/bench-watch.mjs                         # scales 0.0165 and 1, 31 days
//   node scripts/bench-watch.mjs --scales 0.0165 --days 9 --backfills 7       # quick (~15 s)
//   ... --watch-args "--batch 30d"                                            # extra watch flags
//
// Model: the datasource's bundled model document, given to both paths as a file (no re-centring).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const MODEL_FILE = path.join(ROOT, 'src/datasource/model/default-model.json');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

// ---- child mode: the datasource path over [from, to), then resource usage as one JSON line ----
if (process.argv[2] === '--datasource-child') {
  const a = JSON.parse(process.argv[3]);
  const { fetchFeatureMatrix } = require(path.join(ROOT, 'build/cli/core/sources/featureFetch.js'));
  const { DEFAULT_SOURCE_SETTINGS } = require(path.join(ROOT, 'build/cli/core/sources/settings.js'));
  const { scoreSeries } = require(path.join(ROOT, 'build/cli/core/model/score.js'));
  const { loadModel } = require(path.join(ROOT, 'build/cli/core/model/modelDocument.js'));
  const { modelForMatrix, scoringFetchStart } = require(path.join(ROOT, 'build/cli/core/model/scoreRange.js'));
  const { directSourceHttp } = require(path.join(ROOT, 'build/cli/cli/watch/http.js'));
  const model = loadModel(JSON.parse(readFileSync(MODEL_FILE, 'utf8')));
  const f = {
    http: directSourceHttp({ elasticsearch: { url: a.es }, graphite: { url: a.graphite } }),
    settings: { ...DEFAULT_SOURCE_SETTINGS, indexPattern: a.indexPattern },
    configured: { elasticsearch: true, graphite: true },
  };
  const t0 = performance.now();
  const matrix = await fetchFeatureMatrix(f, scoringFetchStart(model.doc, a.from, false), a.to);
  const t1 = performance.now();
  const scores = scoreSeries(modelForMatrix(model, matrix, false), matrix);
  const t2 = performance.now();
  const u = process.resourceUsage();
  process.stdout.write(
    JSON.stringify({
      fetchMs: t1 - t0,
      scoreMs: t2 - t1,
      rows: matrix.times.length,
      scored: scores.probability.length,
      cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000,
      maxRssKb: u.maxRSS,
    }) + '\n'
  );
  process.exit(0);
}

// Imported here, after child mode, so that the measured datasource child loads none of it.
const { startGraphite } = await import('../tests/services/graphite.mjs');
const { startOpenSearch } = await import('../tests/services/opensearch.mjs');
const { arg, numbers, cli, clearRequestCache, seedGeneratedGrid } = await import('./bench/harness.mjs');

const gen = cli('core/generator/index.js');
const SCALES = numbers('scales', `${gen.DEFAULT_SEED_SCALE},1`);
const DAYS = Number(arg('days', '31'));
const BACKFILLS = numbers('backfills', '7,30');
// Extra `watch` flags for experiments, e.g. --watch-args "--batch 30d".
const WATCH_ARGS = (arg('watch-args', '') ?? '').split(' ').filter(Boolean);
if (BACKFILLS.some((d) => d + 1 > DAYS)) {
  console.error(`--days ${DAYS} must exceed every backfill (${BACKFILLS.join(', ')} days) by at least a day`);
  process.exit(2);
}
const END = Math.floor(Date.now() / HOUR) * HOUR;
const log = (m) => console.error(`[bench-watch] ${m}`);
const sec = (ms) => (ms / 1000).toFixed(2);
const mb = (kb) => (kb / 1024).toFixed(0);

const tmp = mkdtempSync(path.join(tmpdir(), 'gs-bench-watch-'));
const USAGE_HOOK = path.join(tmp, 'usage.mjs');
writeFileSync(
  USAGE_HOOK,
  "import { writeFileSync } from 'node:fs';\n" +
    "process.on('exit', () => { const u = process.resourceUsage(); writeFileSync(process.env.GS_BENCH_USAGE, JSON.stringify(u)); });\n"
);

function runChild(args, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err, wallMs: performance.now() - t0 }));
  });
}

let os;
let gr;
async function stopAll() {
  await Promise.allSettled([os?.stop(), gr?.stop()]);
  rmSync(tmp, { recursive: true, force: true });
}
process.on('SIGINT', () => stopAll().then(() => process.exit(130)));

/** `watch --once` with the due window ending at toMs (the settle delay is chosen to make it so). */
async function watchOnce(name, indexPattern, toMs, backfillDays) {
  await clearRequestCache(os.url);
  const usageFile = path.join(tmp, `${name}-${Date.now()}.json`);
  const settle = `${Math.max(0, Math.floor((Date.now() - toMs) / 1000))}s`;
  const r = await runChild(
    [
      '--import',
      USAGE_HOOK,
      path.join(ROOT, 'bin/gridsentinel.js'),
      'watch',
      '--once',
      '--name',
      name,
      '--elasticsearch',
      os.url,
      '--index-pattern',
      indexPattern,
      '--graphite-url',
      gr.url,
      '--carbon',
      `${gr.carbonHost}:${gr.carbonPort}`,
      '--model',
      MODEL_FILE,
      '--max-backfill',
      `${backfillDays}d`,
      '--settle',
      settle,
      '--metrics-port',
      '0',
      ...WATCH_ARGS,
    ],
    { GS_BENCH_USAGE: usageFile }
  );
  const cycle = r.out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .find((l) => l.event === 'cycle');
  if (r.code !== 0 || !cycle?.ok) {
    throw new Error(`watch --once ${name} exited ${r.code}:\n${r.out.slice(-2000)}\n${r.err.slice(-2000)}`);
  }
  const u = JSON.parse(readFileSync(usageFile, 'utf8'));
  return {
    wallMs: r.wallMs,
    cycleMs: cycle.durationMs,
    written: cycle.written,
    window: cycle.window,
    cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000,
    maxRssKb: u.maxRSS,
  };
}

/** The datasource path over [fromMs, toMs) in a child process, cold. */
async function datasourcePath(indexPattern, fromMs, toMs) {
  await clearRequestCache(os.url);
  const r = await runChild([
    SELF,
    '--datasource-child',
    JSON.stringify({ es: os.url, graphite: gr.url, indexPattern, from: fromMs, to: toMs }),
  ]);
  if (r.code !== 0) {
    throw new Error(`datasource child exited ${r.code}: ${r.err.slice(-2000)}`);
  }
  return { ...JSON.parse(r.out.trim().split('\n').pop()), wallMs: r.wallMs };
}

const results = [];
try {
  const t0 = Date.now();
  [os, gr] = await Promise.all([startOpenSearch(), startGraphite()]);
  log(`services up in ${Date.now() - t0} ms: ${os.url} ${gr.url} carbon ${gr.carbonHost}:${gr.carbonPort}`);

  // Node start + CLI load, no work: what every `--once` run pays before its cycle.
  const usageFile = path.join(tmp, 'help.json');
  await runChild(['--import', USAGE_HOOK, path.join(ROOT, 'bin/gridsentinel.js'), 'watch', '--help'], {
    GS_BENCH_USAGE: usageFile,
  });
  const help = JSON.parse(readFileSync(usageFile, 'utf8'));
  const startup = { cpuMs: (help.userCPUTime + help.systemCPUTime) / 1000, maxRssKb: help.maxRSS };

  for (const [si, scale] of SCALES.entries()) {
    const prefix = `bench-watch-${si}-`;
    const indexPattern = `${prefix}*`;
    const { docs, seedMs } = await seedGeneratedGrid(os.url, { prefix, days: DAYS, end: END, scale, log });
    log(`scale ${scale}: seeded in ${sec(seedMs)} s (${Math.round(docs / (seedMs / 1000))} docs/s)`);
    const row = { scale, docs, perHour: docs / (DAYS * 24), seedMs, runs: [] };
    results.push(row);

    // A week, then the hour after it (one hour due), under one name; 30 days under another.
    for (const days of BACKFILLS) {
      const name = `bench${si}d${days}`;
      const toMs = days === BACKFILLS[0] ? END - HOUR : END;
      const w = await watchOnce(name, indexPattern, toMs, days);
      const d = await datasourcePath(indexPattern, toMs - days * DAY, toMs);
      log(`scale ${scale}: backfill ${days} d: watch ${sec(w.wallMs)} s, datasource ${sec(d.wallMs)} s`);
      row.runs.push({ what: `backfill ${days} d`, hours: days * 24, w, d });
      if (days === BACKFILLS[0]) {
        const h = await watchOnce(name, indexPattern, END, days);
        if (h.written.elasticsearch !== 1 || h.written.graphite !== 1) {
          throw new Error(`hourly cycle wrote ${JSON.stringify(h.written)}, expected one hour in each store`);
        }
        const hd = await datasourcePath(indexPattern, END - HOUR, END);
        log(`scale ${scale}: hourly cycle: watch ${sec(h.wallMs)} s, datasource ${sec(hd.wallMs)} s`);
        row.runs.unshift({ what: 'hourly cycle (1 hour due)', hours: 1, w: h, d: hd });
      }
    }
    // Free the disk and heap before the next scale.
    await fetch(`${os.url}/${prefix}*`, { method: 'DELETE' });
  }

  console.log(
    `Machine: ${cpus().length} cores (${cpus()[0].model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
      `Node ${process.version}. OpenSearch as the tests start it (512 MiB heap), Debian Graphite. ` +
      `Data: ${DAYS} days of generated job events ending ${new Date(END).toISOString()}, seed 1. ` +
      `Node start + CLI load alone (\`watch --help\`): ${startup.cpuMs.toFixed(0)} ms CPU, ${mb(startup.maxRssKb)} MB.\n`
  );
  console.log(
    '| scale | events/h | run | watcher wall (its cycle) | watcher CPU (user+sys) | watcher peak RSS | datasource path wall (fetch / score) | datasource CPU | datasource peak RSS | watcher / datasource wall | watcher / datasource CPU |'
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    for (const x of r.runs) {
      console.log(
        `| ${r.scale} | ${Math.round(r.perHour).toLocaleString('en-US')} | ${x.what} | ${sec(x.w.wallMs)} s (${sec(x.w.cycleMs)} s) | ${sec(x.w.cpuMs)} s | ${mb(x.w.maxRssKb)} MB | ${sec(x.d.wallMs)} s (${sec(x.d.fetchMs)} / ${sec(x.d.scoreMs)}) | ${sec(x.d.cpuMs)} s | ${mb(x.d.maxRssKb)} MB | ${(x.w.wallMs / x.d.wallMs).toFixed(2)}x | ${(x.w.cpuMs / x.d.cpuMs).toFixed(2)}x |`
      );
    }
  }
  const gp = results.find((r) => r.scale === 1);
  if (gp) {
    const hourly = gp.runs.find((x) => x.hours === 1);
    const month = gp.runs.find((x) => x.hours === 30 * 24);
    const mark = (ok) => (ok ? 'met' : '**not met**');
    console.log('\nTargets at scale 1:');
    if (hourly) {
      console.log(`- one hourly cycle <= 1 s CPU: ${sec(hourly.w.cpuMs)} s, ${mark(hourly.w.cpuMs <= 1000)}`);
      console.log(
        `- one hourly cycle <= 300 MB resident: ${mb(hourly.w.maxRssKb)} MB, ${mark(hourly.w.maxRssKb <= 300 * 1024)}`
      );
    }
    if (month) {
      console.log(`- 30 days of backfill <= 60 s: ${sec(month.w.wallMs)} s, ${mark(month.w.wallMs <= 60_000)}`);
    }
  }
  console.log(
    '\nSeeding (not part of the measures): ' +
      results
        .map((r) => `scale ${r.scale}: ${r.docs.toLocaleString('en-US')} documents in ${sec(r.seedMs)} s`)
        .join('; ') +
      '.'
  );
} finally {
  await stopAll();
}
