#!/usr/bin/env node
// Model speed in headless Chromium: scoring one year (8,760 hourly steps, 13 features) with the bundled
// model, per tfjs backend (wasm, WebGL), against the naive way (tfjs-layers `model.predict` over one
// 24-step sliding window per hour, batch 32 and 1024) on the same backend, and the plain-JS scorer, in one
// page. The one-pass rows are whole scoring (preprocessing, forward, surprise, top features). Prints Markdown.
//
//   . scripts/ensure-node.sh && node scripts/bench-model-browser.mjs
//
// Bundles scripts/bench/model-bench-entry.ts with webpack (production, swc-loader; cache in
// node_modules/.cache/gs-bench-model) into scripts/bench/.build/ with the tfjs-backend-wasm binaries,
// serves that folder on 127.0.0.1 and opens it in Chromium (tests/browser/browser.mjs: SwiftShader WebGL).
// WebGL here is SwiftShader, a CPU renderer: its timings say nothing about a real GPU.
// The bundle (1 MB) is removed after the run unless --keep-build is given.
// Options: --keep-build, --no-build (reuse a kept scripts/bench/.build), --backends=wasm,webgl,
// --runs=7 (one-pass and plain JS), --naive-runs=3, --naive-budget-s=60 (stop repeating a naive row once
// this much time is spent; at least one run).
import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, watchPage } from '../tests/browser/browser.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = path.join(ROOT, 'scripts', 'bench');
const OUT_DIR = path.join(BENCH_DIR, '.build');
const WASM_DIR = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
const require = createRequire(import.meta.url);

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  })
);
const BACKENDS = String(args.backends ?? 'wasm,webgl').split(',');
const ONE_PASS_RUNS = Number(args.runs ?? 7);
const JS_RUNS = ONE_PASS_RUNS;
const NAIVE_RUNS = Number(args['naive-runs'] ?? 3);
const NAIVE_BUDGET_MS = Number(args['naive-budget-s'] ?? 60) * 1000;
const log = (msg) => console.error(`[bench-model-browser] ${msg}`);

function webpackConfig() {
  return {
    mode: 'production',
    devtool: false,
    context: BENCH_DIR,
    entry: { main: './model-bench-entry.ts' },
    output: { path: OUT_DIR, filename: '[name].js', publicPath: '/', clean: true },
    cache: {
      type: 'filesystem',
      cacheDirectory: path.join(ROOT, 'node_modules', '.cache', 'gs-bench-model'),
      buildDependencies: { config: [fileURLToPath(import.meta.url)] },
    },
    resolve: { extensions: ['.ts', '.mjs', '.js', '.json'] },
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: { swcrc: false, jsc: { target: 'es2020', parser: { syntax: 'typescript' } } },
          },
        },
      ],
    },
    performance: { hints: false },
    stats: 'errors-warnings',
    infrastructureLogging: { level: 'warn' },
  };
}

async function build() {
  const webpack = require('webpack');
  const t0 = performance.now();
  const stats = await new Promise((resolve, reject) => {
    const compiler = webpack(webpackConfig());
    compiler.run((err, s) => compiler.close(() => (err ? reject(err) : resolve(s))));
  });
  if (stats.hasErrors()) {
    throw new Error(`webpack build failed:\n${stats.toString('errors-only')}`);
  }
  if (stats.hasWarnings()) {
    log(`webpack warnings:\n${stats.toString('errors-warnings')}`);
  }
  for (const f of readdirSync(WASM_DIR).filter((f) => f.endsWith('.wasm'))) {
    copyFileSync(path.join(WASM_DIR, f), path.join(OUT_DIR, f));
  }
  writeFileSync(
    path.join(OUT_DIR, 'index.html'),
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8" /><title>GridSentinel model bench</title>' +
      '<link rel="icon" href="data:," /></head><body><script src="main.js"></script></body></html>\n'
  );
  log(
    `bundle built in ${((performance.now() - t0) / 1000).toFixed(1)} s (${statSync(path.join(OUT_DIR, 'main.js')).size} B)`
  );
}

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Static server for OUT_DIR on 127.0.0.1 (ephemeral port). No COOP/COEP, like Grafana: wasm runs unthreaded. */
async function serve() {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.resolve(OUT_DIR, rel);
    if (!file.startsWith(OUT_DIR + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

const fmtMs = (ms) => (ms < 100 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(0)} ms`);
const fmtDiff = (d) => (d === undefined ? '–' : d === 0 ? '0' : d.toExponential(1));
const fmtRuns = (t) => (t.runs.length === 1 ? '1 run' : `median of ${t.runs.length}`);

async function main() {
  if (!args['no-build']) {
    mkdirSync(OUT_DIR, { recursive: true });
    await build();
  } else if (!existsSync(path.join(OUT_DIR, 'main.js'))) {
    throw new Error(`${OUT_DIR}/main.js missing; run without --no-build`);
  }
  const { server, url } = await serve();
  const browser = await launchChromium();
  const rows = [];
  const backendInfo = {};
  let info;
  let chromium;
  let tensorsAtEnd;
  let page;
  let watch;
  try {
    chromium = browser.version();
    page = await browser.newPage();
    watch = watchPage(page);
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.documentElement.dataset.gsBench === 'ready', null, { timeout: 30000 });
    info = await page.evaluate(() => window.gsBench.info());

    const js = await page.evaluate((runs) => window.gsBench.plainJs(runs), JS_RUNS);
    log(`plain JS: ${fmtMs(js.ms)} (first ${fmtMs(js.firstMs)})`);
    rows.push({ backend: 'plain JS', method: 'onePassJs', t: js });

    for (const backend of BACKENDS) {
      const bi = await page.evaluate((b) => window.gsBench.initBackend(b), backend);
      backendInfo[backend] = bi;
      log(`${backend}: ${bi.ok ? 'up' : 'FAILED to start'} ${JSON.stringify(bi.flags)}`);
      if (!bi.ok) {
        continue;
      }
      const one = await page.evaluate(([b, runs]) => window.gsBench.onePass(b, runs), [backend, ONE_PASS_RUNS]);
      log(`${backend} one-pass: ${fmtMs(one.ms)} (first ${fmtMs(one.firstMs)}), max |Δp| ${fmtDiff(one.maxDiff)}`);
      rows.push({ backend, method: 'onePass', t: one });
      for (const batch of [1024, 32]) {
        const nv = await page.evaluate(
          ([b, bs, runs, budget]) => window.gsBench.naive(b, bs, runs, budget),
          [backend, batch, NAIVE_RUNS, NAIVE_BUDGET_MS]
        );
        log(`${backend} naive batch ${batch}: ${fmtMs(nv.ms)} (${nv.runs.map((r) => r.toFixed(0)).join(', ')} ms)`);
        rows.push({ backend, method: 'naive', batch, t: nv });
      }
    }
    tensorsAtEnd = await page.evaluate(() => window.gsBench.cleanup());
  } finally {
    await browser.close().catch(() => {});
    server.close();
    if (!args['keep-build']) {
      rmSync(OUT_DIR, { recursive: true, force: true });
    }
  }
  if (watch.pageErrors.length > 0 || watch.consoleErrors.length > 0 || watch.badResponses.length > 0) {
    log(`page problems:\n  ${[...watch.pageErrors, ...watch.consoleErrors, ...watch.badResponses].join('\n  ')}`);
  }
  if (watch.consoleWarnings.length > 0) {
    log(`console warnings:\n  ${watch.consoleWarnings.join('\n  ')}`);
  }

  const naiveMs = (backend, batch) =>
    rows.find((r) => r.method === 'naive' && r.backend === backend && r.batch === batch)?.t.ms;
  const onePassMs = (backend) => rows.find((r) => r.method === 'onePass' && r.backend === backend)?.t.ms;
  const ratio = (a, b) => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(1)}x`);

  console.log('<!-- . scripts/ensure-node.sh && node scripts/bench-model-browser.mjs -->');
  console.log(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model?.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM; ` +
      `Chromium ${chromium} headless (playwright-core, ${info.hardwareConcurrency} logical CPUs in the page), ` +
      `tfjs ${info.tfjsVersion}; WebGL renderer: ${info.webglRenderer ?? 'none'}.`
  );
  const wasmFlags = backendInfo.wasm?.flags;
  const glInfo = backendInfo.webgl;
  console.log(
    `wasm: ${wasmFlags ? `SIMD ${wasmFlags.WASM_HAS_SIMD_SUPPORT}, threads ${wasmFlags.WASM_HAS_MULTITHREAD_SUPPORT} (crossOriginIsolated ${info.crossOriginIsolated})` : 'not run'}; ` +
      `webgl: ${glInfo ? (glInfo.ok ? `WebGL ${glInfo.flags.WEBGL_VERSION}, float32 render ${glInfo.flags.WEBGL_RENDER_FLOAT32_ENABLED}, SOFTWARE_WEBGL_ENABLED ${glInfo.neededSoftwareFlag ? 'needed' : 'not needed'}` : 'failed to start') : 'not run'}.`
  );
  console.log(
    `Series: ${info.hours} hourly steps × ${info.features} features (generator, seed 7); model: the bundled default ` +
      `(${info.units} units, context ${info.contextSteps}). One-pass and plain-JS rows: median of ${ONE_PASS_RUNS} after a warm-up run; ` +
      `naive rows: after a warm-up on a slice with the same batch shapes, up to ${NAIVE_RUNS} runs (fewer once ${NAIVE_BUDGET_MS / 1000} s are spent). ` +
      'Forward alone: the same pass without preprocessing, surprise and top features (median of as many runs). ' +
      'Tensors: tf.memory().numTensors around each row (the naive rows hold the layers model and the windows, disposed at the end). ' +
      'Speed-up: naive time on the same backend / one-pass time.\n'
  );
  console.log(
    '| method | backend | time | runs | first (warm-up) run | forward alone | max \\|Δp\\| vs plain JS | tensors before → after | speed-up vs naive batch 32 | speed-up vs naive batch 1024 |'
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const t = r.t;
    const label =
      r.method === 'onePassJs'
        ? 'one-pass `scoreSeries` (preprocessing, forward, surprise, top features)'
        : r.method === 'onePass'
          ? 'one-pass `scoreSeriesWith` + `tfStreamForward` (same steps, forward on tfjs)'
          : `naive sliding-window \`model.predict\`, batch ${r.batch}`;
    const one = r.method === 'onePass';
    console.log(
      `| ${label} | ${r.backend} | ${fmtMs(t.ms)} | ${fmtRuns(t)} | ${fmtMs(t.firstMs)} | ${t.forwardMs === undefined ? '–' : fmtMs(t.forwardMs)} | ${fmtDiff(t.maxDiff)} | ` +
        `${t.tensorsBefore} → ${t.tensorsAfter} | ${one ? ratio(naiveMs(r.backend, 32), t.ms) : '–'} | ${one ? ratio(naiveMs(r.backend, 1024), t.ms) : '–'} |`
    );
  }
  console.log(`\ntf.memory().numTensors at the end, after disposing the naive model and windows: ${tensorsAtEnd}.`);
  for (const b of BACKENDS) {
    if (onePassMs(b) !== undefined) {
      log(
        `${b}: one-pass ${fmtMs(onePassMs(b))}, speed-up ${ratio(naiveMs(b, 32), onePassMs(b))} vs batch 32, ${ratio(naiveMs(b, 1024), onePassMs(b))} vs batch 1024`
      );
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
