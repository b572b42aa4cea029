/**
 * What the watcher has done since it started, for /metrics and /healthz: each finished cycle is recorded
 * here (its result computed from what each store lacked, held and was written), along with counters.
 */
import { STORES, type CycleResult, type Fault, type ModelEvent, type PerStore } from './cycle';
import type { ModelIdentity } from './records';
import { lastStep, type DueWindow } from './schedule';

/** A cycle's work, as the service collected it. */
export interface CycleOutcome {
  startedMs: number;
  endedMs: number;
  window: DueWindow;
  /** Steps each store lacked at the start (null: its state could not be read). */
  pending: PerStore<number[] | null>;
  /** Steps each store confirmed written. */
  written: PerStore<ReadonlySet<number>>;
  /** Steps each store held at the start. */
  held: PerStore<ReadonlySet<number>>;
  model: ModelIdentity | null;
  modelEvent: ModelEvent;
  faults: Fault[];
  stopped: boolean;
}

export interface WatchTotals {
  last: CycleResult | null;
  /** Newest step each store holds, as far as the watcher has seen. */
  lastWritten: PerStore<number | null>;
  writtenTotal: PerStore<number>;
  cycles: { ok: number; failed: number };
  failures: Array<{ source: string; operation: string; count: number }>;
  refusals: number;
}

export class WatchStats {
  private last: CycleResult | null = null;
  private readonly lastWritten: PerStore<number | null> = { elasticsearch: null, graphite: null };
  private readonly writtenTotal: PerStore<number> = { elasticsearch: 0, graphite: 0 };
  private readonly cycles = { ok: 0, failed: 0 };
  private readonly failures = new Map<string, { source: string; operation: string; count: number }>();
  private refusals = 0;

  /** A model candidate was refused (counted when it happens, before the cycle ends). */
  countRefusal(): void {
    this.refusals++;
  }

  /** Records a finished cycle; ok when nothing failed and both stores hold every due step. */
  record(o: CycleOutcome): CycleResult {
    const remaining = {} as PerStore<number | null>;
    for (const s of STORES) {
      const p = o.pending[s];
      remaining[s] = p === null ? null : p.filter((t) => !o.written[s].has(t)).length;
      this.writtenTotal[s] += o.written[s].size;
      const last = lastStep(new Set([...o.held[s], ...o.written[s]]));
      const prev = this.lastWritten[s];
      if (last !== null && (prev === null || last > prev)) {
        this.lastWritten[s] = last;
      }
    }
    for (const f of o.faults) {
      const key = `${f.source}\u0000${f.operation}`;
      const e = this.failures.get(key) ?? { source: f.source, operation: f.operation, count: 0 };
      e.count++;
      this.failures.set(key, e);
    }
    const ok = o.faults.length === 0 && remaining.elasticsearch === 0 && remaining.graphite === 0;
    this.cycles[ok ? 'ok' : 'failed']++;
    this.last = {
      ok,
      durationMs: o.endedMs - o.startedMs,
      window: o.window,
      pending: { elasticsearch: o.pending.elasticsearch?.length ?? null, graphite: o.pending.graphite?.length ?? null },
      written: { elasticsearch: o.written.elasticsearch.size, graphite: o.written.graphite.size },
      remaining,
      last: { ...this.lastWritten },
      model: o.model,
      modelEvent: o.modelEvent,
      faults: o.faults,
      stopped: o.stopped,
    };
    return this.last;
  }

  totals(): WatchTotals {
    return {
      last: this.last,
      lastWritten: { ...this.lastWritten },
      writtenTotal: { ...this.writtenTotal },
      cycles: { ...this.cycles },
      failures: [...this.failures.values()].map((f) => ({ ...f })),
      refusals: this.refusals,
    };
  }

  /** /healthz: 200 while the last cycle succeeded (or none ran yet), 503 with the faults otherwise. */
  health(): { status: number; body: Record<string, unknown> } {
    const r = this.last;
    if (!r) {
      return { status: 200, body: { status: 'starting' } };
    }
    return {
      status: r.ok ? 200 : 503,
      body: { status: r.ok ? 'ok' : 'degraded', remaining: r.remaining, faults: r.faults, model: r.model },
    };
  }
}
