/**
 * Every Grafana annotations call the timeline makes lives here. Labels are org-wide annotations tagged
 * `gridsentinel` + `gridsentinel:anomaly|normal` (src/core/labels.ts). A change re-reads what is stored
 * right before planning and only touches the changed span, so two operators labelling at once lose
 * nothing and applying the same change twice is a no-op; records that simultaneous writes duplicated
 * are removed right after (redundantLabels).
 */
import type { DataFrame } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import {
  LABEL_TAG,
  annotationForLabel,
  labelsFromAnnotations,
  planLabelChanges,
  redundantLabels,
  stepLabels,
  type AnnotationLike,
  type LabelRange,
  type LabelValue,
} from '../core/labels';

/** The HTTP calls, so tests can swap the transport (Grafana's backendSrv in the plugin). */
export interface AnnotationsHttp {
  list(params: { from: number; to: number; tags: string[]; limit: number }): Promise<AnnotationLike[]>;
  create(body: ReturnType<typeof annotationForLabel>): Promise<void>;
  remove(id: number): Promise<void>;
}

/** What the panel context offers (a subset of @grafana/ui PanelContext), used for writes when able. */
export interface AnnotationContext {
  canAddAnnotations?: () => boolean;
  onAnnotationCreate?: (a: { from: number; to: number; tags: string[]; description: string }) => unknown;
  onAnnotationDelete?: (id: string) => unknown;
}

// Grafana's default GET limit is 100; a 90-day range can hold more label runs.
const LIST_LIMIT = 5000;

export function backendSrvHttp(): AnnotationsHttp {
  const call = <T>(method: string, url: string, data?: unknown, params?: Record<string, unknown>) =>
    lastValueFrom(getBackendSrv().fetch<T>({ method, url, data, params, showErrorAlert: false })).then((r) => r.data);
  return {
    list: ({ from, to, tags, limit }) => {
      // Repeated `tags=` parameters, as Grafana's own client sends them.
      const q = new URLSearchParams({ from: String(from), to: String(to), limit: String(limit), type: 'annotation' });
      tags.forEach((t) => q.append('tags', t));
      return call<AnnotationLike[]>('GET', `/api/annotations?${q.toString()}`);
    },
    create: async (body) => {
      await call('POST', '/api/annotations', body);
    },
    remove: async (id) => {
      await call('DELETE', `/api/annotations/${id}`);
    },
  };
}

/** Writes go through the dashboard's panel context when it is there and allows adding, else straight to the API. */
export function withPanelContext(http: AnnotationsHttp, ctx: AnnotationContext | undefined): AnnotationsHttp {
  if (!ctx?.onAnnotationCreate || !ctx.onAnnotationDelete || !ctx.canAddAnnotations?.()) {
    return http;
  }
  const { onAnnotationCreate, onAnnotationDelete } = ctx;
  return {
    list: http.list,
    create: async (body) => {
      await onAnnotationCreate({ from: body.time, to: body.timeEnd, tags: body.tags, description: body.text });
    },
    remove: async (id) => {
      await onAnnotationDelete(String(id));
    },
  };
}

/** Annotation rows from the frames Grafana passes in data.annotations (before our own read returns). */
export function annotationRows(frames: DataFrame[] | undefined): AnnotationLike[] {
  const rows: AnnotationLike[] = [];
  for (const frame of frames ?? []) {
    const get = (name: string) => frame.fields.find((f) => f.name === name)?.values;
    const time = get('time');
    if (!time) {
      continue;
    }
    const [timeEnd, tags, id, login, updated, text] = ['timeEnd', 'tags', 'id', 'login', 'updated', 'text'].map(get);
    for (let i = 0; i < frame.length; i++) {
      rows.push({
        time: time[i],
        timeEnd: timeEnd?.[i],
        tags: Array.isArray(tags?.[i]) ? tags[i] : [],
        id: typeof id?.[i] === 'number' ? id[i] : undefined,
        login: login?.[i],
        updated: updated?.[i],
        text: text?.[i],
      });
    }
  }
  return rows;
}

export type StepState = LabelValue | null;

export interface SpanChange {
  /** Inclusive step indices of the changed span. */
  lo: number;
  hi: number;
  /** States of the span before the change (fresh from the server), for undo. */
  before: StepState[];
  after: StepState[];
  calls: number;
}

export class LabelStore {
  constructor(private readonly http: AnnotationsHttp) {}

  async read(fromMs: number, toMs: number): Promise<LabelRange[]> {
    const items = await this.http.list({ from: fromMs, to: toMs, tags: [LABEL_TAG], limit: LIST_LIMIT });
    return labelsFromAnnotations(Array.isArray(items) ? items : []);
  }

  /**
   * Sets steps lo..hi (inclusive) to what `want` returns for their current stored states. Re-reads first,
   * widens the window to the stored ranges touching the span (so adjacent runs merge instead of piling
   * up fragments), plans the fewest deletes/creates, then applies them (deletes first, so a failure
   * part-way leaves at worst a gap, never a duplicate).
   */
  async change(
    times: readonly number[],
    stepMs: number,
    lo: number,
    hi: number,
    want: (current: StepState[]) => StepState[]
  ): Promise<SpanChange> {
    const from = times[lo];
    const to = times[hi] + stepMs;
    const touching = await this.read(from, to);
    const wFrom = Math.min(from, ...touching.map((r) => r.startMs));
    const wTo = Math.max(to, ...touching.map((r) => r.endMs));
    const stored = wFrom === from && wTo === to ? touching : await this.read(wFrom, wTo);
    const window: number[] = [];
    for (let t = wFrom; t < wTo; t += stepMs) {
      window.push(t);
    }
    const states = stepLabels(stored, window);
    const off = Math.round((from - wFrom) / stepMs);
    const n = hi - lo + 1;
    const before = states.slice(off, off + n);
    const after = want(before);
    const wanted = [...states.slice(0, off), ...after, ...states.slice(off + n)];
    const plan = planLabelChanges(stored, wanted, window, stepMs);
    for (const id of plan.delete) {
      await this.http.remove(id);
    }
    for (const r of plan.create) {
      await this.http.create(annotationForLabel(r));
    }
    const cleaned = plan.create.length > 0 ? await this.removeRedundant(wFrom, wTo) : 0;
    return { lo, hi, before, after, calls: plan.delete.length + plan.create.length + cleaned };
  }

  /**
   * After a write, deletes records a simultaneous writer made redundant (see redundantLabels). A delete
   * that fails because the other client got there first is fine.
   */
  private async removeRedundant(fromMs: number, toMs: number): Promise<number> {
    const ids = redundantLabels(await this.read(fromMs, toMs));
    await Promise.all(ids.map((id) => this.http.remove(id).catch(() => undefined)));
    return ids.length;
  }
}
