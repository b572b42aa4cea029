/**
 * Where scoring runs: a tfjs backend (WebGL, wasm, cpu) through tfStreamForward, or the plain-JS pass.
 * 'auto' times each available candidate once on a synthetic series of the model's shape and keeps the
 * fastest (the caller caches the verdict, e.g. per browser); a forced choice that cannot start falls
 * back along FALLBACK_ORDER. The environment (which backends are registered, how to start them) is
 * injected, so the rule is the same in the browser, in Node and in tests.
 */
import { Rng } from '../rng';
import { streamForward, type NetworkConfig, type NetworkWeights, type StreamOutput } from './network';
import type { Forward } from './score';
import { initTfBackend, tfStreamForward } from './tfForward';

export type ScoringBackend = 'webgl' | 'wasm' | 'cpu' | 'js';
export type ScoringPreference = 'auto' | ScoringBackend;

/** Tried in this order when the preferred one cannot start; 'js' always can. */
const FALLBACK_ORDER: ScoringBackend[] = ['webgl', 'wasm', 'js'];
/** 'auto' never picks tfjs's cpu backend: the plain-JS pass is the same arithmetic without tfjs overhead. */
const AUTO_CANDIDATES: ScoringBackend[] = ['webgl', 'wasm', 'js'];

export interface ScoringChoice {
  backend: ScoringBackend;
  forward: Forward;
  /** Milliseconds per candidate for the timed run (auto only). */
  timings: Partial<Record<ScoringBackend, number>>;
  /** Why the preferred backend is not the one used, if it is not. */
  note?: string;
}

export interface ScoringEnvironment {
  /** tfjs backends registered in this bundle. */
  registered: string[];
  now?: () => number;
  /** Length of the synthetic series the auto choice is timed on; default 60 days of hours. */
  benchmarkSteps?: number;
}

export function forwardFor(backend: ScoringBackend): Forward {
  if (backend === 'js') {
    return streamForward;
  }
  return (cfg, w, inputs, T) => tfStreamForward(cfg, w, inputs, T, backend);
}

async function usable(backend: ScoringBackend, env: ScoringEnvironment): Promise<boolean> {
  return backend === 'js' || (env.registered.includes(backend) && (await initTfBackend(backend)));
}

function syntheticCase(cfg: NetworkConfig, T: number): { w: NetworkWeights; inputs: Float32Array } {
  const rng = new Rng('scoring-backend');
  const U = cfg.units;
  const I = 2 * cfg.features;
  const fill = (n: number, s: number) => Float32Array.from({ length: n }, () => rng.uniform(-s, s));
  const w: NetworkWeights = {
    kernel: fill(I * 4 * U, 0.3),
    recurrent: fill(U * 4 * U, 0.3),
    bias: fill(4 * U, 0.1),
    clsKernel: fill(U, 0.3),
    clsBias: fill(1, 0.1),
    fcKernel: fill(U * cfg.features, 0.3),
    fcBias: fill(cfg.features, 0.1),
  };
  return { w, inputs: fill(T * I, 1) };
}

function agree(a: StreamOutput, b: StreamOutput): boolean {
  for (let i = 0; i < a.logits.length; i++) {
    if (!(Math.abs(a.logits[i] - b.logits[i]) <= 1e-3)) {
      return false;
    }
  }
  return true;
}

/**
 * Picks the scoring backend. Auto times every usable candidate (a warm-up run first: WebGL compiles
 * its shaders then) and drops any whose results differ from the plain-JS pass, e.g. a GPU that only
 * renders float16.
 */
export async function chooseScoringBackend(
  prefer: ScoringPreference,
  cfg: NetworkConfig,
  env: ScoringEnvironment
): Promise<ScoringChoice> {
  const now = env.now ?? (() => performance.now());
  if (prefer !== 'auto') {
    for (const b of [prefer, ...FALLBACK_ORDER.filter((x) => x !== prefer)]) {
      if (await usable(b, env)) {
        const note = b === prefer ? undefined : `${prefer} could not start here; using ${b}`;
        return { backend: b, forward: forwardFor(b), timings: {}, note };
      }
    }
  }
  const T = env.benchmarkSteps ?? 60 * 24;
  const { w, inputs } = syntheticCase(cfg, T);
  const reference = streamForward(cfg, w, inputs, T);
  const timings: Partial<Record<ScoringBackend, number>> = {};
  let best: ScoringBackend = 'js';
  for (const b of AUTO_CANDIDATES) {
    if (!(await usable(b, env))) {
      continue;
    }
    const forward = forwardFor(b);
    try {
      if (!agree(await forward(cfg, w, inputs, T), reference)) {
        continue;
      }
      const t0 = now();
      await forward(cfg, w, inputs, T);
      timings[b] = now() - t0;
    } catch {
      continue;
    }
    if (timings[b]! < (timings[best] ?? Infinity)) {
      best = b;
    }
  }
  return { backend: best, forward: forwardFor(best), timings };
}
