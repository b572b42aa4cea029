import { HOUR_MS } from '../time';
import type { Fault } from './cycle';
import { watchMetrics } from './watchMetrics';
import { WatchStats, type CycleOutcome } from './watchStats';

const T = Date.UTC(2026, 0, 10, 0);
const h = (i: number) => T + i * HOUR_MS;
const model = { id: 'abc', version: 2, origin: 'grafana:x' };

function outcome(over: Partial<CycleOutcome> = {}): CycleOutcome {
  return {
    startedMs: h(4),
    endedMs: h(4) + 2500,
    window: { fromMs: h(0), toMs: h(4) },
    pending: { elasticsearch: [h(2), h(3)], graphite: [h(3)] },
    written: { elasticsearch: new Set([h(2), h(3)]), graphite: new Set([h(3)]) },
    held: { elasticsearch: new Set([h(0), h(1)]), graphite: new Set([h(0), h(1), h(2)]) },
    model,
    modelEvent: { kind: 'kept' },
    faults: [],
    stopped: false,
    ...over,
  };
}

describe('WatchStats', () => {
  it('a cycle is ok when nothing failed and both stores hold every due step', () => {
    const s = new WatchStats();
    expect(s.health()).toEqual({ status: 200, body: { status: 'starting' } });
    const r = s.record(outcome());
    expect(r).toMatchObject({
      ok: true,
      durationMs: 2500,
      pending: { elasticsearch: 2, graphite: 1 },
      written: { elasticsearch: 2, graphite: 1 },
      remaining: { elasticsearch: 0, graphite: 0 },
      last: { elasticsearch: h(3), graphite: h(3) },
    });
    expect(s.health()).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('a store left short, or unknown, or a fault makes it degraded; the newest step never goes back', () => {
    const s = new WatchStats();
    s.record(outcome());
    const fault: Fault = { source: 'carbon', operation: 'write scores', message: 'refused' };
    const r = s.record(
      outcome({
        pending: { elasticsearch: null, graphite: [h(3)] },
        written: { elasticsearch: new Set(), graphite: new Set() },
        held: { elasticsearch: new Set(), graphite: new Set([h(1)]) },
        faults: [fault],
      })
    );
    expect(r.ok).toBe(false);
    expect(r.remaining).toEqual({ elasticsearch: null, graphite: 1 });
    expect(r.last).toEqual({ elasticsearch: h(3), graphite: h(3) });
    expect(s.health()).toEqual({
      status: 503,
      body: { status: 'degraded', remaining: r.remaining, faults: [fault], model },
    });
    expect(s.totals()).toMatchObject({
      cycles: { ok: 1, failed: 1 },
      writtenTotal: { elasticsearch: 2, graphite: 1 },
      failures: [{ source: 'carbon', operation: 'write scores', count: 1 }],
    });
  });
});

describe('watchMetrics', () => {
  it('nothing yet: counters at zero, no per-store gauges, no model', () => {
    const text = watchMetrics(new WatchStats().totals(), h(5), HOUR_MS, null);
    expect(text).toMatch(/^# HELP gridsentinel_watch_last_scored_hour_seconds /);
    expect(text).toMatch(/gridsentinel_watch_cycles_total\{result="ok"\} 0\n/);
    expect(text).toMatch(/gridsentinel_watch_model_refusals_total 0\n/);
    expect(text).not.toMatch(/gridsentinel_watch_lag_seconds\{/);
    expect(text).not.toMatch(/gridsentinel_watch_model_version \d/);
  });

  it('lag from the end of the newest step; failures summed by operation prefix; the model in use', () => {
    const s = new WatchStats();
    s.countRefusal();
    s.record(
      outcome({
        faults: [
          { source: 'graphite', operation: 'write scores: /render', message: 'a' },
          { source: 'graphite', operation: 'write scores', message: 'b' },
          { source: 'model', operation: 'refused', message: 'c' },
        ],
      })
    );
    const text = watchMetrics(s.totals(), h(4) + 15 * 60_000, HOUR_MS, model);
    expect(text).toContain(`gridsentinel_watch_last_scored_hour_seconds{store="elasticsearch"} ${h(3) / 1000}\n`);
    expect(text).toContain('gridsentinel_watch_lag_seconds{store="graphite"} 900\n');
    expect(text).toContain('gridsentinel_watch_pending_steps{store="elasticsearch"} 0\n');
    expect(text).toContain('gridsentinel_watch_cycle_duration_seconds 2.5\n');
    expect(text).toContain('gridsentinel_watch_cycles_total{result="failed"} 1\n');
    expect(text).toContain('gridsentinel_watch_failures_total{source="graphite",operation="write scores"} 2\n');
    expect(text).toContain('gridsentinel_watch_failures_total{source="model",operation="refused"} 1\n');
    expect(text).toContain('gridsentinel_watch_steps_written_total{store="elasticsearch"} 2\n');
    expect(text).toContain('gridsentinel_watch_model_version 2\n');
    expect(text).toContain('gridsentinel_watch_model_info{id="abc",version="2",origin="grafana:x"} 1\n');
    expect(text).toContain('gridsentinel_watch_model_refusals_total 1\n');
  });
});
