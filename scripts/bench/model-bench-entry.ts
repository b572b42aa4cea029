/**
 * Page side of scripts/bench-model-browser.mjs: scores one generated year with the bundled model in the
 * browser and times it per tfjs backend. Exposes window.gsBench; the Node script calls its steps one by one
 * (page.evaluate) so it can log progress, and prints the table. Times are performance.now() around
 * awaited work (the results are read back, so a GPU backend has finished).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { DEFAULT_SEED_SCALE, generateLabelledSeries } from '../../src/core/generator';
import { loadModel } from '../../src/core/model/modelDocument';
import { buildLayers, writeWeights, type NetworkLayers } from '../../src/core/model/layers';
import { streamForward } from '../../src/core/model/network';
import { prepareInputs } from '../../src/core/model/preprocessing';
import { scoreSeries, scoreSeriesWith, type SeriesScores } from '../../src/core/model/score';
import { initTfBackend, tfStreamForward } from '../../src/core/model/tfForward';
import defaultModel from '../../src/datasource/model/default-model.json';

const HOURS = 8760;

// The .wasm binaries are copied next to this bundle, which the page serves from its root.
setWasmPaths(new URL('./', document.baseURI).href);
tf.enableProdMode();

const model = loadModel(defaultModel);
const matrix = generateLabelledSeries({
  start: Date.UTC(2025, 0, 1),
  hours: HOURS,
  seed: '7',
  scale: DEFAULT_SEED_SCALE,
}).series.matrix;
let reference: SeriesScores | null = null;

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Largest |a − b|; NaN on both sides counts as equal, on one side as Infinity. */
function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Number.isNaN(a[i]) && Number.isNaN(b[i]) ? 0 : Math.abs(a[i] - b[i]);
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

async function timeRuns(fn: () => Promise<unknown> | unknown, runs: number, budgetMs = Infinity): Promise<number[]> {
  const out: number[] = [];
  const start = performance.now();
  for (let i = 0; i < runs && (i === 0 || performance.now() - start < budgetMs); i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

function webglRenderer(): string | null {
  try {
    const gl =
      document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
    if (!gl) {
      return null;
    }
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) as string;
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return renderer;
  } catch {
    return null;
  }
}

export interface BenchInfo {
  userAgent: string;
  webglRenderer: string | null;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  hours: number;
  features: number;
  units: number;
  contextSteps: number;
  tfjsVersion: string;
}

export interface BackendInfo {
  ok: boolean;
  /** tfjs flags of interest once the backend is up (SIMD/threads for wasm, WebGL version and float32 for webgl). */
  flags: Record<string, unknown>;
  /** WebGL only: whether tfjs needed SOFTWARE_WEBGL_ENABLED (failIfMajorPerformanceCaveat off) to start. */
  neededSoftwareFlag?: boolean;
}

export interface Timing {
  /** Median of the timed runs, ms. */
  ms: number;
  runs: number[];
  /** The untimed first run (warm-up), ms. */
  firstMs?: number;
  /** Max |probability − plain-JS probability| (one-pass only). */
  maxDiff?: number;
  /** One-pass only: median of the forward pass alone on prepared inputs (no preprocessing or surprise), ms. */
  forwardMs?: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

async function initBackend(name: 'wasm' | 'webgl'): Promise<BackendInfo> {
  let ok = await initTfBackend(name);
  let neededSoftwareFlag: boolean | undefined;
  if (name === 'webgl') {
    neededSoftwareFlag = false;
    if (!ok) {
      // tfjs asks for failIfMajorPerformanceCaveat unless this is set; a software renderer may refuse that.
      tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
      ok = await initTfBackend(name);
      neededSoftwareFlag = ok;
    }
  }
  const flags: Record<string, unknown> = {};
  if (ok) {
    const names =
      name === 'wasm'
        ? ['WASM_HAS_SIMD_SUPPORT', 'WASM_HAS_MULTITHREAD_SUPPORT']
        : ['WEBGL_VERSION', 'WEBGL_RENDER_FLOAT32_ENABLED', 'WEBGL_PACK', 'SOFTWARE_WEBGL_ENABLED'];
    for (const f of names) {
      flags[f] = await tf.env().getAsync(f);
    }
  }
  return { ok, flags, neededSoftwareFlag };
}

/** The plain-JS scorer (scoreSeries); also keeps its probabilities as the reference. */
async function plainJs(runs: number): Promise<Timing> {
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  reference = scoreSeries(model, matrix); // warm-up
  const firstMs = performance.now() - t0;
  const times = await timeRuns(() => scoreSeries(model, matrix), runs);
  const prepared = prepareInputs(model.preprocessing, matrix);
  const forwardTimes = await timeRuns(
    () => streamForward(model.cfg, model.weights, prepared.inputs, prepared.steps),
    runs
  );
  return {
    ms: median(times),
    runs: times,
    firstMs,
    maxDiff: 0,
    forwardMs: median(forwardTimes),
    tensorsBefore,
    tensorsAfter: tf.memory().numTensors,
  };
}

/** Whole scoring (preprocessing, forward on the backend, surprise, top features): scoreSeriesWith + tfStreamForward. */
async function onePass(backend: string, runs: number): Promise<Timing> {
  if (!reference) {
    throw new Error('run plainJs first (it is the reference)');
  }
  const forward = (...a: Parameters<typeof tfStreamForward>) => tfStreamForward(a[0], a[1], a[2], a[3], backend);
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  const scores = await scoreSeriesWith(forward, model, matrix); // warm-up (shaders, wasm kernels)
  const firstMs = performance.now() - t0;
  const times = await timeRuns(() => scoreSeriesWith(forward, model, matrix), runs);
  const prepared = prepareInputs(model.preprocessing, matrix);
  const forwardTimes = await timeRuns(() => forward(model.cfg, model.weights, prepared.inputs, prepared.steps), runs);
  return {
    ms: median(times),
    runs: times,
    firstMs,
    maxDiff: maxDiff(scores.probability, reference.probability),
    forwardMs: median(forwardTimes),
    tensorsBefore,
    tensorsAfter: tf.memory().numTensors,
  };
}

interface NaiveState {
  backend: string;
  layers: NetworkLayers;
  x: tf.Tensor3D;
  n: number;
}
let naiveState: NaiveState | null = null;

function disposeNaive(): void {
  if (naiveState) {
    naiveState.x.dispose();
    naiveState.layers.model.dispose();
    naiveState = null;
  }
}

/** The tfjs-layers model and one C-step window per scored hour, on the backend (made active). */
async function naiveSetup(backend: string): Promise<NaiveState> {
  if (naiveState?.backend === backend) {
    return naiveState;
  }
  disposeNaive();
  await tf.setBackend(backend);
  const C = model.cfg.contextSteps;
  const F2 = 2 * model.cfg.features;
  const layers = buildLayers(model.cfg, 1);
  writeWeights(layers, model.cfg, model.weights);
  const prepared = prepareInputs(model.preprocessing, matrix);
  // One window per scored step: the C steps ending at it (the first C - 1 steps have no full window).
  const n = HOURS - C + 1;
  const windows = new Float32Array(n * C * F2);
  for (let t = 0; t < n; t++) {
    windows.set(prepared.inputs.subarray(t * F2, (t + C) * F2), t * C * F2);
  }
  naiveState = { backend, layers, x: tf.tensor3d(windows, [n, C, F2]), n };
  return naiveState;
}

async function predict(s: NaiveState, x: tf.Tensor3D, batchSize: number): Promise<void> {
  const [logits, forecasts] = s.layers.model.predict(x, { batchSize }) as tf.Tensor[];
  try {
    await logits.data();
  } finally {
    tf.dispose([logits, forecasts]);
  }
}

/**
 * The naive way: layers model.predict over every window with the given batch size. Warm-up on a slice
 * with the same batch shapes (one full batch and the last partial one) so WebGL compiles its shaders
 * first; then up to `runs` timed runs, stopping early once `budgetMs` is spent (at least one run).
 */
async function naive(backend: string, batchSize: number, runs: number, budgetMs: number): Promise<Timing> {
  const s = await naiveSetup(backend);
  const tensorsBefore = tf.memory().numTensors; // the layers model's weights and the windows are held until cleanup
  const warm = Math.min(s.n, batchSize + (s.n % batchSize));
  const xs = tf.slice(s.x, [0, 0, 0], [warm, -1, -1]);
  const t0 = performance.now();
  await predict(s, xs, batchSize);
  const firstMs = performance.now() - t0;
  xs.dispose();
  const times = await timeRuns(() => predict(s, s.x, batchSize), runs, budgetMs);
  return { ms: median(times), runs: times, firstMs, tensorsBefore, tensorsAfter: tf.memory().numTensors };
}

function info(): BenchInfo {
  return {
    userAgent: navigator.userAgent,
    webglRenderer: webglRenderer(),
    crossOriginIsolated: window.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    hours: HOURS,
    features: model.cfg.features,
    units: model.cfg.units,
    contextSteps: model.cfg.contextSteps,
    tfjsVersion: tf.version_core,
  };
}

const api = {
  info,
  initBackend,
  plainJs,
  onePass,
  naive,
  cleanup: () => {
    disposeNaive();
    return tf.memory().numTensors;
  },
};
export type GsBench = typeof api;

(window as unknown as { gsBench: GsBench }).gsBench = api;
document.documentElement.dataset.gsBench = 'ready';
