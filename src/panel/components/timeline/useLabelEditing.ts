import type { DataFrame } from '@grafana/data';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { labelIntent, labelsFromAnnotations, stepLabels, type LabelRange, type LabelValue } from '../../../core/labels';
import { UndoStack } from '../../../core/timelineLayout';
import { errorMessage } from '../../../shared/errorMessage';
import { annotationRows, type LabelStore, type StepState } from '../../labelStore';

// Writes usually finish well within this: only slower ones show "Saving…" (text appearing in the toolbar
// moves its buttons, and repainting them made a click's answer miss its frame).
export const SAVING_NOTE_DELAY_MS = 400;

interface Pending {
  seq: number;
  lo: number;
  hi: number;
  after: StepState[];
}

export interface LabelEditingInput {
  store: LabelStore;
  /** Start of every hour on the timeline, ascending. */
  times: readonly number[];
  stepMs: number;
  writable: boolean;
  /** Labels Grafana passed in data.annotations: shown until the store's own read returns. */
  annotations: DataFrame[] | undefined;
  /** Labels are re-read whenever this changes (the query result), so others' labels show up with it. */
  refreshKey: unknown;
}

/**
 * Operator labels for the timeline: read from the store, changed optimistically (a click shows its
 * result at once, confirmed once stored), written one change at a time, undoable.
 */
export function useLabelEditing({ store, times, stepMs, writable, annotations, refreshKey }: LabelEditingInput) {
  const from = times[0];
  const to = times.length ? times[times.length - 1] + stepMs : undefined;
  const fromGrafana = useMemo(() => labelsFromAnnotations(annotationRows(annotations)), [annotations]);
  const [stored, setStored] = useState<LabelRange[] | null>(null);
  const [pending, setPending] = useState<Pending[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [undoCount, setUndoCount] = useState(0);
  const undo = useRef(new UndoStack<{ lo: number; hi: number; before: StepState[] }>());
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const seq = useRef(0);

  const refresh = useCallback(async () => {
    if (from === undefined || to === undefined) {
      return;
    }
    try {
      setStored(await store.read(from, to));
    } catch (err) {
      setError(`Could not read labels: ${errorMessage(err)}`);
    }
  }, [store, from, to]);

  useEffect(() => {
    if (from === undefined || to === undefined) {
      return;
    }
    let live = true;
    store.read(from, to).then(
      (l) => live && setStored(l),
      (err) => live && setError(`Could not read labels: ${errorMessage(err)}`)
    );
    return () => {
      live = false;
    };
  }, [store, from, to, refreshKey]);

  const saving = pending.length > 0;
  // Reset by the effect's cleanup, one render after `saving` drops: hence `saving && slowSave` below.
  const [slowSave, setSlowSave] = useState(false);
  useEffect(() => {
    if (!saving) {
      return;
    }
    const timer = setTimeout(() => setSlowSave(true), SAVING_NOTE_DELAY_MS);
    return () => {
      clearTimeout(timer);
      setSlowSave(false);
    };
  }, [saving]);

  const labels = stored ?? fromGrafana;
  const serverStates = useMemo(() => stepLabels(labels, times), [labels, times]);
  // What the operator sees: stored labels with not-yet-confirmed changes on top, so a click answers at once.
  const states = useMemo(() => {
    if (pending.length === 0) {
      return serverStates;
    }
    const s = serverStates.slice();
    for (const p of pending) {
      p.after.forEach((v, k) => (s[p.lo + k] = v));
    }
    return s;
  }, [serverStates, pending]);
  const labelAt = useCallback(
    (i: number): LabelRange | undefined => {
      const t = times[i];
      const hits = labels.filter((l) => t >= l.startMs && t < l.endMs);
      return hits.sort((a, b) => (b.updatedMs ?? 0) - (a.updatedMs ?? 0))[0];
    },
    [labels, times]
  );

  const run = useCallback(
    (lo: number, hi: number, preview: StepState[], want: (cur: StepState[]) => StepState[], record: boolean) => {
      const p: Pending = { seq: ++seq.current, lo, hi, after: preview };
      setPending((list) => [...list, p]);
      setError(null);
      // Serialised: each change re-reads what the previous one stored.
      queue.current = queue.current.then(async () => {
        try {
          const change = await store.change(times, stepMs, lo, hi, want);
          if (record) {
            undo.current.push({ lo, hi, before: change.before });
            setUndoCount(undo.current.size);
          }
        } catch (err) {
          setError(`Could not save labels: ${errorMessage(err)}`);
        }
        await refresh();
        setPending((list) => list.filter((x) => x.seq !== p.seq));
      });
    },
    [store, times, stepMs, refresh]
  );

  /**
   * Toggles hours a..b (either order, clamped) to `value` as the operator sees them: all get it unless all show
   * it already. Written against what is stored then, so a label stored meanwhile by someone else is not flipped.
   */
  const toggle = useCallback(
    (a: number, b: number, value: LabelValue) => {
      if (!writable || times.length === 0) {
        return;
      }
      const lo = Math.max(0, Math.min(a, b));
      const hi = Math.min(times.length - 1, Math.max(a, b));
      const seen = states.slice(lo, hi + 1);
      const want = labelIntent(seen, value);
      run(lo, hi, want(seen), want, true);
    },
    [writable, times.length, run, states]
  );

  const undoLast = useCallback(() => {
    const entry = undo.current.pop();
    setUndoCount(undo.current.size);
    if (entry && writable) {
      run(entry.lo, entry.hi, entry.before, () => entry.before, false);
    }
  }, [run, writable]);

  return {
    labels,
    /** Stored labels per hour (what retraining uses). */
    serverStates,
    /** Stored labels with pending changes on top (what the operator sees). */
    states,
    labelAt,
    saving,
    /** A write has been pending longer than SAVING_NOTE_DELAY_MS. */
    slowSave: saving && slowSave,
    error,
    toggle,
    undoLast,
    canUndo: undoCount > 0,
  };
}
