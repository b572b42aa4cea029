import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { generateLabelledSeries } from '../generator';
import { Rng } from '../rng';
import { loadModel } from './modelDocument';
import { buildLayers, readWeights } from './layers';
import { streamForward, type NetworkConfig, type NetworkWeights } from './network';
import { prepareInputs } from './preprocessing';
import { scoreSeries, scoreSeriesWith } from './score';
import { tfStreamForward, windowCount } from './tfForward';
import { trainModel } from './train';

jest.setTimeout(60_000);

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
  }
  return d;
}

function randomCase(cfg: NetworkConfig, T: number, seed: string): { w: NetworkWeights; inputs: Float32Array } {
  const layers = buildLayers(cfg, 5);
  const w = readWeights(layers);
  layers.model.dispose();
  const rng = new Rng(seed);
  w.bias = w.bias.map(() => rng.uniform(-0.5, 0.5));
  w.clsBias[0] = 0.3;
  w.fcBias = w.fcBias.map(() => rng.uniform(-0.5, 0.5));
  const I = 2 * cfg.features;
  const inputs = new Float32Array(T * I);
  for (let t = 0; t < T; t++) {
    for (let f = 0; f < cfg.features; f++) {
      const missing = rng.chance(0.15);
      inputs[t * I + f] = missing ? 0 : 2 * rng.normal();
      inputs[t * I + cfg.features + f] = missing ? 1 : 0;
    }
  }
  return { w, inputs };
}

const bundled = loadModel(readFileSync(path.join(__dirname, '../../datasource/model/default-model.json'), 'utf8'));

describe.each(['cpu', 'wasm'])('tfStreamForward on %s', (backend) => {
  beforeAll(async () => {
    tf.enableProdMode();
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it.each([1, 4, 5, 9, 10, 11, 37, 100])('equals the plain-JS pass for T = %i (C = 5)', async (T) => {
    const cfg: NetworkConfig = { features: 3, units: 8, contextSteps: 5 };
    const { w, inputs } = randomCase(cfg, T, `tf${T}`);
    const js = streamForward(cfg, w, inputs, T);
    const out = await tfStreamForward(cfg, w, inputs, T);
    expect(Array.from(out.history)).toEqual(Array.from(js.history));
    expect(maxDiff(out.logits, js.logits)).toBeLessThan(1e-4);
    expect(maxDiff(out.forecasts, js.forecasts)).toBeLessThan(1e-4);
  });

  it('gives the bundled model the same scores as the plain-JS pass (|diff| <= 1e-4)', async () => {
    const m = generateLabelledSeries({ start: '2025-01-01T00:00:00Z', days: 60, seed: 'tf', scale: 0.05 }).series
      .matrix;
    const js = scoreSeries(bundled, m);
    const out = await scoreSeriesWith(tfStreamForward, bundled, m);
    expect(
      maxDiff(
        out.probability.map((p) => (Number.isNaN(p) ? -1 : p)),
        js.probability.map((p) => (Number.isNaN(p) ? -1 : p))
      )
    ).toBeLessThan(1e-4);
    expect(
      maxDiff(
        out.surprise.map((p) => (Number.isNaN(p) ? -1 : p)),
        js.surprise.map((p) => (Number.isNaN(p) ? -1 : p))
      )
    ).toBeLessThan(1e-4);
    expect(out.source).toEqual(js.source);
  });
});

describe('tfStreamForward memory', () => {
  it('leaves tf.memory().numTensors at its baseline after a training run and 1,000 scorings', async () => {
    await tf.setBackend('wasm');
    const baseline = tf.memory().numTensors;
    const data = generateLabelledSeries({ start: '2025-01-01T00:00:00Z', days: 10, seed: 'mem', scale: 0.02 }).series;
    const doc = await trainModel(data, { units: 4, epochs: 1, contextSteps: 6, batchSize: 16 });
    const model = loadModel(doc);
    const prepared = prepareInputs(model.preprocessing, data.matrix);
    for (let i = 0; i < 1000; i++) {
      await tfStreamForward(model.cfg, model.weights, prepared.inputs, prepared.steps);
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('covers a series with ceil(T / C) - 1 windows', () => {
    expect(windowCount(1, 24)).toBe(1);
    expect(windowCount(48, 24)).toBe(1);
    expect(windowCount(49, 24)).toBe(2);
    expect(windowCount(8760, 24)).toBe(364);
  });
});
