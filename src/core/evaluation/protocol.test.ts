import type { FeatureMatrix } from '../featureMatrix';
import type { LabelledSeries } from '../io/labelledSeries';
import type { SplitSeries } from '../io/splitSeries';
import type { Detector } from './detector';
import {
  asdSplit,
  evaluateDetectors,
  generatorSplit,
  heldOutKindSplits,
  renderResultsMarkdown,
  summarize,
} from './protocol';

const HOUR = 3600_000;

function series(n: number, labels: Array<0 | 1 | null>, kinds?: Array<string | null>): LabelledSeries {
  const matrix: FeatureMatrix = {
    times: Array.from({ length: n }, (_, i) => i * HOUR),
    stepMs: HOUR,
    features: ['a'],
    values: Array.from({ length: n }, (_, i) => [i]),
  };
  return { matrix, labels, kinds: kinds ?? labels.map(() => null) };
}

/** Scores each row with its label (oracle) or with the row's value. */
class Oracle implements Detector {
  fitted = 0;
  constructor(
    private readonly lookup: Map<number, number>,
    readonly name = 'oracle'
  ) {}
  async fit(): Promise<void> {
    this.fitted++;
  }
  async score(m: FeatureMatrix): Promise<Float64Array> {
    return Float64Array.from(m.times.map((t) => this.lookup.get(t) ?? 0));
  }
}

describe('asdSplit', () => {
  it('trains on train rows + first half of test, tests on the second half', () => {
    // 4 train rows, 6 test rows -> train 0..6, test 7..9
    const labels: Array<0 | 1 | null> = [null, null, null, null, 0, 1, 0, 0, 1, 0];
    const s: SplitSeries = { ...series(10, labels), splitIndex: 4 };
    const sp = asdSplit(s, 'x');
    expect(sp.train.matrix.times).toHaveLength(7);
    expect(sp.train.labels).toEqual([null, null, null, null, 0, 1, 0]);
    expect(sp.test.matrix.values).toEqual([[7], [8], [9]]);
    expect(sp.test.labels).toEqual([0, 1, 0]);
    expect(sp.group).toBe('asd');
    expect(() => asdSplit({ ...series(3, [null, null, 0]), splitIndex: 2 }, 'y')).toThrow(/at least two test rows/);
  });
});

describe('generatorSplit', () => {
  const n = 24 * 5;
  const labels = Array.from({ length: n }, (_, i): 0 | 1 | null => (i % 24 === 5 ? 1 : i % 24 === 9 ? null : 0));
  const kinds = labels.map((l, i) =>
    l === 1 ? (i < 48 ? 'held_wave' : 'disconnect_storm') : l === null ? 'monitoring_gap' : null
  );
  const s = series(n, labels, kinds);

  it('splits at trainDays and masks the held-out kind in train only', () => {
    const sp = generatorSplit(s, { dataset: 'g', trainDays: 3, holdOutKind: 'held_wave' });
    expect(sp.train.matrix.times).toHaveLength(72);
    expect(sp.test.matrix.times[0]).toBe(72 * HOUR);
    expect(sp.train.labels[5]).toBeNull(); // held_wave hidden
    expect(sp.train.labels[24 + 5]).toBeNull();
    expect(sp.train.labels[48 + 5]).toBe(1); // disconnect_storm still visible
    expect(sp.test.labels.filter((l) => l === 1)).toHaveLength(2);
    expect(generatorSplit(s, { dataset: 'g', trainDays: 3, testDays: 1 }).test.labels).toHaveLength(24);
    expect(() => generatorSplit(s, { dataset: 'g', trainDays: 5 })).toThrow(/no test rows/);
  });

  it('makes one held-out split per kind with events in the test part', () => {
    const splits = heldOutKindSplits(s, { dataset: 'g', trainDays: 1 });
    expect(splits.map((x) => x.heldOutKind)).toEqual(['disconnect_storm', 'held_wave']);
    expect(splits[0].group).toBe('generated held-out');
  });
});

describe('evaluateDetectors', () => {
  it('measures each detector on each split; factories give fresh detectors', async () => {
    const labels: Array<0 | 1 | null> = [null, null, null, null, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0];
    const s: SplitSeries = { ...series(14, labels), splitIndex: 4 };
    const sp = asdSplit(s, 'x'); // test rows 9..13: labels 1 0 0 0 0
    const perfect = new Oracle(new Map([[9 * HOUR, 1]]));
    const made: Oracle[] = [];
    const factory = () => {
      const o = new Oracle(new Map([[10 * HOUR, 1]]), 'wrong'); // alarms on the wrong row
      made.push(o);
      return o;
    };
    const res = await evaluateDetectors([perfect, factory], [sp, { ...sp, dataset: 'y' }]);
    expect(res).toHaveLength(4);
    expect(perfect.fitted).toBe(2);
    expect(made).toHaveLength(2);
    expect(res[0]).toMatchObject({ dataset: 'x', bestF1: 1, averagePrecision: 1, threshold: 1 });
    expect(res[0].events).toMatchObject({ events: 1, detected: 1, falseAlarms: 0 });
    // Operating point from the training rows, where this oracle scores every row 0: alarm on everything.
    expect(res[0].operating).toMatchObject({ threshold: 0, recall: 1, precision: 0.2 });
    expect(res[0].operating.f1).toBeCloseTo(1 / 3, 12);
    // Wrong row: best is alarming on all five rows (score 0 ties): P 1/5, R 1 -> F1 1/3.
    expect(res[1].bestF1).toBeCloseTo(1 / 3, 12);
    const sum = summarize(res);
    expect(sum).toHaveLength(2);
    expect(sum[0]).toMatchObject({ group: 'asd', detector: 'oracle', datasets: 2, bestF1: 1 });
    expect(sum[1]).toMatchObject({ detector: 'wrong', datasets: 2 });
    const md = renderResultsMarkdown(res);
    expect(md).toContain('| x | oracle | 1.000 |');
    expect(md).toContain('| mean over |');
  });

  it('skips, with a reason, a test part without anomalies', async () => {
    const s: SplitSeries = { ...series(8, [null, null, 0, 1, 0, 0, 0, 0]), splitIndex: 2 };
    const res = await evaluateDetectors([new Oracle(new Map())], [asdSplit(s, 'quiet')]);
    expect(res[0].skipped).toMatch(/no labelled anomaly/);
    expect(res[0].bestF1).toBeNaN();
    expect(res[0].operating.threshold).toBeNaN();
    expect(summarize(res)[0].datasets).toBe(0);
    expect(renderResultsMarkdown(res)).toContain('| quiet | oracle | no labelled anomaly in the test part |');
  });

  it('rejects a detector returning the wrong number of scores', async () => {
    const bad: Detector = { name: 'bad', fit: async () => {}, score: async () => new Float64Array(1) };
    const s: SplitSeries = { ...series(8, [null, null, 0, 1, 0, 1, 0, 0]), splitIndex: 2 };
    await expect(evaluateDetectors([bad], [asdSplit(s, 'z')])).rejects.toThrow(/returned 1 scores for 8 rows/);
  });

  it('reports the held-out kind recall', async () => {
    const n = 72;
    const labels = Array.from({ length: n }, (_, i): 0 | 1 | null => (i === 10 || i === 30 || i === 60 ? 1 : 0));
    const kinds = labels.map((l, i) => (l ? (i === 30 ? 'a' : 'b') : null));
    const splits = heldOutKindSplits(series(n, labels, kinds), { dataset: 'g', trainDays: 1 });
    const res = await evaluateDetectors(
      [
        new Oracle(
          new Map([
            [10 * HOUR, 1],
            [60 * HOUR, 1],
          ])
        ),
      ],
      splits
    );
    // Without "a": the threshold fitted on the "b" outage in day 1 alarms at hour 60 only, missing "a".
    // Without "b": day 1 has no labelled anomaly left, so there is no operating threshold.
    expect(res.map((r) => [r.heldOutKind, r.heldOutRecall])).toEqual([
      ['a', 0],
      ['b', NaN],
    ]);
    expect(renderResultsMarkdown(res)).toContain('held-out kind');
  });
});
