import {
  averagePrecision,
  bestF1,
  eventMetrics,
  eventsWithinFalseAlarms,
  labelledEvents,
  metricsAt,
  MetricsError,
  type Label,
} from './metrics';

describe('metricsAt', () => {
  it('counts alarms at and above the threshold, leaving out unknown labels and NaN scores', () => {
    // At .7: rows .9 (1), .8 (0), .7 (1) alarm; the unlabelled .95 and the NaN row do not count.
    const r = metricsAt([0.95, 0.9, 0.8, 0.7, NaN, 0.6, 0.5], [null, 1, 0, 1, 1, 0, 1], 0.7);
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    expect(r.recall).toBeCloseTo(2 / 3, 12);
    expect(r.f1).toBeCloseTo(2 / 3, 12);
  });

  it('agrees with bestF1 at its threshold, and gives 0 when nothing alarms', () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5];
    const labels: Label[] = [1, 0, 1, 0, 0];
    const best = bestF1(scores, labels);
    expect(metricsAt(scores, labels, best.threshold)).toEqual({
      f1: best.f1,
      precision: best.precision,
      recall: best.recall,
    });
    expect(metricsAt(scores, labels, Infinity)).toEqual({ f1: 0, precision: 0, recall: 0 });
  });
});

describe('bestF1', () => {
  it('finds the best threshold of a hand-computed ranking', () => {
    // thresholds .9 .8 .7 .6 .5 give F1 2/3, 1/2, 4/5, 2/3, 4/7
    const r = bestF1([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 0]);
    expect(r.f1).toBeCloseTo(0.8, 12);
    expect(r.threshold).toBe(0.7);
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    expect(r.recall).toBe(1);
    expect(r.n).toBe(5);
    expect(r.positives).toBe(2);
  });

  it('never splits tied scores', () => {
    // At .5 all three tied rows alarm together: tp 1, fp 2 -> F1 0.4; at .1: tp 2, fp 2 -> 2/3.
    const r = bestF1([0.5, 0.5, 0.5, 0.1], [1, 0, 0, 1]);
    expect(r.f1).toBeCloseTo(2 / 3, 12);
    expect(r.threshold).toBe(0.1);
    const tiedOnly = bestF1([0.5, 0.5, 0.5, 0.1], [1, 0, 0, 0]);
    expect(tiedOnly.f1).toBeCloseTo(0.5, 12); // tp 1 fp 2 P 1
  });

  it('handles constant scores (one threshold: alarm on everything)', () => {
    const r = bestF1([1, 1, 1, 1], [1, 0, 0, 0]);
    expect(r.f1).toBeCloseTo(0.4, 12);
    expect(r.precision).toBe(0.25);
    expect(r.recall).toBe(1);
    expect(r.threshold).toBe(1);
  });

  it('prefers the highest threshold among equal F1', () => {
    // .9: tp1 fp0 P2 -> 2/3; .3: tp2 fp2 -> 2/3
    const r = bestF1([0.9, 0.5, 0.4, 0.3], [1, 0, 0, 1]);
    expect(r.f1).toBeCloseTo(2 / 3, 12);
    expect(r.threshold).toBe(0.9);
  });

  it('leaves out unknown labels and NaN scores, and counts the latter', () => {
    const r = bestF1([0.9, 0.1, 0.8], [null, 1, 0]);
    expect(r.n).toBe(2);
    expect(r.f1).toBeCloseTo(2 / 3, 12);
    expect(r.threshold).toBe(0.1);
    const n = bestF1([NaN, 0.9, 0.1, NaN], [1, 1, 0, 0]);
    expect(n).toMatchObject({ f1: 1, threshold: 0.9, n: 2, unscored: 2, unscoredPositives: 1 });
  });

  it('rejects inputs with no positives or mismatched lengths', () => {
    expect(() => bestF1([0.1, 0.2], [0, 0])).toThrow(MetricsError);
    expect(() => bestF1([0.1, 0.2], [0, 0])).toThrow(/no positive/);
    expect(() => bestF1([0.1, 0.2], [null, null])).toThrow(/no positive/);
    expect(() => bestF1([NaN, 0.2], [1, 0])).toThrow(/no positive/);
    expect(() => bestF1([0.1], [0, 1])).toThrow(/differ in length/);
  });

  it('is exact against brute force on random data with many ties', () => {
    let s = 7;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let rep = 0; rep < 20; rep++) {
      const n = 60;
      const scores = Array.from({ length: n }, () => Math.floor(rnd() * 8) / 8);
      const labels: Label[] = scores.map(() => (rnd() < 0.1 ? null : rnd() < 0.3 ? 1 : 0));
      labels[0] = 1;
      let brute = 0;
      for (const t of new Set(scores)) {
        let tp = 0;
        let fp = 0;
        let p = 0;
        scores.forEach((x, i) => {
          if (labels[i] === null) {
            return;
          }
          p += labels[i] as number;
          if (x >= t) {
            tp += labels[i] as number;
            fp += 1 - (labels[i] as number);
          }
        });
        brute = Math.max(brute, (2 * tp) / (tp + fp + p));
      }
      expect(bestF1(scores, labels).f1).toBeCloseTo(brute, 12);
    }
  });
});

describe('averagePrecision', () => {
  it('matches the step-wise (scikit-learn) definition', () => {
    // R/P steps: (.5, 1), (.5, .5), (1, 2/3) -> .5 + .5 * 2/3
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 0])).toBeCloseTo(5 / 6, 12);
  });

  it('treats tied scores as one step (no optimistic ordering inside ties)', () => {
    // .5: R .5 P 1/3 -> 1/6; .1: R 1 P .5 -> +.25
    expect(averagePrecision([0.5, 0.5, 0.5, 0.1], [1, 0, 0, 1])).toBeCloseTo(5 / 12, 12);
  });

  it('equals the positive share for constant scores and 1 for a perfect ranking', () => {
    expect(averagePrecision([3, 3, 3, 3], [1, 0, 0, 0])).toBeCloseTo(0.25, 12);
    expect(averagePrecision([4, 3, 2, 1], [1, 1, 0, 0])).toBe(1);
  });

  it('ignores unknown labels and NaN scores; throws without positives', () => {
    expect(averagePrecision([0.1, NaN, 0.9, 0.2], [1, 1, null, 0])).toBeCloseTo(0.5, 12);
    expect(() => averagePrecision([0.3, 0.2], [0, 0])).toThrow(MetricsError);
  });
});

describe('labelledEvents', () => {
  it('finds maximal runs of 1, broken by 0 and null, including one at the end', () => {
    expect(labelledEvents([1, 1, 0, 1, null, 1, 1], ['a', 'a', null, 'b', null, 'c', 'c'])).toEqual([
      { start: 0, end: 2, kind: 'a' },
      { start: 3, end: 4, kind: 'b' },
      { start: 5, end: 7, kind: 'c' },
    ]);
    expect(labelledEvents([0, 0, null])).toEqual([]);
  });
});

describe('eventMetrics', () => {
  const N = null;
  // idx:    0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
  const labels: Label[] = [0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, N, N, 0, 0];
  const alarms = [1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 1];
  const kinds = labels.map((_, i) => (i >= 2 && i < 5 ? 'a' : i >= 7 && i < 9 ? 'b' : null));
  const HOUR = 3600_000;

  it('counts detected events, delays and false alarm runs', () => {
    const m = eventMetrics(alarms, labels, 0.5, HOUR, kinds);
    expect(m.events).toBe(2);
    expect(m.detected).toBe(1);
    expect(m.eventRecall).toBe(0.5);
    expect(m.medianDelaySteps).toBe(1);
    expect(m.meanDelayHours).toBe(1);
    // runs [0,1], [5] (after the event), [10] and [15] are false; [12,13] is unknown time only
    expect(m.falseAlarms).toBe(4);
    expect(m.normalWeeks).toBeCloseTo(9 / 168, 12);
    expect(m.falseAlarmsPerWeek).toBeCloseTo(4 / (9 / 168), 9);
    expect(m.perKind).toEqual({ a: { events: 1, detected: 1, recall: 1 }, b: { events: 1, detected: 0, recall: 0 } });
  });

  it('scales delays by the step and takes the median of an even count', () => {
    const l: Label[] = [1, 1, 0, 1, 1, 1, 1];
    const s = [1, 0, 0, 0, 0, 0, 1];
    const m = eventMetrics(s, l, 1, 300_000);
    expect(m.medianDelaySteps).toBe(1.5);
    expect(m.medianDelayHours).toBeCloseTo(1.5 / 12, 12);
    expect(m.meanDelaySteps).toBe(1.5);
    expect(m.perKind).toEqual({ unknown: { events: 2, detected: 2, recall: 1 } });
  });

  it('never alarms on NaN scores and reports NaN delay when nothing is detected', () => {
    const m = eventMetrics([NaN, NaN, 0, 5], [1, 1, 0, 0], 0.5, HOUR);
    expect(m.detected).toBe(0);
    expect(m.medianDelaySteps).toBeNaN();
    expect(m.falseAlarms).toBe(1);
    expect(m.falseAlarmsPerWeek).toBeCloseTo(1 / (2 / 168), 9);
  });

  it('counts an always-on detector\'s alarms outside the incidents', () => {
    const m = eventMetrics([1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 0, 0], 0.5, HOUR);
    expect(m.eventRecall).toBe(1);
    expect(m.falseAlarms).toBe(2);
  });

  it('reports NaN false alarms/week without labelled-normal time', () => {
    const m = eventMetrics([1, 1], [1, null], 0.5, HOUR);
    expect(m.falseAlarmsPerWeek).toBeNaN();
    expect(m.eventRecall).toBe(1);
  });
});

describe('eventsWithinFalseAlarms', () => {
  const DAY = 86_400_000;
  // idx:              0     1  2    3  4  5    6    7    8    9    10 11 12 13
  const labels: Label[] = [0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0];
  const scores = [0.95, 0, 0.9, 0, 0, 0.8, 0.5, 0.6, 0.7, 0.1, 0, 0, 0, 0];
  // 11 normal days: two false alarms are 1.27 a week, three 1.91.

  it('takes the lowest threshold before the first one over budget', () => {
    const m = eventsWithinFalseAlarms(scores, labels, 1.3, DAY);
    expect(m.threshold).toBe(0.7);
    expect(m.detected).toBe(2);
    expect(m.falseAlarms).toBe(2);
    // At 0.5 the runs at 5 and 7 merge into one (two alarms again), but the walk stopped at 0.6's third.
    expect(eventMetrics(scores, labels, 0.5, DAY).falseAlarms).toBe(2);
  });

  it('alarms on nothing when even the highest score is over budget', () => {
    const m = eventsWithinFalseAlarms(scores, labels, 0, DAY);
    expect(m.threshold).toBe(Infinity);
    expect(m.detected).toBe(0);
    expect(m.falseAlarms).toBe(0);
    expect(m.events).toBe(2);
  });
});
