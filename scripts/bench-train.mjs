#!/usr/bin/env node
// Training speed in Node on the wasm backend (the backend the browser's training worker uses): one
// epoch over 4,200 labelled hours (generator, seed 7, its outages as labels) and a whole retrain with
// the defaults (30 epochs at most, early stopping), as the timeline's Retrain dialog runs it.
// Prints Markdown; per-epoch time is the median over the run's epochs (from the progress callbacks).
//
//   npm run cli:build && node scripts/bench-train.mjs
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const lib = (p) => require(path.join(ROOT, 'build/cli', p));
const tf = require('@tensorflow/tfjs-core');
const { selectTrainingBackend } = lib('core/model/trainingBackend.js');
const { trainModel } = lib('core/model/train.js');
const gen = lib('core/generator/index.js');

const HOURS = 4200;
const backend = await selectTrainingBackend('wasm');
const { series } = gen.generateLabelledSeries({
  start: Date.UTC(2025, 0, 1),
  hours: HOURS,
  seed: '7',
  scale: gen.DEFAULT_SEED_SCALE,
});
const labels = series.labels.map((l) => (l === null ? null : l));
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(opts) {
  const stamps = [];
  const t0 = performance.now();
  const doc = await trainModel(
    { matrix: series.matrix, labels },
    { ...opts, onProgress: () => stamps.push(performance.now()) }
  );
  const total = performance.now() - t0;
  const epochMs = stamps.map((t, i) => t - (i === 0 ? t0 : stamps[i - 1]));
  return { total, epochs: stamps.length, epochMs: median(epochMs.slice(1).length ? epochMs.slice(1) : epochMs), doc };
}

const rows = [];
for (const [name, opts] of [
  ['defaults (batch 32, up to 30 epochs, early stopping)', {}],
  ['batch 64', { batchSize: 64 }],
]) {
  const r = await run(opts);
  rows.push({ name, ...r });
  console.error(
    `[bench-train] ${name}: ${r.epochs} epochs, ${r.epochMs.toFixed(0)} ms/epoch, ${(r.total / 1000).toFixed(1)} s`
  );
}
console.log(
  `Machine: ${cpus().length} cores (${cpus()[0]?.model?.trim()}), Node ${process.version}, tfjs ${tf.version_core} on ${backend}.`
);
console.log(
  `Series: ${HOURS} hourly steps × ${series.matrix.features.length} features (generator, seed 7), labels = its outages.\n`
);
console.log('| configuration | epochs run | time per epoch (median) | whole retrain |');
console.log('|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.epochs} | ${r.epochMs.toFixed(0)} ms | ${(r.total / 1000).toFixed(1)} s |`);
}
