/**
 * The streaming scorer on a TensorFlow.js backend (wasm, WebGL or cpu): the same outputs as
 * streamForward (network.ts), computed as one batch of all scoring windows instead of step by step.
 *
 * Window k covers steps [k·C, k·C + 2·C) from a zero state; it supplies the outputs of steps
 * [(k+1)·C, (k+2)·C) (window 0 also the first C steps). That is what the two zero-reset streams of
 * streamForward compute, so the batch has about T / C windows of 2·C steps: 2·T cell updates, like
 * the plain-JS pass, but only 2·C sequential tfjs steps whatever the range (48 for a year), which is
 * what makes a GPU or SIMD backend pay off. Per step and gate: one fused matMul + sigmoid over [x_t, h]
 * (tanh(x) = 2σ(2x) − 1, with the candidate gate's weights doubled, because tfjs fuses sigmoid but not
 * tanh and wasm's tanh is ~5× slower than its sigmoid), then the cell update.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { NetworkConfig, NetworkWeights, StreamOutput } from './network';

/** Windows covering T steps (see the module comment). */
export function windowCount(T: number, C: number): number {
  return Math.max(1, Math.ceil(T / C) - 1);
}

/**
 * Per gate (i, f, g, o): the [2F + U, U] input and recurrent kernels stacked, and the [U] bias; the
 * candidate gate g doubled (see the module comment).
 */
function gateWeights(cfg: NetworkConfig, w: NetworkWeights): Array<{ kernel: Float32Array; bias: Float32Array }> {
  const U = cfg.units;
  const I = 2 * cfg.features;
  const G = 4 * U;
  return [0, 1, 2, 3].map((k) => {
    const scale = k === 2 ? 2 : 1;
    const kernel = new Float32Array((I + U) * U);
    for (let r = 0; r < I + U; r++) {
      const src = r < I ? w.kernel : w.recurrent;
      const row = (r < I ? r : r - I) * G + k * U;
      for (let u = 0; u < U; u++) {
        kernel[r * U + u] = scale * src[row + u];
      }
    }
    const bias = w.bias.slice(k * U, (k + 1) * U).map((v) => scale * v);
    return { kernel, bias };
  });
}

/** Initializes a registered backend without leaving it active (see tfStreamForward). */
export async function initTfBackend(name: string): Promise<boolean> {
  if (tf.findBackend(name)) {
    return true;
  }
  const previous = tf.engine().backendName;
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch {
    ok = false;
  }
  if (previous && previous !== name && tf.findBackend(previous)) {
    await tf.setBackend(previous);
  }
  return ok;
}

/**
 * Scores [T, 2F] inputs on a tfjs backend: the active one, or `backend` (already initialized, see
 * initTfBackend). The tfjs engine is one per page, shared with any other plugin that bundles tfjs, so
 * a named backend is only borrowed while the kernels are queued and the previous one put back before
 * awaiting the results. Equal to streamForward within float32 rounding (tests hold it to 1e-4 on every
 * backend). Creates no tensors that outlive the call.
 */
export async function tfStreamForward(
  cfg: NetworkConfig,
  w: NetworkWeights,
  inputs: Float32Array,
  T: number,
  backend?: string
): Promise<StreamOutput> {
  const C = cfg.contextSteps;
  const W = 2 * C;
  const U = cfg.units;
  const F = cfg.features;
  const I = 2 * F;
  if (inputs.length !== T * I) {
    throw new Error(`inputs hold ${inputs.length} values, expected ${T} × ${I}`);
  }
  const K = windowCount(T, C);
  // Inputs by window position: steps[s] is [K, I], row k = step k·C + s (zero past the end, which only
  // feeds outputs that are dropped: the LSTM is causal).
  const steps: Float32Array[] = [];
  for (let s = 0; s < W; s++) {
    const a = new Float32Array(K * I);
    for (let k = 0; k < K && k * C + s < T; k++) {
      const t = k * C + s;
      a.set(inputs.subarray(t * I, (t + 1) * I), k * I);
    }
    steps.push(a);
  }
  const gates = gateWeights(cfg, w);
  const previous = tf.engine().backendName;
  if (backend && backend !== previous) {
    if (!tf.findBackend(backend)) {
      throw new Error(`tfjs backend "${backend}" is not initialized`);
    }
    void tf.setBackend(backend); // synchronous for an initialized backend
  }
  const heads = tf.tidy(() => {
    // Four small fused matMuls (one per gate) cost less than one wide one plus splitting it (wasm).
    const perGate = gates.map((g) => ({ b: tf.tensor2d(g.kernel, [I + U, U]), bias: tf.tensor1d(g.bias) }));
    let h: tf.Tensor2D = tf.zeros([K, U]);
    let c: tf.Tensor2D = tf.zeros([K, U]);
    const hs: tf.Tensor2D[] = [];
    for (let s = 0; s < W; s++) {
      const x = tf.concat([tf.tensor2d(steps[s], [K, I]), h], 1);
      const [i, f, g, o] = perGate.map(({ b, bias }) => tf.fused.matMul({ a: x, b, bias, activation: 'sigmoid' }));
      // c = f·c + i·tanh(z_g) with tanh(z_g) = 2g − 1; h = o·tanh(c) = 2·o·σ(2c) − o.
      c = tf.add(tf.mul(f, c), tf.sub(tf.mul(tf.mul(i, g), 2), i));
      h = tf.sub(tf.mul(tf.mul(o, tf.sigmoid(tf.mul(c, 2))), 2), o);
      hs.push(h);
    }
    const headKernel = tf.concat([tf.tensor2d(w.clsKernel, [U, 1]), tf.tensor2d(w.fcKernel, [U, F])], 1);
    const headBias = tf.concat([tf.tensor1d(w.clsBias), tf.tensor1d(w.fcBias)]);
    // Rows ordered [window position, window].
    return tf.fused.matMul({ a: tf.concat(hs, 0), b: headKernel, bias: headBias });
  });
  if (backend && previous && previous !== backend) {
    void tf.setBackend(previous);
  }
  let rows: Float32Array;
  try {
    rows = (await heads.data()) as Float32Array;
  } finally {
    heads.dispose();
  }
  const out: StreamOutput = {
    logits: new Float32Array(T),
    forecasts: new Float32Array(T * F),
    history: new Int32Array(T),
  };
  for (let t = 0; t < T; t++) {
    const k = t < C ? 0 : Math.floor(t / C) - 1;
    const pos = t - k * C;
    const r = (pos * K + k) * (1 + F);
    out.history[t] = pos;
    out.logits[t] = rows[r];
    out.forecasts.set(rows.subarray(r + 1, r + 1 + F), t * F);
  }
  return out;
}
