/** The network as tfjs-layers layers, for training (network.ts defines it and scores without tfjs). */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { WEIGHT_NAMES, weightShapes, type NetworkConfig, type NetworkWeights } from './network';

export interface NetworkLayers {
  lstm: tfl.layers.Layer;
  cls: tfl.layers.Layer;
  fc: tfl.layers.Layer;
  /** Functional model [batch, steps, 2F] → [logits [batch, steps, 1], forecasts [batch, steps, F]]; no dropout. */
  model: tfl.LayersModel;
}

/** Builds the tfjs-layers network with seeded initializers (glorotUniform everywhere: fast to build, reproducible). */
export function buildLayers(cfg: NetworkConfig, seed: number): NetworkLayers {
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 7 + k });
  const lstm = tfl.layers.lstm({
    units: cfg.units,
    returnSequences: true,
    recurrentActivation: 'sigmoid',
    kernelInitializer: init(1),
    recurrentInitializer: init(2),
    // tfjs-layers 4.22 leaks 4 tensors per build with unitForgetBias; the forget bias is set below instead.
    unitForgetBias: false,
  });
  const cls = tfl.layers.dense({ units: 1, kernelInitializer: init(3) });
  const fc = tfl.layers.dense({ units: cfg.features, kernelInitializer: init(4) });
  const input = tfl.input({ shape: [null, 2 * cfg.features] });
  const h = lstm.apply(input) as tfl.SymbolicTensor;
  const model = tfl.model({
    inputs: input,
    outputs: [cls.apply(h) as tfl.SymbolicTensor, fc.apply(h) as tfl.SymbolicTensor],
  });
  // Forget-gate bias 1 (Jozefowicz et al.): remembers by default early in training.
  const [kernel, recurrent] = lstm.getWeights();
  const bias = tf.tidy(() => tf.concat([tf.zeros([cfg.units]), tf.ones([cfg.units]), tf.zeros([2 * cfg.units])]));
  lstm.setWeights([kernel, recurrent, bias]);
  bias.dispose();
  return { lstm, cls, fc, model };
}

export function readWeights(layers: NetworkLayers): NetworkWeights {
  const [kernel, recurrent, bias] = layers.lstm.getWeights().map((t) => t.dataSync() as Float32Array);
  const [clsKernel, clsBias] = layers.cls.getWeights().map((t) => t.dataSync() as Float32Array);
  const [fcKernel, fcBias] = layers.fc.getWeights().map((t) => t.dataSync() as Float32Array);
  const copy = (a: Float32Array) => Float32Array.from(a);
  return {
    kernel: copy(kernel),
    recurrent: copy(recurrent),
    bias: copy(bias),
    clsKernel: copy(clsKernel),
    clsBias: copy(clsBias),
    fcKernel: copy(fcKernel),
    fcBias: copy(fcBias),
  };
}

export function writeWeights(layers: NetworkLayers, cfg: NetworkConfig, w: NetworkWeights): void {
  const s = weightShapes(cfg);
  const set = (layer: tfl.layers.Layer, names: Array<(typeof WEIGHT_NAMES)[number]>) => {
    const ts = names.map((n) => tf.tensor(w[n], s[n]));
    layer.setWeights(ts);
    tf.dispose(ts);
  };
  set(layers.lstm, ['kernel', 'recurrent', 'bias']);
  set(layers.cls, ['clsKernel', 'clsBias']);
  set(layers.fc, ['fcKernel', 'fcBias']);
}
