import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { FeatureMatrix } from '../featureMatrix';
import { loadModel } from '../model/modelDocument';
import { streamForward } from '../model/network';
import { prepareInputs } from '../model/preprocessing';
import { scoreSeries } from '../model/score';
import { evidenceOf, featureExceedance, forecastDeviation, type SurpriseCalibration } from '../model/surprise';
import { HOUR_MS } from '../time';
import { parseDuration } from './duration';
import { checkFeatureKeys, checkWatcherName, featureKey, modelFingerprint, modelKey, stepScores } from './records';

const doc = JSON.parse(
  readFileSync(path.join(__dirname, '../../datasource/model/default-model.json'), 'utf8')
) as Record<string, unknown> & { features: string[] };

function matrix(hours: number, gapAt: number): FeatureMatrix {
  const t0 = Date.UTC(2026, 1, 1);
  return {
    times: Array.from({ length: hours }, (_, h) => t0 + h * HOUR_MS),
    stepMs: HOUR_MS,
    features: doc.features.slice(),
    values: Array.from({ length: hours }, (_, h) =>
      doc.features.map((_, f) => (h === gapAt ? null : f === 2 && h === gapAt + 1 ? null : 50 + ((h * 7 + f * 3) % 11)))
    ),
  };
}

describe('stepScores', () => {
  const m = matrix(60, 40);
  const scores = scoreSeries(loadModel(doc), m);

  it('keeps no data as null, never 0, and carries per-feature surprise', () => {
    const [gap, after, normal] = stepScores(m, scores, [m.times[40], m.times[41], m.times[50]]);
    expect(gap.noData).toBe(true);
    expect(gap.probability).toBeNull();
    expect(gap.surprise).toBeNull();
    expect(Object.values(gap.features).every((v) => v === null)).toBe(true);
    expect(after.features[doc.features[2]]).toBeNull();
    expect(after.featureSurprise[doc.features[2]]).toBeNull();
    expect(after.probability).toBeGreaterThanOrEqual(0);
    expect(normal.noData).toBe(false);
    expect(normal.probability).toBeCloseTo(scores.probability[50], 12);
    const F = doc.features.length;
    expect(normal.featureSurprise[doc.features[0]]).toBe(scores.featureSurprise[50 * F]);
    // The top features are the largest per-feature surprises (for a 'minp' model, the smallest p-values).
    const rank = scores.featureRank ?? scores.featureSurprise;
    const ranked = doc.features
      .map((f, i) => [f, rank[50 * F + i]] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, normal.topFeatures.length)
      .map(([f]) => f);
    expect(normal.topFeatures).toEqual(ranked);
  });

  it("computes the step's surprise from the same per-feature values", () => {
    const F = doc.features.length;
    // Without the seasonal part, featureSurprise is the forecast's alone.
    const cal = doc.surprise as SurpriseCalibration;
    const model = loadModel({ ...doc, surprise: { ...cal, seasonal: undefined } });
    const forecastOnly = scoreSeries(model, m);
    // 'minp' judges a tail deviation by its sign too: the signed forecast errors, from the same pass.
    const prep = prepareInputs(model.preprocessing, m);
    const signed = forecastDeviation(prep, streamForward(model.cfg, model.weights, prep.inputs, prep.steps));
    for (const t of [10, 50]) {
      const row = Array.from(forecastOnly.featureSurprise.subarray(t * F, (t + 1) * F));
      const expected =
        cal.aggregate === 'minp'
          ? Math.max(...row.map((v, f) => evidenceOf(featureExceedance(cal.featureNulls![f], v, signed[t * F + f]))))
          : cal.aggregate === 'max'
            ? Math.max(...row)
            : row.reduce((a, b) => a + b, 0) / F;
      expect(forecastOnly.surprise[t]).toBeCloseTo(expected, 9);
      expect(scores.surprise[t]).toBeCloseTo(expected, 9);
    }
  });

  it('refuses a step that is not in the matrix', () => {
    expect(() => stepScores(m, scores, [m.times[0] - HOUR_MS])).toThrow(/not in the scored matrix/);
  });
});

describe('names', () => {
  it('accepts index- and path-safe watcher names only', () => {
    expect(checkWatcherName('gpgrid-1')).toBe('gpgrid-1');
    expect(() => checkWatcherName('GPGrid')).toThrow(/a-z, 0-9/);
    expect(() => checkWatcherName('a.b')).toThrow(/gridsentinel\.<name>/);
    expect(() => checkWatcherName('')).toThrow();
  });

  it('sanitises feature names for Graphite and refuses collisions', () => {
    expect(featureKey('jobs.running avg')).toBe('jobs_running_avg');
    expect(() => checkFeatureKeys(['a.b', 'a_b'])).toThrow(/"a\.b" and "a_b" would both be stored as "a_b"/);
    expect(() => checkFeatureKeys(doc.features)).not.toThrow();
  });
});

describe('model identity', () => {
  it('fingerprints content, not key order; the id carries the published version when there is one', () => {
    const a = modelFingerprint({ x: 1, y: [1, 2] });
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(modelFingerprint({ y: [1, 2], x: 1 })).toBe(a);
    expect(modelFingerprint({ x: 2, y: [1, 2] })).not.toBe(a);
    expect(modelKey({ id: a, version: 3 })).toBe('v3');
    expect(modelKey({ id: a, version: null })).toBe(a);
  });
});

describe('parseDuration', () => {
  it('reads operator durations and names bad ones', () => {
    expect(parseDuration('7d')).toBe(7 * 24 * HOUR_MS);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('90')).toBe(90_000);
    expect(() => parseDuration('soon', '--settle')).toThrow(/--settle must be a number with a unit/);
  });
});
