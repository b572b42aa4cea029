import { act, renderHook, waitFor } from '@testing-library/react';

import type { AnnotationLike } from '../../../core/labels';
import { LabelStore, type AnnotationsHttp } from '../../labelStore';
import { SAVING_NOTE_DELAY_MS, useLabelEditing } from './useLabelEditing';

const H = 3600e3;
const times = Array.from({ length: 24 }, (_, i) => 1000 * H + i * H);

/**
 * In-memory /api/annotations. While `hold` is set, every create waits for release(): a slow write.
 * `log` records the calls in order, to see whether two changes interleave.
 */
function fakeServer() {
  const items: Array<AnnotationLike & { id: number; time: number; timeEnd: number }> = [];
  let next = 1;
  let gate: Promise<void> | null = null;
  let delayMs = 0;
  let open = () => {};
  const log: string[] = [];
  const http: AnnotationsHttp = {
    list: async ({ from, to }) => {
      log.push('list');
      return items.filter((a) => a.time <= to && a.timeEnd >= from).map((a) => ({ ...a }));
    },
    create: async (b) => {
      log.push('create');
      await gate;
      if (delayMs) {
        await new Promise((r) => setTimeout(r, delayMs));
      }
      items.push({ ...b, id: next++ });
    },
    remove: async (id) => {
      log.push('remove');
      items.splice(
        items.findIndex((a) => a.id === id),
        1
      );
    },
  };
  return {
    items,
    log,
    http,
    /** Every create takes this long. */
    slow(ms: number) {
      delayMs = ms;
    },
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = null;
      open();
    },
  };
}

function setup(server = fakeServer(), writable = true) {
  const store = new LabelStore(server.http);
  // Every render's "slow save" flag, so a note that flashes and goes again is seen too.
  const slowSaves: boolean[] = [];
  const hook = renderHook(() => {
    const r = useLabelEditing({ store, times, stepMs: H, writable, annotations: undefined, refreshKey: 1 });
    slowSaves.push(r.slowSave);
    return r;
  });
  return { server, hook, slowSaves };
}

/** Resolves once the initial read has come back, so later assertions see the stored state. */
async function settled(hook: ReturnType<typeof setup>['hook']) {
  await waitFor(() => expect(hook.result.current.saving).toBe(false));
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });
}

describe('useLabelEditing', () => {
  it('shows a change at once and keeps it once stored', async () => {
    const { server, hook } = setup();
    await settled(hook);
    server.hold();
    act(() => hook.result.current.toggle(4, 2, 'anomaly'));
    // Optimistic: visible before the write finishes; the stored state is still empty.
    expect(hook.result.current.states.slice(1, 6)).toEqual([null, 'anomaly', 'anomaly', 'anomaly', null]);
    expect(hook.result.current.serverStates[3]).toBeNull();
    expect(hook.result.current.saving).toBe(true);
    server.release();
    await settled(hook);
    expect(hook.result.current.serverStates.slice(1, 6)).toEqual([null, 'anomaly', 'anomaly', 'anomaly', null]);
    expect(hook.result.current.states).toEqual(hook.result.current.serverStates);
    expect(server.items).toHaveLength(1);
    expect(hook.result.current.canUndo).toBe(true);
  });

  it('writes one change at a time: the second reads what the first stored', async () => {
    const { server, hook } = setup();
    await settled(hook);
    server.hold();
    server.log.length = 0;
    act(() => hook.result.current.toggle(2, 3, 'anomaly'));
    act(() => hook.result.current.toggle(3, 5, 'normal'));
    await act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
    // The first change (one read, one create) is held in its create: the second has not even read yet.
    expect(server.log).toEqual(['list', 'create']);
    expect(hook.result.current.states.slice(2, 6)).toEqual(['anomaly', 'normal', 'normal', 'normal']);
    server.release();
    await settled(hook);
    expect(hook.result.current.serverStates.slice(1, 7)).toEqual([null, 'anomaly', 'normal', 'normal', 'normal', null]);
  });

  it("does not flip a label another operator stored after this view read", async () => {
    const { server, hook } = setup();
    await settled(hook);
    // Hours 3-4 anomalous, stored by someone else: this view still shows them unlabelled.
    server.items.push({ id: 99, time: times[3], timeEnd: times[5], tags: ['gridsentinel', 'gridsentinel:anomaly'] });
    act(() => hook.result.current.toggle(3, 3, 'anomaly'));
    await settled(hook);
    // The click asked for "anomalous" and gets it (the stale view's toggle would have cleared hour 3).
    expect(hook.result.current.serverStates.slice(2, 6)).toEqual([null, 'anomaly', 'anomaly', null]);
  });

  it('undoes the last change, back to what was stored before it', async () => {
    const { hook, server } = setup();
    await settled(hook);
    act(() => hook.result.current.toggle(6, 8, 'anomaly'));
    await settled(hook);
    act(() => hook.result.current.toggle(7, 7, 'normal'));
    await settled(hook);
    expect(hook.result.current.serverStates.slice(6, 9)).toEqual(['anomaly', 'normal', 'anomaly']);

    act(() => hook.result.current.undoLast());
    expect(hook.result.current.states.slice(6, 9)).toEqual(['anomaly', 'anomaly', 'anomaly']);
    await settled(hook);
    expect(hook.result.current.serverStates.slice(6, 9)).toEqual(['anomaly', 'anomaly', 'anomaly']);
    act(() => hook.result.current.undoLast());
    await settled(hook);
    expect(hook.result.current.serverStates.every((s) => s === null)).toBe(true);
    expect(server.items).toHaveLength(0);
    expect(hook.result.current.canUndo).toBe(false);
  });

  it(`notes a write as slow only after ${SAVING_NOTE_DELAY_MS} ms`, async () => {
    const { server, hook } = setup();
    await settled(hook);
    server.hold();
    act(() => hook.result.current.toggle(1, 1, 'anomaly'));
    const start = Date.now();
    expect(hook.result.current.saving).toBe(true);
    expect(hook.result.current.slowSave).toBe(false);
    await waitFor(() => expect(hook.result.current.slowSave).toBe(true), { timeout: 2000, interval: 20 });
    expect(Date.now() - start).toBeGreaterThanOrEqual(SAVING_NOTE_DELAY_MS - 5);
    server.release();
    await settled(hook);
    expect(hook.result.current.slowSave).toBe(false);
  });

  it('never notes a write faster than that', async () => {
    const { hook, slowSaves, server } = setup();
    await settled(hook);
    server.slow(SAVING_NOTE_DELAY_MS / 4);
    act(() => hook.result.current.toggle(1, 1, 'anomaly'));
    expect(hook.result.current.saving).toBe(true);
    await settled(hook);
    await act(async () => {
      await new Promise((r) => setTimeout(r, SAVING_NOTE_DELAY_MS + 100));
    });
    expect(hook.result.current.serverStates[1]).toBe('anomaly');
    expect(slowSaves).not.toContain(true);
  });

  it('reports a failed write and drops its preview', async () => {
    const server = fakeServer();
    server.http.create = async () => {
      throw { status: 403, data: { message: 'Permission denied' } };
    };
    const { hook } = setup(server);
    await settled(hook);
    act(() => hook.result.current.toggle(3, 3, 'anomaly'));
    expect(hook.result.current.states[3]).toBe('anomaly');
    await settled(hook);
    expect(hook.result.current.error).toBe('Could not save labels: HTTP 403 Permission denied');
    expect(hook.result.current.states[3]).toBeNull();
    expect(hook.result.current.canUndo).toBe(false);
  });

  it('changes nothing when the user may not label', async () => {
    const { hook, server } = setup(fakeServer(), false);
    await settled(hook);
    act(() => hook.result.current.toggle(0, 5, 'anomaly'));
    expect(hook.result.current.saving).toBe(false);
    expect(hook.result.current.states.every((s) => s === null)).toBe(true);
    expect(server.log).not.toContain('create');
  });
});
