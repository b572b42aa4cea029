import { FieldType, createDataFrame } from '@grafana/data';

import { labelIntent, labelsFromAnnotations } from '../core/labels';
import { LabelStore, annotationRows, withPanelContext, type AnnotationsHttp } from './labelStore';

const H = 3600e3;
const times = Array.from({ length: 24 }, (_, i) => 1000 * H + i * H);

type Item = { id: number; time: number; timeEnd: number; tags: string[]; text: string; login: string };

/** In-memory /api/annotations with Grafana's overlap filter (time <= to and timeEnd >= from) and AND-ed tags. */
function fakeServer(login = 'editor') {
  const items: Item[] = [];
  let next = 1;
  const http: AnnotationsHttp = {
    list: async ({ from, to, tags }) =>
      items
        .filter((a) => a.time <= to && a.timeEnd >= from && tags.every((t) => a.tags.includes(t)))
        .map((a) => ({ ...a })),
    create: async (b) => {
      items.push({ ...b, id: next++, login });
    },
    remove: async (id) => {
      const i = items.findIndex((a) => a.id === id);
      if (i < 0) {
        throw new Error('404');
      }
      items.splice(i, 1);
    },
  };
  return { items, http };
}

/** A click on what is stored (a view that is up to date). */
const toggle = (value: 'anomaly' | 'normal') => (s: Array<'anomaly' | 'normal' | null>) => labelIntent(s, value)(s);

describe('LabelStore', () => {
  it('stores one range annotation per run, and toggling twice leaves none', async () => {
    const { items, http } = fakeServer();
    const store = new LabelStore(http);
    await store.change(times, H, 3, 5, toggle('anomaly'));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      time: times[3],
      timeEnd: times[6],
      tags: ['gridsentinel', 'gridsentinel:anomaly'],
    });
    const again = await store.change(times, H, 3, 5, toggle('anomaly'));
    expect(again.before).toEqual(['anomaly', 'anomaly', 'anomaly']);
    expect(items).toHaveLength(0);
  });

  it('splits a stored range when the middle is cleared, keeping the outside', async () => {
    const { items, http } = fakeServer();
    const store = new LabelStore(http);
    await store.change(times, H, 2, 8, toggle('anomaly'));
    await store.change(times, H, 5, 5, toggle('anomaly'));
    const labels = await store.read(times[0], times[23] + H);
    expect(labels.map((l) => [l.startMs, l.endMs])).toEqual([
      [times[2], times[5]],
      [times[6], times[9]],
    ]);
    expect(items).toHaveLength(2);
  });

  it('two operators labelling at once lose nothing (each re-reads before planning)', async () => {
    const server = fakeServer();
    const alice = new LabelStore(server.http);
    const bob = new LabelStore(server.http);
    // Both read the same (empty) state and write at the same time, on different spans.
    await Promise.all([
      alice.change(times, H, 1, 3, toggle('anomaly')),
      bob.change(times, H, 10, 12, toggle('normal')),
    ]);
    await alice.change(times, H, 4, 4, toggle('anomaly'));
    const labels = await bob.read(times[0], times[23] + H);
    const rel = labels.map((l) => [l.value, (l.startMs - times[0]) / H, (l.endMs - times[0]) / H]);
    // Alice's adjacent hour merges with her earlier run; Bob's survives untouched.
    expect(rel).toEqual(
      expect.arrayContaining([
        ['normal', 10, 13],
        ['anomaly', 1, 5],
      ])
    );
    expect(rel).toHaveLength(2);
  });

  it('two operators toggling the same hour at once leave one record, not two', async () => {
    const server = fakeServer();
    const alice = new LabelStore(server.http);
    const bob = new LabelStore(server.http);
    // Both plan from the same empty state, so both create; the clean-up after each write keeps one.
    await Promise.all([alice.change(times, H, 5, 6, toggle('anomaly')), bob.change(times, H, 5, 6, toggle('anomaly'))]);
    expect(server.items).toHaveLength(1);
    expect(server.items[0]).toMatchObject({ id: 1, time: times[5], timeEnd: times[7] });
    // The overlapping but wider run stays: it holds an hour the other one does not.
    await Promise.all([alice.change(times, H, 7, 7, toggle('anomaly')), bob.change(times, H, 8, 8, toggle('anomaly'))]);
    const labels = await alice.read(times[0], times[23] + H);
    const covered = times
      .filter((t) => labels.some((l) => t >= l.startMs && t < l.endMs))
      .map((t) => (t - times[0]) / H);
    expect(covered).toEqual([5, 6, 7, 8]);
  });

  it('undo restores the span to its state before the change', async () => {
    const { items, http } = fakeServer();
    const store = new LabelStore(http);
    await store.change(times, H, 0, 1, toggle('normal'));
    const c = await store.change(times, H, 1, 2, toggle('anomaly'));
    await store.change(times, H, c.lo, c.hi, () => c.before);
    const labels = await store.read(times[0], times[23] + H);
    expect(labels.map((l) => [l.value, l.startMs, l.endMs])).toEqual([['normal', times[0], times[2]]]);
    expect(items.length).toBeGreaterThan(0);
  });

  it('writes through the panel context only when it can add annotations', async () => {
    const { http } = fakeServer();
    const created: unknown[] = [];
    const ctx = {
      canAddAnnotations: () => true,
      onAnnotationCreate: async (a: unknown) => void created.push(a),
      onAnnotationDelete: async () => undefined,
    };
    await new LabelStore(withPanelContext(http, ctx)).change(times, H, 0, 0, toggle('anomaly'));
    expect(created).toEqual([
      { from: times[0], to: times[1], tags: ['gridsentinel', 'gridsentinel:anomaly'], description: expect.any(String) },
    ]);
    expect(withPanelContext(http, { ...ctx, canAddAnnotations: () => false })).toBe(http);
  });
});

describe('annotationRows', () => {
  it('reads the annotation frames Grafana passes in data.annotations', () => {
    const frame = createDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [times[1], times[5]] },
        { name: 'timeEnd', type: FieldType.time, values: [times[3], times[6]] },
        { name: 'tags', type: FieldType.other, values: [['gridsentinel', 'gridsentinel:anomaly'], ['outage']] },
        { name: 'id', type: FieldType.number, values: [7, 8] },
        { name: 'login', type: FieldType.string, values: ['shifter', 'bob'] },
        { name: 'text', type: FieldType.string, values: ['<b>x</b>', 'y'] },
      ],
    });
    expect(labelsFromAnnotations(annotationRows([frame]))).toEqual([
      {
        startMs: times[1],
        endMs: times[3],
        value: 'anomaly',
        id: 7,
        login: 'shifter',
        updatedMs: undefined,
        text: '<b>x</b>',
      },
    ]);
    expect(annotationRows(undefined)).toEqual([]);
  });
});
