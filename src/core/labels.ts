/**
 * Operator labels: hours marked anomalous or normal, stored as Grafana annotations (one range
 * annotation per run of consecutive hours with the same label). Pure: the panel and the annotations
 * API module use it to turn clicks into the fewest create/delete calls, and the model reads labels here.
 */

export type LabelValue = 'anomaly' | 'normal';

export const LABEL_TAG = 'gridsentinel';
export const VALUE_TAGS: Record<LabelValue, string> = {
  anomaly: 'gridsentinel:anomaly',
  normal: 'gridsentinel:normal',
};

/** A stored label range, [startMs, endMs). */
export interface LabelRange {
  startMs: number;
  endMs: number;
  value: LabelValue;
  /** Annotation id when stored. */
  id?: number;
  login?: string;
  updatedMs?: number;
  /** Annotation text as stored (free text: render as text, never as HTML). */
  text?: string;
}

/** The parts of a Grafana annotation (GET /api/annotations item) labels need. */
export interface AnnotationLike {
  id?: number;
  time?: number;
  timeEnd?: number;
  tags?: string[];
  login?: string;
  updated?: number;
  text?: string;
}

/** Labels among annotations: those tagged by us with exactly one value tag. Others are ignored. */
export function labelsFromAnnotations(items: readonly AnnotationLike[]): LabelRange[] {
  const out: LabelRange[] = [];
  for (const a of items) {
    const tags = a.tags ?? [];
    const values = (Object.keys(VALUE_TAGS) as LabelValue[]).filter((v) => tags.includes(VALUE_TAGS[v]));
    if (!tags.includes(LABEL_TAG) || values.length !== 1 || typeof a.time !== 'number') {
      continue;
    }
    out.push({
      startMs: a.time,
      endMs: typeof a.timeEnd === 'number' && a.timeEnd > a.time ? a.timeEnd : a.time,
      value: values[0],
      id: a.id,
      login: a.login,
      updatedMs: a.updated,
      text: a.text,
    });
  }
  return out;
}

/** Annotation body for a label range (POST /api/annotations). Org-wide: no dashboard or panel id. */
export function annotationForLabel(r: Pick<LabelRange, 'startMs' | 'endMs' | 'value'>) {
  return {
    time: r.startMs,
    timeEnd: r.endMs,
    tags: [LABEL_TAG, VALUE_TAGS[r.value]],
    text: r.value === 'anomaly' ? 'GridSentinel label: anomalous' : 'GridSentinel label: normal',
  };
}

/**
 * Stored labels that add nothing: covered entirely by another label of the same value that wins the
 * tie (the lower id; ids grow with creation). Grafana has no conditional write, so two people toggling
 * the same hour at once each create a record; every client that sees both deletes the same one, so
 * they converge on the oldest record and no label is lost.
 */
export function redundantLabels(labels: readonly LabelRange[]): number[] {
  const out: number[] = [];
  for (const a of labels) {
    if (a.id === undefined) {
      continue;
    }
    const covered = labels.some(
      (b) =>
        b !== a &&
        b.id !== undefined &&
        b.id < a.id! &&
        b.value === a.value &&
        b.startMs <= a.startMs &&
        b.endMs >= a.endMs
    );
    if (covered) {
      out.push(a.id);
    }
  }
  return out;
}

/** Per step, the label covering its start (the most recently updated one wins on overlaps). */
export function stepLabels(labels: readonly LabelRange[], times: readonly number[]): Array<LabelValue | null> {
  const ordered = [...labels].sort((a, b) => (a.updatedMs ?? 0) - (b.updatedMs ?? 0));
  return times.map((t) => {
    let v: LabelValue | null = null;
    for (const l of ordered) {
      if (t >= l.startMs && t < l.endMs) {
        v = l.value;
      }
    }
    return v;
  });
}

/** Labels as model targets: anomaly 1, normal 0, unlabelled null (unknown, not normal). */
export function labelTargets(states: ReadonlyArray<LabelValue | null>): Array<0 | 1 | null> {
  return states.map((s) => (s === 'anomaly' ? 1 : s === 'normal' ? 0 : null));
}

/**
 * What a click (or a drag over several steps) with a value asks for, decided on the states the operator saw:
 * if every step showed the value, clear them; otherwise give every step the value. The returned change is
 * applied to the states stored when the write runs, so a view that missed another operator's label never
 * flips it: setting keeps a label that already has the value, clearing removes only steps that still hold it.
 */
export function labelIntent(
  seen: ReadonlyArray<LabelValue | null>,
  value: LabelValue
): (stored: ReadonlyArray<LabelValue | null>) => Array<LabelValue | null> {
  const clear = seen.length > 0 && seen.every((s) => s === value);
  return (stored) => stored.map((s) => (clear ? (s === value ? null : s) : value));
}

/** Runs of consecutive steps with the same label, as ranges. */
export function rangesFromSteps(
  states: ReadonlyArray<LabelValue | null>,
  times: readonly number[],
  stepMs: number
): LabelRange[] {
  const out: LabelRange[] = [];
  states.forEach((s, i) => {
    const last = out[out.length - 1];
    if (s === null) {
      return;
    }
    if (last && last.value === s && last.endMs === times[i]) {
      last.endMs = times[i] + stepMs;
    } else {
      out.push({ startMs: times[i], endMs: times[i] + stepMs, value: s });
    }
  });
  return out;
}

export interface LabelChanges {
  create: LabelRange[];
  delete: number[];
}

/**
 * The calls that turn what is stored into what is wanted within [times[0], last step end): stored
 * ranges that already match are kept, others inside the window are deleted, missing ones created.
 * Applying the result and planning again yields no change (idempotent). Stored ranges that reach
 * outside the window are split: the outside parts are re-created so nothing outside is lost.
 */
export function planLabelChanges(
  stored: readonly LabelRange[],
  wanted: ReadonlyArray<LabelValue | null>,
  times: readonly number[],
  stepMs: number
): LabelChanges {
  if (times.length === 0) {
    return { create: [], delete: [] };
  }
  const from = times[0];
  const to = times[times.length - 1] + stepMs;
  const desired = rangesFromSteps(wanted, times, stepMs);
  const key = (r: LabelRange) => `${r.startMs}/${r.endMs}/${r.value}`;
  const desiredKeys = new Set(desired.map(key));
  const overlapping = stored.filter((r) => r.startMs < to && r.endMs > from && r.id !== undefined);
  const kept = new Set<string>();
  const del: number[] = [];
  const create: LabelRange[] = [];
  for (const r of overlapping) {
    if (desiredKeys.has(key(r)) && !kept.has(key(r))) {
      kept.add(key(r));
      continue;
    }
    del.push(r.id!);
    if (r.startMs < from) {
      create.push({ startMs: r.startMs, endMs: from, value: r.value });
    }
    if (r.endMs > to) {
      create.push({ startMs: to, endMs: r.endMs, value: r.value });
    }
  }
  create.push(...desired.filter((r) => !kept.has(key(r))));
  return { create, delete: del };
}
