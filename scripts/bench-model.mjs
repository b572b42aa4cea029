#!/usr/bin/env node
// Model speed in Node: scoring one year (8,760 hourly steps, 13 features) with the bundled model in one
// streaming pass, against the naive way (tfjs `model.predict` over one 24-step sliding window per hour)
// on the same machine and run, per tfjs backend. Prints Markdown; median of 5 (naive: of 3).
//
//   npm run cli:build && node scripts/bench-model.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const lib = (p) => require(path.join(ROOT, 'build/cli', p));
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-backend-wasm');
const { loadModel } = lib('core/model/modelDocument.js');
const { scoreSeries } = lib('core/model/score.js');
const { prepareInputs } = lib('core/model/preprocessing.js');
const { buildLayers, writeWeights } = lib('core/model/network.js');
const gen = lib('core/generator/index.js');

const HOURS = 8760;
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

const model = loadModel(readFileSync(path.join(ROOT, 'src/datasource/model/default-model.json'), 'utf8'));
const { series } = gen.generateLabelledSeries({
  start: Date.UTC(2025, 0, 1),
  hours: HOURS,
  seed: '7',
  scale: gen.DEFAULT_SEED_SCALE,
});
const matrix = series.matrix;
const C = model.cfg.contextSteps;
const F2 = 2 * model.cfg.features;

tf.enableProdMode();
const onePass = time(() => scoreSeries(model, matrix), 5);
const rows = [];
for (const backend of ['wasm', 'cpu']) {
  await tf.setBackend(backend);
  await tf.ready();
  const layers = buildLayers(model.cfg, 1);
  writeWeights(layers, model.cfg, model.weights);
  const prepared = prepareInputs(model.preprocessing, matrix);
  // One window per scored step: the C steps ending at it (the first C - 1 steps have no full window).
  const n = HOURS - C + 1;
  const windows = new Float32Array(n * C * F2);
  for (let t = 0; t < n; t++) {
    windows.set(prepared.inputs.subarray(t * F2, (t + C) * F2), t * C * F2);
  }
  const x = tf.tensor3d(windows, [n, C, F2]);
  const naive = (batchSize) => {
    const [logits, forecasts] = layers.model.predict(x, { batchSize });
    logits.dataSync();
    tf.dispose([logits, forecasts]);
  };
  naive(1024); // warm-up (kernels, wasm compilation)
  const batches = backend === 'cpu' ? [1024] : [32, 1024];
  for (const b of batches) {
    const ms = time(() => naive(b), 3);
    rows.push({ backend, batch: b, ms });
    console.error(`[bench-model] ${backend} predict batch ${b}: ${ms.toFixed(0)} ms`);
  }
  x.dispose();
  layers.model.dispose();
}

console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model?.trim()}), Node ${process.version}, tfjs 4.22.`);
console.log(
  `Series: ${HOURS} hourly steps × ${model.cfg.features} features (generator, seed 7); model: the bundled default (${model.cfg.units} units, context ${C}).\n`
);
console.log('| method | backend | time | one-pass speed-up |');
console.log('|---|---|---|---|');
console.log(
  `| one-pass streaming scorer (\`scoreSeries\`: preprocessing, forward, surprise, top features) | plain JS | ${onePass.toFixed(0)} ms | 1.0x |`
);
for (const r of rows) {
  console.log(
    `| naive sliding-window \`model.predict\`, batch ${r.batch} | ${r.backend} | ${r.ms.toFixed(0)} ms | ${(r.ms / onePass).toFixed(1)}x |`
  );
}
