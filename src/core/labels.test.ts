import {
  annotationForLabel,
  labelTargets,
  labelsFromAnnotations,
  planLabelChanges,
  rangesFromSteps,
  redundantLabels,
  stepLabels,
  labelIntent,
  type LabelRange,
  type LabelValue,
} from './labels';

const H = 3600e3;
const times = Array.from({ length: 6 }, (_, i) => 100 * H + i * H);

/** Applies planned changes to a fake store the way the annotations API would. */
function apply(store: LabelRange[], changes: ReturnType<typeof planLabelChanges>, nextId: { v: number }): LabelRange[] {
  const kept = store.filter((r) => !changes.delete.includes(r.id!));
  return [...kept, ...changes.create.map((r) => ({ ...r, id: nextId.v++ }))];
}

describe('labels', () => {
  it('reads only our annotations, with exactly one value tag', () => {
    const items = [
      { id: 1, time: times[0], timeEnd: times[2], tags: ['gridsentinel', 'gridsentinel:anomaly'], login: 'shifter' },
      { id: 2, time: times[3], tags: ['gridsentinel', 'gridsentinel:normal'] },
      { id: 3, time: times[4], tags: ['deploy'] },
      { id: 4, time: times[4], tags: ['gridsentinel', 'gridsentinel:normal', 'gridsentinel:anomaly'] },
    ];
    expect(labelsFromAnnotations(items)).toEqual([
      { startMs: times[0], endMs: times[2], value: 'anomaly', id: 1, login: 'shifter', updatedMs: undefined },
      { startMs: times[3], endMs: times[3], value: 'normal', id: 2, login: undefined, updatedMs: undefined },
    ]);
    expect(annotationForLabel({ startMs: 1, endMs: 2, value: 'normal' }).tags).toEqual([
      'gridsentinel',
      'gridsentinel:normal',
    ]);
  });

  it('maps labels to steps and model targets (unlabelled is unknown, not normal)', () => {
    const labels: LabelRange[] = [
      { startMs: times[1], endMs: times[3], value: 'anomaly' },
      { startMs: times[4], endMs: times[5], value: 'normal' },
    ];
    const states = stepLabels(labels, times);
    expect(states).toEqual([null, 'anomaly', 'anomaly', null, 'normal', null]);
    expect(labelTargets(states)).toEqual([null, 1, 1, null, 0, null]);
  });

  it('toggles a click and a drag; toggling twice restores', () => {
    const toggle = (s: Array<LabelValue | null>, value: LabelValue) => labelIntent(s, value)(s);
    const s0: Array<LabelValue | null> = [null, 'anomaly', null];
    const s1 = toggle(s0, 'anomaly');
    expect(s1).toEqual(['anomaly', 'anomaly', 'anomaly']);
    expect(toggle(s1, 'anomaly')).toEqual([null, null, null]);
    expect(toggle(s1, 'normal')).toEqual(['normal', 'normal', 'normal']);
  });

  it("applies what the operator saw to what is stored, never flipping another operator's label", () => {
    // The view shows hour 1 unlabelled; meanwhile another operator stored it anomalous: the click still sets.
    expect(labelIntent([null, null], 'anomaly')(['anomaly', 'anomaly'])).toEqual(['anomaly', 'anomaly']);
    // The view shows both anomalous (a clear); one was relabelled normal meanwhile: that label stays.
    expect(labelIntent(['anomaly', 'anomaly'], 'anomaly')(['anomaly', 'normal'])).toEqual([null, 'normal']);
  });

  it('merges consecutive equal steps into one range', () => {
    expect(rangesFromSteps(['anomaly', 'anomaly', null, 'normal', 'anomaly', 'anomaly'], times, H)).toEqual([
      { startMs: times[0], endMs: times[2], value: 'anomaly' },
      { startMs: times[3], endMs: times[4], value: 'normal' },
      { startMs: times[4], endMs: times[5] + H, value: 'anomaly' },
    ]);
  });

  it('plans the fewest calls, idempotently, and keeps what lies outside the window', () => {
    const id = { v: 10 };
    let store: LabelRange[] = [{ startMs: times[0] - 2 * H, endMs: times[2], value: 'anomaly', id: 1 }];
    const wanted: Array<LabelValue | null> = ['anomaly', null, null, 'normal', 'normal', null];
    const plan = planLabelChanges(store, wanted, times, H);
    expect(plan.delete).toEqual([1]);
    expect(plan.create).toEqual([
      { startMs: times[0] - 2 * H, endMs: times[0], value: 'anomaly' },
      { startMs: times[0], endMs: times[1], value: 'anomaly' },
      { startMs: times[3], endMs: times[5], value: 'normal' },
    ]);
    store = apply(store, plan, id);
    expect(planLabelChanges(store, wanted, times, H)).toEqual({ create: [], delete: [] });
    expect(stepLabels(store, [times[0] - 2 * H, times[0] - H, ...times])).toEqual(['anomaly', 'anomaly', ...wanted]);
  });

  it('removes duplicates another client created for the same range', () => {
    const r = { startMs: times[0], endMs: times[1], value: 'anomaly' as const };
    const plan = planLabelChanges(
      [
        { ...r, id: 1 },
        { ...r, id: 2 },
      ],
      ['anomaly', null, null, null, null, null],
      times,
      H
    );
    expect(plan).toEqual({ create: [], delete: [2] });
  });

  it('finds records covered by an older record of the same value, and nothing else', () => {
    const r = (id: number, from: number, to: number, value: LabelValue = 'anomaly'): LabelRange => ({
      id,
      startMs: times[from],
      endMs: times[to],
      value,
    });
    // 2 duplicates 1; 3 lies inside 1; 4 overlaps 1 only partly; 5 has the other value; 6 is older than 7 but
    // only 7 is covered (by 1).
    expect(redundantLabels([r(1, 0, 3), r(2, 0, 3), r(3, 1, 2), r(4, 2, 5), r(5, 1, 2, 'normal'), r(7, 0, 1)])).toEqual(
      [2, 3, 7]
    );
    expect(redundantLabels([r(2, 0, 3), r(1, 0, 3)])).toEqual([2]);
    expect(redundantLabels([{ ...r(1, 0, 3), id: undefined }, r(2, 0, 3)])).toEqual([]);
  });
});
