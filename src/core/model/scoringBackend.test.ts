import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import { chooseScoringBackend } from './scoringBackend';

const cfg = { features: 3, units: 8, contextSteps: 6 };
// Node registers cpu and wasm; WebGL is absent, as in a browser where it is disabled.
const env = { registered: ['cpu', 'wasm'], benchmarkSteps: 200 };

beforeAll(() => tf.enableProdMode());

describe('chooseScoringBackend', () => {
  it('auto times every usable candidate, never tfjs cpu, and picks the fastest', async () => {
    const choice = await chooseScoringBackend('auto', cfg, env);
    expect(Object.keys(choice.timings).sort()).toEqual(['js', 'wasm']);
    expect(choice.backend).toBe(Object.entries(choice.timings).sort((a, b) => a[1] - b[1])[0][0]);
  });

  it('uses a forced backend that starts, and falls back with a note when it cannot', async () => {
    expect((await chooseScoringBackend('wasm', cfg, env)).backend).toBe('wasm');
    expect((await chooseScoringBackend('js', cfg, env)).backend).toBe('js');
    const fallback = await chooseScoringBackend('webgl', cfg, env);
    expect(fallback.backend).toBe('wasm');
    expect(fallback.note).toMatch(/webgl could not start here; using wasm/);
  });

  it('gives a forward pass that scores on the chosen backend without switching the active one', async () => {
    await tf.setBackend('cpu');
    const choice = await chooseScoringBackend('wasm', cfg, env);
    const T = 30;
    const w = {
      kernel: new Float32Array(6 * 32).fill(0.01),
      recurrent: new Float32Array(8 * 32).fill(0.01),
      bias: new Float32Array(32),
      clsKernel: new Float32Array(8).fill(0.1),
      clsBias: new Float32Array(1),
      fcKernel: new Float32Array(8 * 3).fill(0.1),
      fcBias: new Float32Array(3),
    };
    const out = await choice.forward(cfg, w, new Float32Array(T * 6).fill(0.5), T);
    expect(out.logits).toHaveLength(T);
    expect(tf.getBackend()).toBe('cpu');
  });
});
