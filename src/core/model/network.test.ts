import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

import { buildLayers, readWeights, writeWeights } from './layers';
import { flattenWeights, streamForward, unflattenWeights, type NetworkConfig } from './network';
import { Rng } from '../rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('streamForward', () => {
  it('equals tfjs predict on the window that scores each step', () => {
    const cfg: NetworkConfig = { features: 3, units: 8, contextSteps: 5 };
    const layers = buildLayers(cfg, 3);
    const w = readWeights(layers);
    const rng = new Rng('net');
    // Random non-zero biases/heads so every weight matters.
    w.bias = w.bias.map(() => rng.uniform(-0.5, 0.5));
    w.clsBias[0] = 0.3;
    w.fcBias = w.fcBias.map(() => rng.uniform(-0.5, 0.5));
    const T = 37;
    const I = 2 * cfg.features;
    const inputs = new Float32Array(T * I);
    for (let t = 0; t < T; t++) {
      for (let f = 0; f < cfg.features; f++) {
        const missing = rng.chance(0.15);
        inputs[t * I + f] = missing ? 0 : rng.normal();
        inputs[t * I + cfg.features + f] = missing ? 1 : 0;
      }
    }
    writeWeights(layers, cfg, w);
    const out = streamForward(cfg, w, inputs, T);
    const C = cfg.contextSteps;
    let maxDiff = 0;
    for (let t = 0; t < T; t++) {
      const start = t - out.history[t];
      expect(start % C).toBe(0);
      expect(out.history[t] >= C || t < C).toBe(true);
      const len = Math.min(2 * C, T - start);
      const x = tf.tensor3d(inputs.slice(start * I, (start + len) * I), [1, len, I]);
      const [logits, fc] = layers.model.predict(x) as tf.Tensor[];
      const p = out.history[t];
      const l = logits.dataSync()[p];
      const f = fc.dataSync().slice(p * cfg.features, (p + 1) * cfg.features);
      maxDiff = Math.max(maxDiff, Math.abs(l - out.logits[t]));
      f.forEach((v, k) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - out.forecasts[t * cfg.features + k]));
      });
      tf.dispose([x, logits, fc]);
    }
    expect(maxDiff).toBeLessThan(1e-4);
    layers.model.dispose();
  });

  it('flattens and unflattens weights in a fixed order', () => {
    const cfg: NetworkConfig = { features: 2, units: 4, contextSteps: 3 };
    const layers = buildLayers(cfg, 1);
    const w = readWeights(layers);
    const back = unflattenWeights(cfg, flattenWeights(w));
    expect(back).toEqual(w);
    expect(() => unflattenWeights(cfg, new Float32Array(5))).toThrow(/weights hold 5 values/);
    layers.model.dispose();
  });
});
