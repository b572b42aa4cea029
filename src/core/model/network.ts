/**
 * The network: an LSTM encoder over the prepared inputs (F standardized values + F missing masks per
 * step) with two per-step heads on its hidden state h_t:
 *   (a) classifier: one logit, P(step t is anomalous);
 *   (b) forecaster: F values, the standardized features of step t + 1.
 *
 * Training and inference share one definition of "context" (see streamForward): the LSTM always
 * starts from a zero state at the start of a window of 2·C steps, and a step is scored at a window
 * position in [C, 2·C), i.e. with C to 2·C − 1 steps of history. Training runs tfjs on such windows;
 * inference runs two zero-reset streams offset by C steps over the whole series in one pass, so each
 * step's output is exactly what tfjs gives for the window that scores it, at O(hours) cost instead of
 * recomputing overlapping windows. The tfjs-layers twin used for training is in layers.ts; this module
 * needs no tfjs, so scoring code can ship without it.
 */
export interface NetworkConfig {
  /** F: features per step (the input has 2·F channels). */
  features: number;
  units: number;
  /** C: minimum history (steps) behind every scored step; training windows are 2·C long. */
  contextSteps: number;
}

export interface NetworkWeights {
  /** [2F, 4U], gates in Keras order i, f, c, o. */
  kernel: Float32Array;
  /** [U, 4U]. */
  recurrent: Float32Array;
  /** [4U]. */
  bias: Float32Array;
  /** [U, 1]. */
  clsKernel: Float32Array;
  /** [1]. */
  clsBias: Float32Array;
  /** [U, F]. */
  fcKernel: Float32Array;
  /** [F]. */
  fcBias: Float32Array;
}

export const WEIGHT_NAMES = ['kernel', 'recurrent', 'bias', 'clsKernel', 'clsBias', 'fcKernel', 'fcBias'] as const;

export function weightShapes(cfg: NetworkConfig): Record<(typeof WEIGHT_NAMES)[number], number[]> {
  const { features: F, units: U } = cfg;
  return {
    kernel: [2 * F, 4 * U],
    recurrent: [U, 4 * U],
    bias: [4 * U],
    clsKernel: [U, 1],
    clsBias: [1],
    fcKernel: [U, F],
    fcBias: [F],
  };
}

export function parameterCount(cfg: NetworkConfig): number {
  return Object.values(weightShapes(cfg)).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
}

/** All weights in WEIGHT_NAMES order, one flat array (what the model document stores). */
export function flattenWeights(w: NetworkWeights): Float32Array {
  const total = WEIGHT_NAMES.reduce((n, k) => n + w[k].length, 0);
  const out = new Float32Array(total);
  let o = 0;
  for (const k of WEIGHT_NAMES) {
    out.set(w[k], o);
    o += w[k].length;
  }
  return out;
}

export function unflattenWeights(cfg: NetworkConfig, flat: Float32Array): NetworkWeights {
  const shapes = weightShapes(cfg);
  const expected = parameterCount(cfg);
  if (flat.length !== expected) {
    throw new Error(
      `weights hold ${flat.length} values but ${cfg.units} units × ${cfg.features} features need ${expected}`
    );
  }
  const out: Partial<NetworkWeights> = {};
  let o = 0;
  for (const k of WEIGHT_NAMES) {
    const n = shapes[k].reduce((a, b) => a * b, 1);
    out[k] = flat.slice(o, o + n);
    o += n;
  }
  return out as NetworkWeights;
}

export interface StreamOutput {
  /** [T] classifier logits. */
  logits: Float32Array;
  /** [T, F] forecast of step t + 1 made at step t. */
  forecasts: Float32Array;
  /** [T] history behind each output (window position); < C only for the first C steps of the series. */
  history: Int32Array;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * One pass over a whole series [T, 2F]: two LSTM streams, reset to zero state every 2·C steps, the
 * second offset by C. Step t takes its outputs from the stream whose window position is ≥ C (the
 * first C steps of the series only have stream 0, with less history). Cost: 2·T LSTM steps.
 */
export function streamForward(cfg: NetworkConfig, w: NetworkWeights, inputs: Float32Array, T: number): StreamOutput {
  const C = cfg.contextSteps;
  const W = 2 * C;
  const U = cfg.units;
  const F = cfg.features;
  const I = 2 * F;
  const G = 4 * U;
  if (inputs.length !== T * I) {
    throw new Error(`inputs hold ${inputs.length} values, expected ${T} × ${I}`);
  }
  // Recurrent weights gate-major, so each gate is one contiguous dot product.
  const recurrentT = new Float32Array(G * U);
  for (let u = 0; u < U; u++) {
    for (let j = 0; j < G; j++) {
      recurrentT[j * U + u] = w.recurrent[u * G + j];
    }
  }
  const hs = [new Float32Array(U), new Float32Array(U)];
  const cs = [new Float32Array(U), new Float32Array(U)];
  const gates = new Float32Array(G);
  const out: StreamOutput = {
    logits: new Float32Array(T),
    forecasts: new Float32Array(T * F),
    history: new Int32Array(T),
  };
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < 2; s++) {
      const rel = t - s * C;
      if (rel < 0) {
        continue;
      }
      const h = hs[s];
      const c = cs[s];
      if (rel % W === 0) {
        h.fill(0);
        c.fill(0);
      }
      gates.set(w.bias);
      const xo = t * I;
      for (let i = 0; i < I; i++) {
        const x = inputs[xo + i];
        if (x === 0) {
          continue; // most mask channels are 0
        }
        const ko = i * G;
        for (let j = 0; j < G; j++) {
          gates[j] += x * w.kernel[ko + j];
        }
      }
      for (let j = 0; j < G; j++) {
        let acc = gates[j];
        const ro = j * U;
        for (let u = 0; u < U; u++) {
          acc += h[u] * recurrentT[ro + u];
        }
        gates[j] = acc;
      }
      for (let u = 0; u < U; u++) {
        const ig = sigmoid(gates[u]);
        const fg = sigmoid(gates[U + u]);
        const cand = Math.tanh(gates[2 * U + u]);
        const og = sigmoid(gates[3 * U + u]);
        c[u] = fg * c[u] + ig * cand;
        h[u] = og * Math.tanh(c[u]);
      }
    }
    const pos = t % W;
    const s = t < C || pos >= C ? 0 : 1;
    out.history[t] = s === 0 ? pos : pos + C;
    const h = hs[s];
    let logit = w.clsBias[0];
    for (let u = 0; u < U; u++) {
      logit += h[u] * w.clsKernel[u];
    }
    out.logits[t] = logit;
    const fo = t * F;
    for (let f = 0; f < F; f++) {
      let v = w.fcBias[f];
      for (let u = 0; u < U; u++) {
        v += h[u] * w.fcKernel[u * F + f];
      }
      out.forecasts[fo + f] = v;
    }
  }
  return out;
}
