/** @jest-environment node */
import type { FeatureMatrix } from '../featureMatrix';
import type { Detector, DetectorInput } from './detector';
import type { Label } from './metrics';
import { feedbackLoop, renderFeedbackMarkdown, shifterLabels } from './protocol';

describe('shifterLabels', () => {
  it('labels whole incidents behind alarms and suggestions, single normal steps elsewhere', () => {
    const truth: Label[] = [0, 0, 1, 1, 1, 0, 0, 0, 1, 0];
    const known: Label[] = truth.map(() => null);
    // Week = rows 0..9; alarm at row 3 (inside the first incident); top-1 suggestion is row 6 (normal).
    const scores = [0.1, 0.2, 0.3, 0.9, 0.2, 0.1, 0.45, 0.1, 0.2, 0.1];
    shifterLabels(known, truth, scores, 0, 10, 0.5, 1);
    expect(known).toEqual([null, null, 1, 1, 1, null, 0, null, null, null]);
  });

  it('labels an incident only as far as the week goes', () => {
    const truth: Label[] = [0, 0, 1, 1, 1, 0];
    const known: Label[] = truth.map(() => null);
    shifterLabels(known, truth, [0, 0, 0.9, 0.9], 0, 4, 0.5, 0);
    expect(known).toEqual([null, null, 1, 1, null, null]);
  });
});

/** Scores feature 0, and learns from labels to stay quiet on values it saw labelled normal. */
class Quietable implements Detector {
  readonly name = 'quietable';
  private quiet = new Set<number>();
  async fit(train: DetectorInput): Promise<void> {
    this.quiet = new Set(train.matrix.values.filter((_, t) => train.labels[t] === 0).map((r) => r[0] as number));
  }
  async score(m: FeatureMatrix): Promise<Float64Array> {
    return Float64Array.from(m.values, (r) => (this.quiet.has(r[0] as number) ? 0 : (r[0] as number) / 10));
  }
}

describe('feedbackLoop', () => {
  // Weekly steps of 10; value 9 = incident, value 7 = a harmless pattern that alarms until labelled.
  const T = 80;
  const values = Array.from({ length: T }, (_, t) => [t % 10 === 3 && t >= 20 ? 9 : t % 10 === 6 ? 7 : 1]);
  const labels: Label[] = values.map((r) => (r[0] === 9 ? 1 : 0));
  const series = {
    matrix: { times: values.map((_, t) => t * 3_600_000), stepMs: 3_600_000, features: ['x'], values },
    labels,
    kinds: labels.map(() => null),
  };

  it('refits weekly on the labels collected, beside the same detector without labels', async () => {
    const r = await feedbackLoop(series, 'toy', () => new Quietable(), {
      weekSteps: 10,
      historySteps: 20,
      weeks: 6,
      topK: 0,
    });
    expect(r.weeks.map((w) => w.labelledSteps)).toEqual([0, 2, 3, 4, 5, 6]);
    expect(r.weeks[0].withLabels.falseAlarmsPerWeek).toBeGreaterThan(0);
    // After the first week the harmless pattern is labelled normal and no longer alarms; without
    // labels it alarms every week.
    expect(r.weeks[5].withLabels.falseAlarmsPerWeek).toBe(0);
    expect(r.weeks[5].withoutLabels.falseAlarmsPerWeek).toBeGreaterThan(0);
    expect(r.afterWeek4?.withLabels.eventRecall).toBe(1);
    expect(renderFeedbackMarkdown([r])).toContain(
      '| **after week 4** | 1.000 / 1.000 | 1.000 / 0.667 | 2/2 / 2/2 | 0.0 / 18.7 |'
    );
  });

  it('refuses a history and week that do not fit', async () => {
    await expect(
      feedbackLoop(series, 'toy', () => new Quietable(), { weekSteps: 70, historySteps: 20, weeks: 1 })
    ).rejects.toThrow(/do not fit in 80 rows/);
  });
});
