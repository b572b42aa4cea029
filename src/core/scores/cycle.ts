/**
 * One watcher cycle, the pure parts: which steps each store lacks and which to score, the faults a model
 * lookup reports, failures tagged with the source and request that failed, and the cycle's log record.
 * The service (src/cli/watch) does the reading, scoring and writing.
 */
import type { SourceHttp, SourceName, SourceRequest } from '../sources/sourceHttp';
import type { ModelIdentity } from './records';
import { pendingSteps, type DueWindow } from './schedule';

export type Store = 'elasticsearch' | 'graphite';
export const STORES: readonly Store[] = ['elasticsearch', 'graphite'];
export type PerStore<T> = Record<Store, T>;

/** What looking up the model this cycle did. */
export type ModelEvent =
  | { kind: 'kept' }
  | { kind: 'switched'; from: ModelIdentity | null; to: ModelIdentity }
  | { kind: 'refused'; reason: string; candidate: ModelIdentity }
  | { kind: 'unavailable'; reason: string };

export interface Fault {
  source: SourceName | 'carbon' | 'model';
  operation: string;
  message: string;
}

export interface CycleResult {
  ok: boolean;
  durationMs: number;
  window: DueWindow;
  /** Per store: steps it lacked at the start, steps written, steps still missing (null = unknown). */
  pending: PerStore<number | null>;
  written: PerStore<number>;
  remaining: PerStore<number | null>;
  last: PerStore<number | null>;
  model: ModelIdentity | null;
  modelEvent: ModelEvent;
  faults: Fault[];
  stopped: boolean;
}

export interface CyclePlan {
  /** Per store: the due steps it lacks, oldest first; null where its state could not be read. */
  pending: PerStore<number[] | null>;
  /** What either store lacks, oldest first: the steps to score. */
  steps: number[];
}

/** `held`: the steps each store holds in the window (null: unknown, so the store is not written). */
export function planCycle(window: DueWindow, stepMs: number, held: PerStore<ReadonlySet<number> | null>): CyclePlan {
  const pending = {} as PerStore<number[] | null>;
  for (const s of STORES) {
    const h = held[s];
    pending[s] = h === null ? null : pendingSteps(window, stepMs, h);
  }
  const steps = [...new Set([...(pending.elasticsearch ?? []), ...(pending.graphite ?? [])])].sort((a, b) => a - b);
  return { pending, steps };
}

/** The fault a model lookup reports, if any (a kept or switched model is none). */
export function modelEventFault(e: ModelEvent): Fault | null {
  if (e.kind === 'unavailable') {
    return { source: 'model', operation: 'read', message: e.reason };
  }
  if (e.kind === 'refused') {
    return { source: 'model', operation: 'refused', message: e.reason };
  }
  return null;
}

export const NO_MODEL_FAULT: Fault = {
  source: 'model',
  operation: 'load',
  message: 'no usable model yet: nothing scored',
};

/** A source request that failed, tagged with the source and the request path. */
export class SourceFault extends Error {
  constructor(
    readonly source: SourceName,
    readonly operation: string,
    cause: unknown
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** The given HTTP, with failures tagged by source and request path (query dropped). */
export function taggedHttp(http: SourceHttp): SourceHttp {
  return async <T>(req: SourceRequest): Promise<T> => {
    try {
      return await http<T>(req);
    } catch (err) {
      throw new SourceFault(req.source, req.path.split('?')[0], err);
    }
  };
}

/** An error as a fault of `operation`: a tagged one names its source and request, others `fallback`. */
export function toFault(err: unknown, fallback: Fault['source'], operation: string): Fault {
  if (err instanceof SourceFault) {
    return { source: err.source, operation: `${operation}: ${err.operation}`, message: err.message };
  }
  return { source: fallback, operation, message: err instanceof Error ? err.message : String(err) };
}

/** The JSON log line's fields for a finished cycle (times as ISO strings). */
export function cycleLogRecord(name: string, r: CycleResult, nowMs: number): Record<string, unknown> {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const e = r.modelEvent;
  return {
    time: iso(nowMs),
    event: 'cycle',
    name,
    ok: r.ok,
    durationMs: r.durationMs,
    window: { from: iso(r.window.fromMs), to: iso(r.window.toMs) },
    pending: r.pending,
    written: r.written,
    remaining: r.remaining,
    lastHour: { elasticsearch: iso(r.last.elasticsearch), graphite: iso(r.last.graphite) },
    model: r.model,
    ...(e.kind === 'switched' ? { modelSwitched: { from: e.from, to: e.to } } : {}),
    ...(e.kind === 'refused' ? { modelRefused: { candidate: e.candidate, reason: e.reason } } : {}),
    faults: r.faults,
    ...(r.stopped ? { stopping: true } : {}),
  };
}
