import defaultModel from '../../datasource/model/default-model.json';
import type { FeatureMatrix } from '../featureMatrix';
import { DEFAULT_FEATURE_SOURCES } from '../featureSources';
import { generateLabelledSeries } from '../generator';
import { DAY_MS, HOUR_MS } from '../time';
import { loadModel } from './modelDocument';
import { scoreSeries } from './score';
import { BUNDLED_STATS_MS, firstStepIndex, modelForMatrix, modelMismatch, scoringFetchStart } from './scoreRange';

const model = loadModel(defaultModel);
const doc = model.doc;
const C = doc.architecture.contextSteps;
const PERIOD = C * doc.stepMs;
const { smoothing, seasonal } = doc.surprise;
/** C steps, the smoothing window and the seasonal days. */
const WARM = PERIOD + ((smoothing?.steps ?? 0) + (seasonal ? seasonal.days * seasonal.periodSteps : 0)) * doc.stepMs;
const BUNDLED_WARM = Math.max(WARM, BUNDLED_STATS_MS);

describe('scoringFetchStart', () => {
  const froms = [
    Date.UTC(2025, 0, 10, 0, 0),
    Date.UTC(2025, 0, 10, 13, 0),
    Date.UTC(2025, 0, 10, 13, 41, 7),
    Date.UTC(2025, 0, 10, 23, 59),
    Date.UTC(2025, 5, 3, 7, 30),
  ];

  it.each(froms)('starts at a multiple of C steps with at least the warm-up it needs (from %p)', (from) => {
    const start = scoringFetchStart(doc, from, false);
    const fromStep = Math.floor(from / doc.stepMs) * doc.stepMs;
    expect(start % PERIOD).toBe(0);
    expect(fromStep - start).toBeGreaterThanOrEqual(WARM);
    // No more than needed: the next aligned start would leave less.
    expect(fromStep - (start + PERIOD)).toBeLessThan(WARM);
  });

  it.each(froms)('fetches at least a week for the bundled model, still aligned (from %p)', (from) => {
    const start = scoringFetchStart(doc, from, true);
    const fromStep = Math.floor(from / doc.stepMs) * doc.stepMs;
    expect(BUNDLED_STATS_MS).toBe(7 * DAY_MS);
    expect(start % PERIOD).toBe(0);
    expect(fromStep - start).toBeGreaterThanOrEqual(BUNDLED_WARM);
    expect(fromStep - (start + PERIOD)).toBeLessThan(BUNDLED_WARM);
  });

  // Hourly steps, a day-long context and a day-long smoothing window.
  const plain = { ...doc, surprise: { ...doc.surprise, smoothing: { alpha: 0.5, steps: 24 }, seasonal: undefined } };

  it('adds the days the seasonal part compares with', () => {
    const withSeasonal = {
      ...plain,
      surprise: { ...plain.surprise, seasonal: { ...doc.surprise, periodSteps: 24, days: 7, scale: [] } },
    };
    // Two days (C and smoothing) plus seven: from 13:00 on the 10th back to 13:00 on the 1st, then midnight.
    expect(scoringFetchStart(withSeasonal, Date.UTC(2025, 0, 10, 13), false)).toBe(Date.UTC(2025, 0, 1));
  });

  it('gives exact values for a day-long context of hours and a day-long smoothing window', () => {
    expect(C).toBe(24);
    // 13:00 → warm-up back to 13:00 two days before → aligned down to midnight.
    expect(scoringFetchStart(plain, Date.UTC(2025, 0, 10, 13), false)).toBe(Date.UTC(2025, 0, 8));
    // Midnight exactly: two whole days back.
    expect(scoringFetchStart(plain, Date.UTC(2025, 0, 10), false)).toBe(Date.UTC(2025, 0, 8));
    expect(scoringFetchStart(plain, Date.UTC(2025, 0, 10, 13), true)).toBe(Date.UTC(2025, 0, 3));
  });
});

describe('scoring a range from an aligned fetch start', () => {
  // Starts 15 days before the first scored hour (January 4): room for a seasonal model's nine days of warm-up.
  const grid = generateLabelledSeries({ start: '2024-12-20T00:00:00Z', days: 26, seed: 'score-range', scale: 0.02 })
    .series.matrix;
  const sliceFrom = (m: FeatureMatrix, fromMs: number): FeatureMatrix => {
    const i = m.times.indexOf(fromMs);
    expect(i).toBeGreaterThanOrEqual(0);
    return { ...m, times: m.times.slice(i), values: m.values.slice(i) };
  };
  const scoreFrom = (fetchStart: number) => {
    const m = sliceFrom(grid, fetchStart);
    const s = scoreSeries(modelForMatrix(model, m, false), m);
    return new Map(s.times.map((t, i) => [t, s.probability[i]]));
  };

  it('gives an hour the same probability whatever range holds it', () => {
    const from1 = Date.UTC(2025, 0, 4, 7, 20);
    const from2 = Date.UTC(2025, 0, 8, 17);
    const start1 = scoringFetchStart(doc, from1, false);
    const start2 = scoringFetchStart(doc, from2, false);
    expect(start1).not.toBe(start2);
    const a = scoreFrom(start1);
    const b = scoreFrom(start2);
    const overlap = [...b.keys()].filter((t) => t >= from2);
    expect(overlap.length).toBeGreaterThan(100);
    let finite = 0;
    for (const t of overlap) {
      expect([t, a.get(t)]).toEqual([t, b.get(t)]);
      finite += Number.isFinite(a.get(t)) ? 1 : 0;
    }
    expect(finite).toBe(overlap.length);
  });

  it('would not without the alignment (the property is not vacuous)', () => {
    const from2 = Date.UTC(2025, 0, 8, 17);
    const aligned = scoreFrom(scoringFetchStart(doc, from2, false));
    const unaligned = scoreFrom(Date.UTC(2025, 0, 7, 5));
    const differing = [...aligned.keys()]
      .filter((t) => t >= from2)
      .filter((t) => Math.abs(aligned.get(t)! - unaligned.get(t)!) > 1e-9);
    expect(differing.length).toBeGreaterThan(0);
  });
});

describe('modelForMatrix', () => {
  const m = generateLabelledSeries({ start: '2025-01-01T00:00:00Z', days: 8, seed: 'refit', scale: 0.02 }).series
    .matrix;

  it('keeps a published model as it is', () => {
    expect(modelForMatrix(model, m, false)).toBe(model);
  });

  it('re-centres the bundled model on the matrix, leaving the weights alone', () => {
    const refit = modelForMatrix(model, m, true);
    expect(refit).not.toBe(model);
    expect(refit.weights).toBe(model.weights);
    expect(refit.doc.preprocessing.center).not.toEqual(model.doc.preprocessing.center);
    expect(refit.doc.preprocessing.center).toEqual(Array.from(refit.preprocessing.center));
  });
});

describe('firstStepIndex', () => {
  const times = [0, 1, 2, 3].map((h) => h * HOUR_MS);
  it('finds the step holding from, or 0', () => {
    expect(firstStepIndex(times, 2 * HOUR_MS + 1, HOUR_MS)).toBe(2);
    expect(firstStepIndex(times, 2 * HOUR_MS, HOUR_MS)).toBe(2);
    expect(firstStepIndex(times, -5 * HOUR_MS, HOUR_MS)).toBe(0);
  });
});

describe('modelMismatch', () => {
  const features = [...DEFAULT_FEATURE_SOURCES];

  it('accepts the default features at the model step', () => {
    expect(modelMismatch(doc, { features, stepSeconds: 3600 })).toBeNull();
  });

  it('names both feature lists when they differ (order matters)', () => {
    const swapped = [features[1], features[0], ...features.slice(2)];
    expect(modelMismatch(doc, { features: swapped, stepSeconds: 3600 })).toBe(
      `model expects features [${doc.features.join(', ')}], the datasource is configured with [${swapped
        .map((f) => f.name)
        .join(', ')}]`
    );
    expect(modelMismatch(doc, { features: features.slice(0, 3), stepSeconds: 3600 })).toBe(
      `model expects features [${doc.features.join(', ')}], the datasource is configured with [SubmitEvent, ExecuteEvent, JobTerminatedEvent]`
    );
  });

  it('names both steps when they differ', () => {
    expect(modelMismatch(doc, { features, stepSeconds: 600 })).toBe(
      'model was trained on 3600s steps, the datasource uses 600s'
    );
  });
});
