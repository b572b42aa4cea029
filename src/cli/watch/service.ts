/**
 * The watcher's cycle and loop. State lives in the stores: every cycle reads which steps of the due
 * window Elasticsearch and Graphite already hold, scores the union of what either lacks in batches
 * (one feature fetch per batch) and writes each store its own missing steps, so a store that was down
 * is filled later while the other keeps being written.
 *
 * Two watchers with the same name are safe: both compute the same document ids and the same Graphite
 * points for a step, so the second write overwrites the first (tested in tests/integration/watch.test.ts).
 */
import { modelForMatrix, scoringFetchStart } from '../../core/model/scoreRange';
import { scoreSeries } from '../../core/model/score';
import {
  bulkBody,
  parseBulkResponse,
  parseWrittenSteps,
  SCORE_TEMPLATE_NAME,
  scoreDocument,
  scoreIndexTemplate,
  writtenStepsPath,
  writtenStepsQuery,
} from '../../core/scores/elasticsearch';
import { carbonLines, parseWrittenMarkers, writtenStepsRender } from '../../core/scores/graphite';
import { renderPrometheus, type MetricFamily } from '../../core/scores/prometheus';
import { checkFeatureKeys, checkWatcherName, stepScores, type ModelIdentity } from '../../core/scores/records';
import {
  batchSteps,
  checkSchedule,
  dueWindow,
  lastStep,
  nextDueAt,
  pendingSteps,
  type ScheduleOptions,
} from '../../core/scores/schedule';
import { fetchFeatureMatrix } from '../../core/sources/featureFetch';
import type { ConfiguredSources, SourceSettings } from '../../core/sources/settings';
import type { SourceHttp, SourceName, SourceRequest } from '../../core/sources/sourceHttp';
import { sendCarbon, type CarbonAddress } from './carbon';
import { ModelKeeper, type ModelEvent, type ModelSource } from './model';

export type Store = 'elasticsearch' | 'graphite';
const STORES: Store[] = ['elasticsearch', 'graphite'];

export interface WatchConfig {
  name: string;
  settings: SourceSettings;
  /** Feature fetches, score writes to Elasticsearch and marker reads from Graphite. */
  http: SourceHttp;
  configured: ConfiguredSources;
  carbon: CarbonAddress;
  model: ModelSource;
  schedule: ScheduleOptions;
  /** Steps per fetch-score-write batch. */
  batchSteps: number;
  /** First retry delay after a failed cycle; doubles up to retryMaxMs (or the next due step, if sooner). */
  retryMinMs: number;
  retryMaxMs: number;
  /** How long to wait for carbon's points to become readable before counting a step unwritten. */
  graphiteVerifyMs: number;
  now?: () => number;
  log?: (line: string) => void;
}

export interface Fault {
  source: SourceName | 'carbon' | 'model';
  operation: string;
  message: string;
}

export interface CycleResult {
  ok: boolean;
  durationMs: number;
  window: { fromMs: number; toMs: number };
  /** Per store: steps it lacked at the start, steps written, steps still missing (null = unknown). */
  pending: Record<Store, number | null>;
  written: Record<Store, number>;
  remaining: Record<Store, number | null>;
  last: Record<Store, number | null>;
  model: ModelIdentity | null;
  modelEvent: ModelEvent;
  faults: Fault[];
  stopped: boolean;
}

/** A source request that failed, tagged with the source and what the watcher was doing. */
class SourceFault extends Error {
  constructor(
    readonly source: SourceName,
    readonly operation: string,
    cause: unknown
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

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
  private stopping = false;
  private readonly wake: { fn?: () => void } = {};
  private templateReady = false;
  private lastResult: CycleResult | null = null;
  private readonly lastWritten: Record<Store, number | null> = { elasticsearch: null, graphite: null };
  private readonly failures = new Map<string, { source: string; operation: string; count: number }>();
  private readonly writtenTotal: Record<Store, number> = { elasticsearch: 0, graphite: 0 };
  private readonly cycles = { ok: 0, failed: 0 };
  private refusals = 0;

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
  }

  /** Finish the write in progress, then stop (SIGTERM). */
  stop(): void {
    this.stopping = true;
    this.wake.fn?.();
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Runs until stop(); with once, one cycle. Resolves to the exit code. */
  async run(once = false): Promise<number> {
    let retry = this.c.retryMinMs;
    for (;;) {
      const r = await this.cycle();
      if (once) {
        return r.ok ? 0 : 1;
      }
      if (this.stopping) {
        return 0;
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
    const started = this.now();
    const faults: Fault[] = [];
    const http = this.tagged();
    const modelEvent = await this.keeper.refresh();
    if (modelEvent.kind === 'unavailable') {
      faults.push({ source: 'model', operation: 'read', message: modelEvent.reason });
    } else if (modelEvent.kind === 'refused') {
      this.refusals++;
      faults.push({ source: 'model', operation: 'refused', message: modelEvent.reason });
    }
    const window = dueWindow(started, this.c.schedule);
    const stepMs = this.c.schedule.stepMs;
    const pending: Record<Store, number[] | null> = { elasticsearch: null, graphite: null };
    const written: Record<Store, Set<number>> = { elasticsearch: new Set(), graphite: new Set() };
    const held: Record<Store, Set<number>> = { elasticsearch: new Set(), graphite: new Set() };
    const inUse = this.keeper.current;

    if (inUse) {
      const [es, gr] = await Promise.allSettled([
        this.readElasticsearch(http, window),
        this.readGraphite(http, window),
      ]);
      for (const [store, r] of [
        ['elasticsearch', es],
        ['graphite', gr],
      ] as const) {
        if (r.status === 'fulfilled') {
          held[store] = r.value;
          pending[store] = pendingSteps(window, stepMs, r.value);
        } else {
          faults.push(this.fault(r.reason, store === 'graphite' ? 'graphite' : 'elasticsearch', 'read state'));
        }
      }
      const active: Record<Store, boolean> = {
        elasticsearch: pending.elasticsearch !== null,
        graphite: pending.graphite !== null,
      };
      const want: Record<Store, Set<number>> = {
        elasticsearch: new Set(pending.elasticsearch ?? []),
        graphite: new Set(pending.graphite ?? []),
      };
      const union = [...new Set([...want.elasticsearch, ...want.graphite])].sort((a, b) => a - b);
      for (const batch of batchSteps(union, stepMs, this.c.batchSteps)) {
        if (this.stopping || (!active.elasticsearch && !active.graphite)) {
          break;
        }
        const { model, bundled, identity } = inUse;
        let records;
        try {
          const matrix = await fetchFeatureMatrix(
            { http, settings: this.c.settings, configured: this.c.configured },
            scoringFetchStart(model.doc, batch[0], bundled),
            batch[batch.length - 1] + stepMs
          );
          records = stepScores(matrix, scoreSeries(modelForMatrix(model, matrix, bundled), matrix), batch);
        } catch (err) {
          faults.push(this.fault(err, 'elasticsearch', 'fetch features'));
          break;
        }
        const writes = STORES.map(async (store) => {
          const steps = records.filter((r) => want[store].has(r.timeMs));
          if (!active[store] || steps.length === 0) {
            return;
          }
          try {
            const done =
              store === 'elasticsearch'
                ? await this.writeElasticsearch(http, steps, identity)
                : await this.writeGraphite(http, steps);
            done.forEach((t) => written[store].add(t));
            if (done.length < steps.length) {
              throw new Error(`${steps.length - done.length} of ${steps.length} steps not confirmed written`);
            }
          } catch (err) {
            active[store] = false;
            faults.push(this.fault(err, store === 'graphite' ? 'carbon' : 'elasticsearch', 'write scores'));
          }
        });
        await Promise.all(writes);
      }
    } else {
      faults.push({ source: 'model', operation: 'load', message: 'no usable model yet: nothing scored' });
    }

    const result = this.finish(started, window, pending, written, held, modelEvent, faults);
    return result;
  }

  private finish(
    started: number,
    window: { fromMs: number; toMs: number },
    pending: Record<Store, number[] | null>,
    written: Record<Store, Set<number>>,
    held: Record<Store, Set<number>>,
    modelEvent: ModelEvent,
    faults: Fault[]
  ): CycleResult {
    const remaining = {} as Record<Store, number | null>;
    for (const s of STORES) {
      const p = pending[s];
      remaining[s] = p === null ? null : p.filter((t) => !written[s].has(t)).length;
      this.writtenTotal[s] += written[s].size;
      const last = lastStep(new Set([...held[s], ...written[s]]));
      if (last !== null && (this.lastWritten[s] === null || last > this.lastWritten[s]!)) {
        this.lastWritten[s] = last;
      }
    }
    for (const f of faults) {
      const key = `${f.source}\u0000${f.operation}`;
      const e = this.failures.get(key) ?? { source: f.source, operation: f.operation, count: 0 };
      e.count++;
      this.failures.set(key, e);
    }
    const ok = faults.length === 0 && remaining.elasticsearch === 0 && remaining.graphite === 0;
    this.cycles[ok ? 'ok' : 'failed']++;
    const result: CycleResult = {
      ok,
      durationMs: this.now() - started,
      window,
      pending: { elasticsearch: pending.elasticsearch?.length ?? null, graphite: pending.graphite?.length ?? null },
      written: { elasticsearch: written.elasticsearch.size, graphite: written.graphite.size },
      remaining,
      last: { ...this.lastWritten },
      model: this.keeper.current?.identity ?? null,
      modelEvent,
      faults,
      stopped: this.stopping,
    };
    this.lastResult = result;
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    this.log(
      JSON.stringify({
        time: new Date(this.now()).toISOString(),
        event: 'cycle',
        name: this.c.name,
        ok,
        durationMs: result.durationMs,
        window: { from: iso(window.fromMs), to: iso(window.toMs) },
        pending: result.pending,
        written: result.written,
        remaining,
        lastHour: { elasticsearch: iso(this.lastWritten.elasticsearch), graphite: iso(this.lastWritten.graphite) },
        model: result.model,
        ...(modelEvent.kind === 'switched' ? { modelSwitched: { from: modelEvent.from, to: modelEvent.to } } : {}),
        ...(modelEvent.kind === 'refused'
          ? { modelRefused: { candidate: modelEvent.candidate, reason: modelEvent.reason } }
          : {}),
        faults,
        ...(this.stopping ? { stopping: true } : {}),
      })
    );
    return result;
  }

  private fault(err: unknown, fallback: Fault['source'], operation: string): Fault {
    if (err instanceof SourceFault) {
      return { source: err.source, operation: `${operation}: ${err.operation}`, message: err.message };
    }
    return { source: fallback, operation, message: err instanceof Error ? err.message : String(err) };
  }

  /** The injected HTTP, with failures tagged by source and request path. */
  private tagged(): SourceHttp {
    const http = this.c.http;
    return async <T>(req: SourceRequest): Promise<T> => {
      try {
        return await http<T>(req);
      } catch (err) {
        throw new SourceFault(req.source, req.path.split('?')[0], err);
      }
    };
  }

  private async readElasticsearch(http: SourceHttp, w: { fromMs: number; toMs: number }): Promise<Set<number>> {
    const r = await http({
      source: 'elasticsearch',
      path: writtenStepsPath(this.c.name),
      method: 'POST',
      body: JSON.stringify(writtenStepsQuery(this.c.name, w.fromMs, w.toMs, this.c.schedule.stepMs)),
      contentType: 'application/json',
    });
    return parseWrittenSteps(r);
  }

  private async readGraphite(http: SourceHttp, w: { fromMs: number; toMs: number }): Promise<Set<number>> {
    if (w.toMs <= w.fromMs) {
      return new Set();
    }
    const r = await http({
      source: 'graphite',
      path: '/render',
      method: 'POST',
      body: writtenStepsRender(this.c.name, w.fromMs, w.toMs, this.c.schedule.stepMs),
      contentType: 'application/x-www-form-urlencoded',
    });
    return parseWrittenMarkers(r, this.c.schedule.stepMs);
  }

  /** One _bulk (each document a whole step); returns the steps Elasticsearch acknowledged. */
  private async writeElasticsearch(
    http: SourceHttp,
    steps: ReturnType<typeof stepScores>,
    identity: ModelIdentity
  ): Promise<number[]> {
    if (!this.templateReady) {
      await http({
        source: 'elasticsearch',
        path: `/_index_template/${SCORE_TEMPLATE_NAME}`,
        method: 'PUT',
        body: JSON.stringify(scoreIndexTemplate()),
        contentType: 'application/json',
      });
      this.templateReady = true;
    }
    const at = this.now();
    const docs = steps.map((s) => scoreDocument(this.c.name, this.c.schedule.stepMs, s, identity, at));
    // refresh=wait_for: the next state read sees these documents.
    const r = await http({
      source: 'elasticsearch',
      path: '/_bulk?refresh=wait_for',
      method: 'POST',
      body: bulkBody(docs, identity),
      contentType: 'application/x-ndjson',
    });
    return parseBulkResponse(docs, r).written;
  }

  /** One carbon batch, then the markers read back: only steps Graphite returns count as written. */
  private async writeGraphite(http: SourceHttp, steps: ReturnType<typeof stepScores>): Promise<number[]> {
    await sendCarbon(this.c.carbon, carbonLines(this.c.name, steps));
    const wanted = steps.map((s) => s.timeMs);
    const stepMs = this.c.schedule.stepMs;
    const w = { fromMs: wanted[0], toMs: wanted[wanted.length - 1] + stepMs };
    const deadline = Date.now() + this.c.graphiteVerifyMs;
    for (;;) {
      const seen = await this.readGraphite(http, w);
      const done = wanted.filter((t) => seen.has(t));
      if (done.length === wanted.length || Date.now() >= deadline) {
        return done;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** /metrics: the state after the last cycle, lag computed now. */
  metrics(): string {
    const stepMs = this.c.schedule.stepMs;
    const now = this.now();
    const r = this.lastResult;
    const perStore = (f: (s: Store) => number | null) =>
      STORES.flatMap((store) => {
        const v = f(store);
        return v === null ? [] : [{ labels: { store }, value: v }];
      });
    const model = this.keeper.current?.identity;
    const families: MetricFamily[] = [
      {
        name: 'gridsentinel_watch_last_scored_hour_seconds',
        help: 'Start of the newest step the store holds (Unix seconds).',
        type: 'gauge',
        samples: perStore((s) => (this.lastWritten[s] === null ? null : this.lastWritten[s]! / 1000)),
      },
      {
        name: 'gridsentinel_watch_lag_seconds',
        help: 'Seconds since the end of the newest step the store holds.',
        type: 'gauge',
        samples: perStore((s) => (this.lastWritten[s] === null ? null : (now - this.lastWritten[s]! - stepMs) / 1000)),
      },
      {
        name: 'gridsentinel_watch_pending_steps',
        help: 'Due steps the store still lacked after the last cycle.',
        type: 'gauge',
        samples: perStore((s) => r?.remaining[s] ?? null),
      },
      {
        name: 'gridsentinel_watch_cycle_duration_seconds',
        help: 'Duration of the last cycle.',
        type: 'gauge',
        samples: r ? [{ value: r.durationMs / 1000 }] : [],
      },
      {
        name: 'gridsentinel_watch_cycles_total',
        help: 'Cycles run, by result.',
        type: 'counter',
        samples: [
          { labels: { result: 'ok' }, value: this.cycles.ok },
          { labels: { result: 'failed' }, value: this.cycles.failed },
        ],
      },
      {
        name: 'gridsentinel_watch_failures_total',
        help: 'Failed operations, by source (elasticsearch, graphite, carbon, model) and operation.',
        type: 'counter',
        samples: [...this.failures.values()].map((f) => ({
          labels: { source: f.source, operation: f.operation.split(':')[0] },
          value: f.count,
        })),
      },
      {
        name: 'gridsentinel_watch_steps_written_total',
        help: 'Steps written, by store.',
        type: 'counter',
        samples: STORES.map((store) => ({ labels: { store }, value: this.writtenTotal[store] })),
      },
      {
        name: 'gridsentinel_watch_model_version',
        help: 'Published version of the model in use (0: a file or the bundled model).',
        type: 'gauge',
        samples: model ? [{ value: model.version ?? 0 }] : [],
      },
      {
        name: 'gridsentinel_watch_model_info',
        help: 'The model in use (always 1).',
        type: 'gauge',
        samples: model
          ? [{ labels: { id: model.id, version: String(model.version ?? ''), origin: model.origin }, value: 1 }]
          : [],
      },
      {
        name: 'gridsentinel_watch_model_refusals_total',
        help: 'Model candidates refused (did not load or did not fit the features).',
        type: 'counter',
        samples: [{ value: this.refusals }],
      },
    ];
    return renderPrometheus(mergeFailureSamples(families));
  }

  /** /healthz: 200 while the last cycle succeeded (or none ran yet), 503 with the faults otherwise. */
  health(): { status: number; body: Record<string, unknown> } {
    const r = this.lastResult;
    if (!r) {
      return { status: 200, body: { status: 'starting' } };
    }
    return {
      status: r.ok ? 200 : 503,
      body: { status: r.ok ? 'ok' : 'degraded', remaining: r.remaining, faults: r.faults, model: r.model },
    };
  }
}

/** Failure samples whose operation prefixes coincide are summed (label sets must be unique). */
function mergeFailureSamples(families: MetricFamily[]): MetricFamily[] {
  return families.map((f) => {
    if (f.name !== 'gridsentinel_watch_failures_total') {
      return f;
    }
    const merged = new Map<string, { labels: Record<string, string>; value: number }>();
    for (const s of f.samples) {
      const key = JSON.stringify(s.labels);
      const e = merged.get(key);
      if (e) {
        e.value += s.value;
      } else {
        merged.set(key, { labels: s.labels ?? {}, value: s.value });
      }
    }
    return { ...f, samples: [...merged.values()] };
  });
}
