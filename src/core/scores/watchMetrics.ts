/** The watcher's /metrics body: its totals as Prometheus families, lag computed at `nowMs`. */
import { STORES, type Store } from './cycle';
import { renderPrometheus, type MetricFamily } from './prometheus';
import type { ModelIdentity } from './records';
import type { WatchTotals } from './watchStats';

export function watchMetrics(t: WatchTotals, nowMs: number, stepMs: number, model: ModelIdentity | null): string {
  const perStore = (f: (s: Store) => number | null) =>
    STORES.flatMap((store) => {
      const v = f(store);
      return v === null ? [] : [{ labels: { store }, value: v }];
    });
  const newest = (s: Store, f: (t: number) => number) => {
    const last = t.lastWritten[s];
    return last === null ? null : f(last);
  };
  const r = t.last;
  const families: MetricFamily[] = [
    {
      name: 'gridsentinel_watch_last_scored_hour_seconds',
      help: 'Start of the newest step the store holds (Unix seconds).',
      type: 'gauge',
      samples: perStore((s) => newest(s, (last) => last / 1000)),
    },
    {
      name: 'gridsentinel_watch_lag_seconds',
      help: 'Seconds since the end of the newest step the store holds.',
      type: 'gauge',
      samples: perStore((s) => newest(s, (last) => (nowMs - last - stepMs) / 1000)),
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
        { labels: { result: 'ok' }, value: t.cycles.ok },
        { labels: { result: 'failed' }, value: t.cycles.failed },
      ],
    },
    {
      name: 'gridsentinel_watch_failures_total',
      help: 'Failed operations, by source (elasticsearch, graphite, carbon, model) and operation.',
      type: 'counter',
      samples: failureSamples(t.failures),
    },
    {
      name: 'gridsentinel_watch_steps_written_total',
      help: 'Steps written, by store.',
      type: 'counter',
      samples: STORES.map((store) => ({ labels: { store }, value: t.writtenTotal[store] })),
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
      samples: [{ value: t.refusals }],
    },
  ];
  return renderPrometheus(families);
}

/**
 * One sample per source and operation prefix (before the first ':', e.g. "write scores" of
 * "write scores: /render"); failures whose prefixes coincide are summed, since label sets must be unique.
 */
function failureSamples(failures: WatchTotals['failures']): MetricFamily['samples'] {
  const merged = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const f of failures) {
    const labels = { source: f.source, operation: f.operation.split(':')[0] };
    const key = JSON.stringify(labels);
    const e = merged.get(key);
    if (e) {
      e.value += f.count;
    } else {
      merged.set(key, { labels, value: f.count });
    }
  }
  return [...merged.values()];
}
