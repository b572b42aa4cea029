/**
 * The watcher: a cycle every step (./cycle reads, scores and writes; ./stores talks to each store) in a
 * loop with backoff after failures, stopped by stop() (SIGTERM) once the write in progress is finished.
 * State lives in the stores: every cycle reads which steps of the due window Elasticsearch and Graphite
 * already hold and writes each store what it lacks, so a store that was down is filled later while the
 * other keeps being written. What it did is kept in core/scores/watchStats for /metrics and /healthz.
 *
 * Two watchers with the same name are safe: both compute the same document ids and the same Graphite
 * points for a step, so the second write overwrites the first (tested in tests/integration/watch.test.ts).
 */
import {
  cycleLogRecord,
  modelEventFault,
  NO_MODEL_FAULT,
  taggedHttp,
  type CycleResult,
  type Fault,
} from '../../core/scores/cycle';
import { checkFeatureKeys, checkWatcherName } from '../../core/scores/records';
import { checkSchedule, dueWindow, nextDueAt } from '../../core/scores/schedule';
import { watchMetrics } from '../../core/scores/watchMetrics';
import { WatchStats } from '../../core/scores/watchStats';
import type { WatchConfig } from './config';
import { scoreDue, type CycleWork } from './cycle';
import { ModelKeeper } from './model';
import { ScoreStores } from './stores';

export type { CycleResult, Fault, Store } from '../../core/scores/cycle';
export type { WatchConfig } from './config';

const sleepUntil = (ms: number, wake: { fn?: () => void }) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    wake.fn = () => {
      clearTimeout(timer);
      resolve();
    };
  });

export class Watcher {
  readonly keeper: ModelKeeper;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly stores: ScoreStores;
  private readonly stats = new WatchStats();
  private stopping = false;
  private readonly wake: { fn?: () => void } = {};

  constructor(private readonly c: WatchConfig) {
    checkWatcherName(c.name);
    checkSchedule(c.schedule);
    checkFeatureKeys(c.settings.features.map((f) => f.name));
    if (c.schedule.stepMs !== c.settings.stepSeconds * 1000) {
      throw new Error('schedule step and feature step differ');
    }
    this.keeper = new ModelKeeper(c.model, c.settings);
    this.now = c.now ?? Date.now;
    this.log = c.log ?? ((line) => process.stdout.write(`${line}\n`));
    this.stores = new ScoreStores(c, this.now);
  }

  /** Finish the write in progress, then stop (SIGTERM). */
  stop(): void {
    this.stopping = true;
    this.wake.fn?.();
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /**
   * Runs until stop(); with once, one cycle. Resolves to the exit code: 0 when stopped (what was written
   * stays; the next run fills the rest), with once 1 when a store still lacks a due step or a fault
   * occurred.
   */
  async run(once = false): Promise<number> {
    let retry = this.c.retryMinMs;
    for (;;) {
      const r = await this.cycle();
      if (this.stopping) {
        return 0;
      }
      if (once) {
        return r.ok ? 0 : 1;
      }
      const now = this.now();
      const due = nextDueAt(now, this.c.schedule);
      // A failed cycle is retried with backoff (sooner than the next step if that is far away).
      const at = r.ok ? due : Math.min(due, now + retry);
      retry = r.ok ? this.c.retryMinMs : Math.min(retry * 2, this.c.retryMaxMs);
      await sleepUntil(at - now, this.wake);
      if (this.stopping) {
        return 0;
      }
    }
  }

  async cycle(): Promise<CycleResult> {
    const startedMs = this.now();
    const faults: Fault[] = [];
    const modelEvent = await this.keeper.refresh();
    const modelFault = modelEventFault(modelEvent);
    if (modelFault) {
      faults.push(modelFault);
    }
    if (modelEvent.kind === 'refused') {
      this.stats.countRefusal();
    }
    const window = dueWindow(startedMs, this.c.schedule);
    const inUse = this.keeper.current;
    let work: CycleWork;
    if (inUse) {
      const context = {
        config: this.c,
        stores: this.stores,
        http: taggedHttp(this.c.http),
        stopping: () => this.stopping,
      };
      work = await scoreDue(context, inUse, window);
    } else {
      const none = () => ({ elasticsearch: new Set<number>(), graphite: new Set<number>() });
      work = {
        pending: { elasticsearch: null, graphite: null },
        written: none(),
        held: none(),
        faults: [{ ...NO_MODEL_FAULT }],
      };
    }
    const result = this.stats.record({
      ...work,
      startedMs,
      endedMs: this.now(),
      window,
      faults: [...faults, ...work.faults],
      model: this.keeper.current?.identity ?? null,
      modelEvent,
      stopped: this.stopping,
    });
    this.log(JSON.stringify(cycleLogRecord(this.c.name, result, this.now())));
    return result;
  }

  /** /metrics: the state after the last cycle, lag computed now. */
  metrics(): string {
    const model = this.keeper.current?.identity ?? null;
    return watchMetrics(this.stats.totals(), this.now(), this.c.schedule.stepMs, model);
  }

  /** /healthz: 200 while the last cycle succeeded (or none ran yet), 503 with the faults otherwise. */
  health(): { status: number; body: Record<string, unknown> } {
    return this.stats.health();
  }
}
