/**
 * The fit loop: Adam on the tfjs-layers twin of the network (layers.ts) over shuffled training windows
 * of 2·C steps, with early stopping on the validation loss. The only training module that imports tfjs,
 * so whatever imports the rest of training carries no tfjs-layers.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

import { Rng } from '../rng';
import { buildLayers, readWeights } from './layers';
import type { EpochRecord } from './modelDocument';
import type { NetworkConfig, NetworkWeights } from './network';
import { roundFigure, type TrainingRun } from './trainedDocument';
import type { TrainingData } from './trainingData';
import type { ValidationFigures } from './validation';

export interface TrainProgress {
  epoch: number;
  epochs: number;
  loss: number;
  forecastLoss: number;
  /** 0 while the classifier head is off (too few labelled incidents): see classifierOn. */
  classifierLoss: number;
  classifierOn?: boolean;
  /** validation.ap is the classifier head's AP alone, not the probability's (the document's validationAp). */
  validation?: ValidationFigures;
}

export interface FitSettings extends Pick<
  TrainingRun['settings'],
  'epochs' | 'batchSize' | 'learningRate' | 'dropout' | 'seed'
> {
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Step between training window starts. */
  stride: number;
  forecastWeight: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
}

export interface FitResult {
  /** Of the best epoch (validation loss, else training loss); float32 as trained. */
  weights: NetworkWeights;
  bestEpoch: number;
  epochsRun: number;
  history: EpochRecord[];
}

export class TrainingAbortedError extends Error {
  constructor() {
    super('training aborted');
    this.name = 'AbortError';
  }
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw new TrainingAbortedError();
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** validate: figures on the validation rows for an epoch's weights; without it the training loss decides. */
export async function fitNetwork(
  cfg: NetworkConfig,
  data: TrainingData,
  s: FitSettings,
  validate?: (w: NetworkWeights) => ValidationFigures
): Promise<FitResult> {
  const { prep, isVal, useClassifier } = data;
  const tg = data.train;
  const { epochs, batchSize, dropout, seed, patience, stride, forecastWeight } = s;
  const T = prep.steps;
  const W = 2 * cfg.contextSteps;
  // valBefore[t] = validation rows before t, so a window [s, s + W) is all training rows when equal at both ends.
  const valBefore = new Int32Array(T + 1);
  for (let t = 0; t < T; t++) {
    valBefore[t + 1] = valBefore[t] + isVal[t];
  }
  const rng = new Rng(`train/${seed}`);
  const layers = buildLayers(cfg, seed);
  const variables = [layers.lstm, layers.cls, layers.fc].flatMap((l) =>
    l.trainableWeights.map((v) => v.read() as tf.Variable)
  );
  const optimizer = tf.train.adam(s.learningRate);
  const I = 2 * cfg.features;
  const F = cfg.features;
  const history: EpochRecord[] = [];
  let best: { score: number; epoch: number; weights: NetworkWeights } | null = null;
  let sinceBest = 0;
  let epochsRun = 0;
  let dropoutSeed = seed * 1000003;

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      checkAbort(s.signal);
      const offset = rng.int(0, stride - 1);
      const starts: number[] = [];
      for (let st = offset; st + W <= T; st += stride) {
        if (valBefore[st + W] === valBefore[st]) {
          starts.push(st);
        }
      }
      for (let i = starts.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [starts[i], starts[j]] = [starts[j], starts[i]];
      }
      if (starts.length === 0) {
        throw new Error(
          `no training window of ${W} steps fits between the validation rows; give more data or a shorter context`
        );
      }
      let lossSum = 0;
      let fcSum = 0;
      let clsSum = 0;
      let batches = 0;
      for (let b = 0; b < starts.length; b += batchSize) {
        checkAbort(s.signal);
        const batch = starts.slice(b, b + batchSize);
        const B = batch.length;
        const x = new Float32Array(B * W * I);
        const yc = new Float32Array(B * W);
        const wc = new Float32Array(B * W);
        const yf = new Float32Array(B * W * F);
        const mf = new Float32Array(B * W * F);
        batch.forEach((st, k) => {
          x.set(prep.inputs.subarray(st * I, (st + W) * I), k * W * I);
          yc.set(tg.clsTarget.subarray(st, st + W), k * W);
          wc.set(tg.clsWeight.subarray(st, st + W), k * W);
          yf.set(tg.fcTarget.subarray(st * F, (st + W) * F), k * W * F);
          mf.set(tg.fcMask.subarray(st * F, (st + W) * F), k * W * F);
        });
        const nCls = wc.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
        const nFc = mf.reduce((n, v) => n + v, 0);
        const dSeed = dropoutSeed++;
        const parts = tf.tidy(() => {
          const xt = tf.tensor3d(x, [B, W, I]);
          const yct = tf.tensor2d(yc, [B, W]);
          const wct = tf.tensor2d(wc, [B, W]);
          const yft = tf.tensor3d(yf, [B, W, F]);
          const mft = tf.tensor3d(mf, [B, W, F]);
          let clsLoss: tf.Scalar = tf.scalar(0);
          let fcLoss: tf.Scalar = tf.scalar(0);
          const total = optimizer.minimize(
            () => {
              const h = layers.lstm.apply(xt) as tf.Tensor3D;
              const hd = dropout > 0 ? tf.dropout(h, dropout, undefined, dSeed) : h;
              const logits = tf.reshape(layers.cls.apply(hd) as tf.Tensor, [B, W]);
              const fc = layers.fc.apply(hd) as tf.Tensor3D;
              // Numerically stable weighted BCE on logits, averaged over labelled positions.
              const bce = tf.add(
                tf.sub(tf.relu(logits), tf.mul(logits, yct)),
                tf.log1p(tf.exp(tf.neg(tf.abs(logits))))
              );
              clsLoss = tf.keep(tf.div(tf.sum(tf.mul(bce, wct)), Math.max(1, nCls)));
              fcLoss = tf.keep(tf.div(tf.sum(tf.mul(tf.square(tf.sub(fc, yft)), mft)), Math.max(1, nFc)));
              return tf.add(tf.mul(fcLoss, forecastWeight), useClassifier ? clsLoss : 0) as tf.Scalar;
            },
            true,
            variables
          );
          return [total!, clsLoss, fcLoss];
        });
        const [total, cl, fl] = await Promise.all(parts.map((p) => p.data()));
        tf.dispose(parts);
        lossSum += total[0];
        clsSum += cl[0];
        fcSum += fl[0];
        batches++;
        if (batches % 4 === 0) {
          await yieldToEventLoop();
        }
      }
      epochsRun = epoch;
      const loss = lossSum / Math.max(1, batches);
      const weights = readWeights(layers);
      const progress: TrainProgress = {
        epoch,
        epochs,
        loss,
        forecastLoss: fcSum / Math.max(1, batches),
        classifierLoss: clsSum / Math.max(1, batches),
        classifierOn: useClassifier,
      };
      const record: EpochRecord = { epoch, loss: roundFigure(loss) };
      let score = loss;
      if (validate) {
        const ev = validate(weights);
        progress.validation = ev;
        record.validationLoss = roundFigure(ev.loss);
        if (ev.ap !== undefined) {
          record.validationAp = roundFigure(ev.ap);
        }
        score = ev.loss;
      }
      history.push(record);
      s.onProgress?.(progress);
      if (!Number.isFinite(score)) {
        throw new Error(`training diverged at epoch ${epoch} (loss ${score})`);
      }
      if (best === null || score < best.score - 1e-6) {
        best = { score, epoch, weights };
        sinceBest = 0;
      } else if (++sinceBest >= patience) {
        break;
      }
      await yieldToEventLoop();
    }
  } finally {
    optimizer.dispose();
    layers.model.dispose();
  }
  return { weights: best!.weights, bestEpoch: best!.epoch, epochsRun, history };
}
