#!/usr/bin/env node
// Model speed in Node: scoring one year (8,760 hourly steps, 13 features) with the bundled model in one
// streaming pass, against the naive way (tfjs `model.predict` over one 24-step sliding window per hour)
// on the same machine and run, per tfjs backend. The one-pass rows are whole scoring (preprocessing,
// forward, surprise, top features): plain JS (`scoreSeries`) and the tfjs one-pass (`scoreSeriesWith` +
// `tfStreamForward`) on wasm and cpu, median of 9 after a warm-up run; naive rows median of 3 after a
// warm-up. Prints Markdown.
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
const { scoreSeries, scoreSeriesWith } = lib('core/model/score.js');
const { streamForward } = lib('core/model/network.js');
const { prepareInputs } = lib('core/model/preprocessing.js');
const { buildLayers, writeWeights } = lib('core/model/layers.js');
const { tfStreamForward } = lib('core/model/tfForward.js');
const gen = lib('core/generator/index.js');

const HOURS = 8760;
const ONE_PASS_RUNS = 9;
const NAIVE_RUNS = 3;
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return median(out);
}
/** Largest |a − b| over the probabilities; NaN on both sides counts as equal, on one side as Infinity. */
function maxDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Number.isNaN(a[i]) && Number.isNaN(b[i]) ? 0 : Math.abs(a[i] - b[i]);
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
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
const reference = scoreSeries(model, matrix); // also the warm-up
const jsMs = await time(() => scoreSeries(model, matrix), ONE_PASS_RUNS);
const prepared = prepareInputs(model.preprocessing, matrix);
const jsForwardMs = await time(
  () => streamForward(model.cfg, model.weights, prepared.inputs, prepared.steps),
  ONE_PASS_RUNS
);
console.error(`[bench-model] plain JS one-pass: ${jsMs.toFixed(1)} ms`);
const onePass = {};
const naive = [];
for (const backend of ['wasm', 'cpu']) {
  await tf.setBackend(backend);
  await tf.ready();

  const tensorsBefore = tf.memory().numTensors;
  const forward = (cfg, w, inputs, T) => tfStreamForward(cfg, w, inputs, T, backend);
  const scores = await scoreSeriesWith(forward, model, matrix); // warm-up (kernels, wasm compilation)
  const ms = await time(() => scoreSeriesWith(forward, model, matrix), ONE_PASS_RUNS);
  const forwardMs = await time(() => forward(model.cfg, model.weights, prepared.inputs, prepared.steps), ONE_PASS_RUNS);
  onePass[backend] = {
    ms,
    forwardMs,
    diff: maxDiff(scores.probability, reference.probability),
    leaked: tf.memory().numTensors - tensorsBefore,
  };
  console.error(
    `[bench-model] ${backend} one-pass: ${ms.toFixed(1)} ms, max |Δp| ${onePass[backend].diff.toExponential(1)}`
  );

  const layers = buildLayers(model.cfg, 1);
  writeWeights(layers, model.cfg, model.weights);
  // One window per scored step: the C steps ending at it (the first C - 1 steps have no full window).
  const n = HOURS - C + 1;
  const windows = new Float32Array(n * C * F2);
  for (let t = 0; t < n; t++) {
    windows.set(prepared.inputs.subarray(t * F2, (t + C) * F2), t * C * F2);
  }
  const x = tf.tensor3d(windows, [n, C, F2]);
  const predict = (batchSize) => {
    const [logits, forecasts] = layers.model.predict(x, { batchSize });
    logits.dataSync();
    tf.dispose([logits, forecasts]);
  };
  predict(1024); // warm-up (kernels, wasm compilation)
  const batches = backend === 'cpu' ? [1024] : [32, 1024];
  for (const b of batches) {
    const ms = await time(() => predict(b), NAIVE_RUNS);
    naive.push({ backend, batch: b, ms });
    console.error(`[bench-model] ${backend} predict batch ${b}: ${ms.toFixed(0)} ms`);
  }
  x.dispose();
  layers.model.dispose();
}

const fmtMs = (ms) => (ms < 100 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(0)} ms`);
const fmtDiff = (d) => (d === 0 ? '0' : d.toExponential(1));
console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model?.trim()}), Node ${process.version}, tfjs 4.22.`);
console.log(
  `Series: ${HOURS} hourly steps × ${model.cfg.features} features (generator, seed 7); model: the bundled default (${model.cfg.units} units, context ${C}).`
);
console.log(
  `One-pass rows: median of ${ONE_PASS_RUNS} after a warm-up run; naive rows: median of ${NAIVE_RUNS} after a warm-up run. ` +
    'Forward alone: the same pass on prepared inputs, without preprocessing, surprise and top features (median of as many runs). ' +
    'Speed-up: naive time on the same backend / one-pass time.\n'
);
console.log(
  '| method | backend | time | forward alone | max \\|Δp\\| vs plain JS | speed-up vs naive batch 32 | speed-up vs naive batch 1024 |'
);
console.log('|---|---|---|---|---|---|---|');
const naiveMs = (backend, batch) => naive.find((r) => r.backend === backend && r.batch === batch)?.ms;
const speedUp = (backend, batch, ms) => {
  const base = naiveMs(backend, batch);
  return base === undefined ? '–' : `${(base / ms).toFixed(1)}x`;
};
console.log(
  `| one-pass streaming scorer (\`scoreSeries\`: preprocessing, forward, surprise, top features) | plain JS | ${fmtMs(jsMs)} | ${fmtMs(jsForwardMs)} | 0 (reference) | – | – |`
);
for (const backend of ['wasm', 'cpu']) {
  const r = onePass[backend];
  console.log(
    `| one-pass \`scoreSeriesWith\` + \`tfStreamForward\` (same steps, forward on tfjs) | ${backend} | ${fmtMs(r.ms)} | ${fmtMs(r.forwardMs)} | ${fmtDiff(r.diff)} | ${speedUp(backend, 32, r.ms)} | ${speedUp(backend, 1024, r.ms)} |`
  );
}
for (const r of naive) {
  console.log(
    `| naive sliding-window \`model.predict\`, batch ${r.batch} | ${r.backend} | ${fmtMs(r.ms)} | – | – | – | – |`
  );
}
const leaks = Object.entries(onePass).filter(([, r]) => r.leaked !== 0);
console.log(
  leaks.length === 0
    ? '\ntf.memory().numTensors after the one-pass runs: unchanged on every backend.'
    : `\ntf.memory().numTensors grew: ${leaks.map(([b, r]) => `${b} +${r.leaked}`).join(', ')}.`
);
