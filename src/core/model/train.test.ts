import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

import { generateLabelledSeries } from '../generator';
import { Rng } from '../rng';
import { averagePrecision } from './metrics';
import { checkCompatible, loadModel, type ModelDocument } from './modelDocument';
import { lstmDetector } from './lstmDetector';
import { scoreSeries } from './score';
import { SURPRISE_ONLY_MARGIN, countAnomalyEvents, trainModel, validationRows, type TrainProgress } from './train';

// Training on the cpu backend takes seconds, not milliseconds.
jest.setTimeout(60_000);

beforeAll(async () => {
  tf.enableProdMode(); // silences the "install tfjs-node" banner
  await tf.setBackend('cpu');
});

function series(days: number, seed: string, outageRatePerWeek = 7) {
  return generateLabelledSeries({ start: '2024-01-01T00:00:00Z', days, seed, scale: 0.0165, outageRatePerWeek }).series;
}

const SMALL = { units: 4, epochs: 2, contextSteps: 6, batchSize: 16 };

describe('trainModel', () => {
  let learned: ModelDocument;
  const learnedSeries = series(20, 'b');
  const progress: TrainProgress[] = [];

  beforeAll(async () => {
    learned = await trainModel(learnedSeries, {
      units: 8,
      epochs: 15,
      contextSteps: 12,
      batchSize: 8,
      learningRate: 0.01,
      seed: 1,
      useClassifier: true,
      onProgress: (p) => progress.push(p),
    });
  });

  it('learns to rank the labelled outages of its training data', () => {
    expect(learned.classifier.enabled).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0].validation).toBeDefined();
    const s = scoreSeries(loadModel(learned), learnedSeries.matrix);
    const labels = learnedSeries.labels;
    const rate = labels.filter((l) => l === 1).length / labels.filter((l) => l !== null).length;
    expect(rate).toBeGreaterThan(0.03);
    expect(averagePrecision(s.probability, labels)).toBeGreaterThan(3 * rate);
    expect(s.source.filter((x) => x === 'classifier+surprise').length).toBeGreaterThan(400);
    expect(s.source[0]).toBe('classifier'); // no surprise before the first forecast
  });

  it('gives null scores on steps without data and names the most surprising features', () => {
    const m = learnedSeries.matrix;
    const gap = m.values.map((row, t) => (t >= 100 && t < 103 ? row.map(() => null) : row));
    const s = scoreSeries(loadModel(learned), { ...m, values: gap });
    for (let t = 100; t < 103; t++) {
      expect(Number.isNaN(s.probability[t])).toBe(true);
      expect(Number.isNaN(s.surprise[t])).toBe(true);
      expect(s.source[t]).toBeNull();
      expect(s.topFeatures[t]).toEqual([]);
    }
    expect(Number.isFinite(s.surprise[103])).toBe(true);
    expect(s.topFeatures[200].length).toBe(3);
    expect(m.features).toEqual(expect.arrayContaining(s.topFeatures[200]));
  });

  it('is deterministic for a seed and leaves no tensors behind', async () => {
    const data = series(8, 'det');
    const before = tf.memory().numTensors;
    const a = await trainModel(data, { ...SMALL, seed: 5 });
    const b = await trainModel(data, { ...SMALL, seed: 5 });
    const c = await trainModel(data, { ...SMALL, seed: 6 });
    scoreSeries(loadModel(a), data.matrix);
    expect(tf.memory().numTensors).toBe(before);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.weights.data).not.toBe(c.weights.data);
  });

  it('falls back to calibrated surprise without enough labelled anomalies', async () => {
    const data = series(8, 'unlabelled');
    const labels = data.labels.map(() => null);
    const doc = await trainModel({ matrix: data.matrix, labels }, SMALL);
    expect(doc.classifier.enabled).toBe(false);
    const s = scoreSeries(loadModel(doc), data.matrix);
    expect(s.source[10]).toBe('surprise');
    expect(Number.isNaN(s.probability[0])).toBe(true); // nothing forecast step 0
    const p = Array.from(s.probability).filter(Number.isFinite);
    expect(Math.min(...p)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...p)).toBeLessThanOrEqual(1);
    // Most normal steps are unremarkable.
    expect(p.filter((x) => x < 0.5).length / p.length).toBeGreaterThan(0.8);
  });

  it('keeps classifier + surprise unless held-out anomalies show the surprise alone clearly ranks better', async () => {
    const doc = await trainModel(series(20, 'choice', 14), { ...SMALL, seed: 2 });
    const { validationApClassifier, validationApSurprise, validationAnomalousRows } = doc.training.metrics;
    expect(validationAnomalousRows).toBeGreaterThanOrEqual(10);
    expect(doc.classifier.anomalyEvents).toBeGreaterThanOrEqual(5);
    expect(validationApClassifier).toBeDefined();
    expect(validationApSurprise).toBeDefined();
    expect(doc.classifier.enabled).toBe(validationApSurprise! <= validationApClassifier! + SURPRISE_ONLY_MARGIN);
    expect(doc.classifier.withSurprise).toBe(doc.classifier.enabled);
  });

  it('turns the classifier off when too few held-out anomalies can check it', async () => {
    const data = series(20, 'choice', 14);
    // validationRows as trainModel computes it (W = 2C, the default fraction): hide the labels there.
    const isVal = validationRows(data.labels.length, 2 * SMALL.contextSteps, SMALL.contextSteps, 0.2);
    const labels = data.labels.map((l, t) => (isVal[t] ? null : l));
    const doc = await trainModel({ matrix: data.matrix, labels }, { ...SMALL, seed: 2 });
    expect(doc.classifier.anomalyEvents).toBeGreaterThanOrEqual(5); // it trained
    expect(doc.training.metrics.validationAnomalousRows).toBe(0);
    expect(doc.training.metrics.validationApClassifier).toBeUndefined();
    expect(doc.classifier.enabled).toBe(false);
    expect(doc.classifier.withSurprise).toBe(false);
    // Forced on, it stays on.
    const forced = await trainModel({ matrix: data.matrix, labels }, { ...SMALL, seed: 2, useClassifier: true });
    expect(forced.classifier.enabled).toBe(true);
  });

  it('stops when aborted', async () => {
    const ctl = new AbortController();
    const before = tf.memory().numTensors;
    const run = trainModel(series(8, 'abort'), {
      ...SMALL,
      epochs: 50,
      signal: ctl.signal,
      onProgress: () => ctl.abort(),
    });
    await expect(run).rejects.toThrow('training aborted');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('works through the Detector contract', async () => {
    const data = series(8, 'det2');
    const d = lstmDetector(SMALL);
    await expect(d.score(data.matrix)).rejects.toThrow(/before fit/);
    const msgs: string[] = [];
    await d.fit(data, { onProgress: (m) => msgs.push(m) });
    expect(msgs[0]).toMatch(/^epoch 1\/2: loss/);
    const scores = await d.score(data.matrix);
    expect(scores.length).toBe(data.matrix.times.length);
    expect(d.document?.format).toBe('gridsentinel-lstm');
  });
});

describe('model document', () => {
  let doc: ModelDocument;
  const data = series(10, 'doc');

  beforeAll(async () => {
    doc = await trainModel(data, {
      units: 32,
      epochs: 1,
      contextSteps: 24,
      batchSize: 64,
      featureSources: data.matrix.features.map(() => 'elasticsearch'),
    });
  });

  it('is small for 13 features × 32 units and round-trips through JSON', () => {
    const text = JSON.stringify(doc);
    expect(doc.features.length).toBe(13);
    expect(doc.architecture.parameters).toBe((26 + 32 + 1) * 128 + 33 + 32 * 13 + 13);
    expect(text.length).toBeLessThan(48 * 1024);
    const a = scoreSeries(loadModel(doc), data.matrix);
    const b = scoreSeries(loadModel(text), data.matrix);
    expect(Array.from(b.probability)).toEqual(Array.from(a.probability));
    expect(loadModel(text).doc.featureSources?.[0]).toBe('elasticsearch');
  });

  it('explains what is wrong with a document or the data', () => {
    const text = JSON.stringify(doc);
    const edit = (f: (d: any) => void) => {
      const d = JSON.parse(text);
      f(d);
      return d;
    };
    expect(() => loadModel('{')).toThrow(/not JSON/);
    expect(() => loadModel(edit((d) => (d.formatVersion = 99)))).toThrow(/formatVersion 99 is not supported/);
    expect(() => loadModel(edit((d) => (d.weights.data = d.weights.data.slice(0, 400))))).toThrow(
      /weights are corrupt/
    );
    expect(() => loadModel(edit((d) => (d.weights.data = '***')))).toThrow(/not valid base64/);
    expect(() => loadModel(edit((d) => (d.preprocessing.scale[0] = 0)))).toThrow(/positive scale/);
    expect(() => loadModel(edit((d) => (d.surprise.smoothing = { alpha: 0, steps: 24 })))).toThrow(/smoothing/);
    expect(() => loadModel(edit((d) => (d.surprise.seasonal.scale = [1])))).toThrow(/seasonal has the wrong shape/);
    expect(() => loadModel(edit((d) => (d.surprise.seasonal.periodSteps = 12)))).toThrow(/is not one day/);
    expect(() => loadModel(edit((d) => (d.surprise.aggregate = 'median')))).toThrow(/mean, max or minp, not "median"/);
    expect(() => loadModel(edit((d) => (d.surprise.aggregate = 'minp')))).toThrow(/minp needs featureNulls/);
    expect(() => loadModel(edit((d) => (d.surprise.seasonal.aggregate = 'minp')))).toThrow(
      /surprise.seasonal.aggregate minp needs featureNulls/
    );
    const model = loadModel(doc);
    const m = data.matrix;
    const swapped = { ...m, features: [m.features[1], m.features[0], ...m.features.slice(2)] };
    expect(() => checkCompatible(model, swapped)).toThrow(
      `model expects features [${m.features.join(', ')}], data has [${swapped.features.join(', ')}]`
    );
    expect(() => scoreSeries(model, { ...m, stepMs: 300_000, times: m.times.map((_, i) => i * 300_000) })).toThrow(
      /trained on 3600s steps, data has 300s steps/
    );
  });
});

describe('surprise smoothing and seasonal part', () => {
  const s = series(30, 'season');
  const unlabelled = { matrix: s.matrix, labels: s.labels.map(() => null) };

  it('are chosen on labelled rows when there are any, else set by default', async () => {
    const plain = await trainModel(unlabelled, SMALL);
    expect(plain.training.surpriseChosenBy).toBe('default');
    expect(plain.surprise.seasonal?.periodSteps).toBe(24);
    expect(plain.surprise.smoothing).toEqual({ alpha: 0.982, steps: 6 }); // hourly: next to none
    const labelled = await trainModel(s, SMALL);
    expect(labelled.training.surpriseChosenBy).toBe('labels');
    expect(labelled.training.surpriseLabelledAp).toBeGreaterThan(0);
  });

  it("let labels pick the aggregate over features only from 5 incidents on; 'minp' scores like any other", async () => {
    expect(countAnomalyEvents(s.labels)).toBeGreaterThanOrEqual(5);
    const auto = await trainModel(s, SMALL);
    const mean = await trainModel(s, { ...SMALL, surpriseAggregate: 'mean' });
    // The mean's settings are among the candidates, so the choice ranks the labelled rows at least as well.
    expect(auto.training.surpriseLabelledAp!).toBeGreaterThanOrEqual(mean.training.surpriseLabelledAp!);
    // Two incidents: the mean, whatever they would prefer.
    let seen = 0;
    const two = s.labels.map((l, t) => {
      seen += l === 1 && s.labels[t - 1] !== 1 ? 1 : 0;
      return seen > 2 && l === 1 ? null : l;
    });
    expect((await trainModel({ matrix: s.matrix, labels: two }, SMALL)).surprise.aggregate).toBe('mean');
    const minp = await trainModel(s, { ...SMALL, surpriseAggregate: 'minp' });
    expect(minp.surprise.aggregate).toBe('minp');
    expect(minp.surprise.featureNulls).toHaveLength(13);
    const scored = scoreSeries(loadModel(JSON.stringify(minp)), s.matrix).probability;
    expect(Array.from(scored.slice(1)).every((p) => p >= 0 && p <= 1)).toBe(true);
  });

  it('catch a day that lost its rhythm with the seasonal part, not without it', async () => {
    // Three counts with a strong daily rhythm and Poisson noise; day 25 flattened to the day's mean, so
    // its totals are normal and it is smoother step to step than any other day.
    const rng = new Rng('rhythm');
    const T = 30 * 24;
    const day = (t: number) => Math.floor(t / 24);
    const rate = (t: number, f: number) => 200 * (1 + 0.6 * Math.sin((2 * Math.PI * (t + 4 * f)) / 24));
    const values = Array.from({ length: T }, (_, t) =>
      [0, 1, 2].map((f) => (day(t) === 25 ? Math.round(200 + rng.normal() * 14) : rng.poisson(rate(t, f))))
    );
    const m = {
      times: values.map((_, t) => Date.UTC(2024, 0, 1) + t * 3_600_000),
      stepMs: 3_600_000,
      features: ['a', 'b', 'c'],
    };
    const flat = { ...m, values };
    const doc = await trainModel({ matrix: flat, labels: flat.times.map(() => null) }, SMALL);
    const rows = m.times.map((_, t) => t).filter((t) => day(t) >= 20);
    const truth = rows.map((t) => (day(t) === 25 ? 1 : 0) as 0 | 1);
    const ap = (d: ModelDocument) => {
      const p = scoreSeries(loadModel(d), flat).probability;
      return averagePrecision(
        rows.map((t) => p[t]),
        truth
      );
    };
    const withoutSeasonal = { ...doc, surprise: { ...doc.surprise, seasonal: undefined } };
    expect(ap(doc)).toBeGreaterThan(ap(withoutSeasonal) + 0.2);
  });
});

describe('helpers', () => {
  it('counts anomaly events as runs of anomalous labels', () => {
    expect(countAnomalyEvents([0, 1, 1, null, 1, 0, 1])).toBe(3);
  });

  it('spreads validation chunks over the series', () => {
    const v = validationRows(2000, 48, 24, 0.2);
    const share = v.reduce((n, x) => n + x, 0) / 2000;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.25);
    expect(v.indexOf(1)).toBeLessThan(1000);
    expect(validationRows(100, 48, 24, 0.2).every((x) => x === 0)).toBe(true);
  });
});
