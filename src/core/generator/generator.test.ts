/** @jest-environment node */
import {
  DEFAULT_SEED_DAYS,
  DEFAULT_SEED_SCALE,
  GENERATED_EVENT_TYPES,
  HOUR_MS,
  generateGrid,
  gridEventCount,
  gridFeatureMatrix,
  gridLabelledSeries,
  type GeneratedGrid,
  type OutageSpec,
} from './index';
import { assertFeatureMatrix, featureColumn } from '../featureMatrix';
import { DEFAULT_FEATURE_NAMES } from '../htcondor/eventTypes';

const START = '2024-03-04T00:00:00Z'; // a Monday
const startMs = Date.parse(START);

function col(g: GeneratedGrid, type: string): Array<number | null> {
  return featureColumn(gridFeatureMatrix(g, g.eventTypes), type);
}

function mean(xs: Array<number | null>): number {
  const v = xs.filter((x): x is number => x !== null);
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** Mean of a type over hours [h0, h1) and over the 24 h on either side of it. */
function windowVsSurroundings(
  g: GeneratedGrid,
  type: string,
  h0: number,
  h1: number
): { inside: number; around: number; ratio: number } {
  const c = col(g, type);
  const inside = mean(c.slice(h0, h1));
  const around = mean([...c.slice(Math.max(0, h0 - 24), h0), ...c.slice(h1, h1 + 24)]);
  return { inside, around, ratio: inside / Math.max(around, 1e-9) };
}

describe('generator determinism', () => {
  const opts = { start: START, days: 14, scale: 0.05 };
  it('gives identical output for the same seed', () => {
    const a = generateGrid({ ...opts, seed: 42 });
    const b = generateGrid({ ...opts, seed: 42 });
    expect(Buffer.from(a.counts.buffer).equals(Buffer.from(b.counts.buffer))).toBe(true);
    expect(Array.from(a.totals)).toEqual(Array.from(b.totals));
    expect(a.outages).toEqual(b.outages);
    expect(a.labels).toEqual(b.labels);
    expect(a.context).toEqual(b.context);
  });
  it('gives different output for a different seed', () => {
    const a = generateGrid({ ...opts, seed: 42 });
    const b = generateGrid({ ...opts, seed: 43 });
    expect(Array.from(a.totals)).not.toEqual(Array.from(b.totals));
  });
  it('treats numeric and string seeds alike', () => {
    const a = generateGrid({ ...opts, seed: 7 });
    const b = generateGrid({ ...opts, seed: '7' });
    expect(Array.from(a.totals)).toEqual(Array.from(b.totals));
  });
  it('rejects bad options', () => {
    expect(() => generateGrid({ start: 'yesterday', days: 1 })).toThrow(/invalid start/);
    expect(() => generateGrid({ start: START, hours: 0 })).toThrow(/hours must be a positive integer/);
    expect(() => generateGrid({ start: START, days: 1, scale: -1 })).toThrow(/scale/);
  });
});

describe('generator bookkeeping', () => {
  const g = generateGrid({ start: START, days: 21, seed: 3, scale: 0.2 });
  const T = g.eventTypes.length;
  const E = g.experiments.length;
  const S = g.schedds.length;

  it('has 20+ experiments, several schedds and the default features among its event types', () => {
    expect(E).toBeGreaterThanOrEqual(20);
    expect(S).toBeGreaterThanOrEqual(3);
    for (const f of DEFAULT_FEATURE_NAMES) {
      expect(g.eventTypes).toContain(f);
    }
    expect(g.eventTypes).toEqual([...GENERATED_EVENT_TYPES]);
  });

  it('per-experiment/schedd counts sum exactly to the per-type totals', () => {
    for (let h = 0; h < g.hours; h++) {
      for (let k = 0; k < T; k++) {
        let sum = 0;
        for (let i = 0; i < E * S; i++) {
          sum += g.counts[(h * T + k) * E * S + i];
        }
        expect(sum).toBe(g.totals[h * T + k]);
      }
    }
  });

  it('produces a valid hourly feature matrix', () => {
    const m = assertFeatureMatrix(gridFeatureMatrix(g));
    expect(m.stepMs).toBe(HOUR_MS);
    expect(m.times[0]).toBe(startMs);
    expect(m.times).toHaveLength(21 * 24);
    expect(m.features).toEqual([...DEFAULT_FEATURE_NAMES]);
  });

  it('keeps claimed slots within the cores and utilization in [0, 1]', () => {
    for (let h = 0; h < g.hours; h++) {
      expect(g.context.running[h]).toBeLessThanOrEqual(g.context.cores[h]);
      expect(g.context.utilization[h]).toBeGreaterThanOrEqual(0);
      expect(g.context.utilization[h]).toBeLessThanOrEqual(1);
      expect(g.context.claimedByExperiment[h].reduce((a, b) => a + b, 0)).toBe(g.context.running[h]);
    }
  });
});

describe('generator realism (scale 1, no outages)', () => {
  const g = generateGrid({
    start: START,
    days: 56,
    seed: 11,
    scale: 1,
    outageRatePerWeek: 0,
    gapRatePerWeek: 0,
    patternRatePerWeek: 0,
  });
  const m = gridFeatureMatrix(g, g.eventTypes);

  it('has GPGrid magnitudes: ~19k cores, thousands of events per hour', () => {
    expect(g.context.cores[0]).toBeGreaterThan(18000);
    expect(g.context.cores[0]).toBeLessThan(20500);
    const perHour = gridEventCount(g) / g.hours;
    expect(perHour).toBeGreaterThan(5000);
    expect(perHour).toBeLessThan(40000);
    expect(mean(featureColumn(m, 'ExecuteEvent'))).toBeGreaterThan(1000);
    // Rare types are rare but present.
    expect(mean(featureColumn(m, 'JobReconnectFailedEvent'))).toBeGreaterThan(0.5);
    expect(mean(featureColumn(m, 'JobReconnectFailedEvent'))).toBeLessThan(100);
  });

  it('has a diurnal cycle in submissions peaking in the US Central afternoon', () => {
    const byHour = Array.from({ length: 24 }, () => [] as number[]);
    featureColumn(m, 'SubmitEvent').forEach((v, h) => byHour[new Date(m.times[h]).getUTCHours()].push(v as number));
    const means = byHour.map((xs) => mean(xs));
    const peak = means.indexOf(Math.max(...means));
    const trough = means.indexOf(Math.min(...means));
    expect(Math.max(...means) / Math.min(...means)).toBeGreaterThan(1.6);
    expect(peak).toBeGreaterThanOrEqual(15);
    expect(peak).toBeLessThanOrEqual(23);
    expect(trough).toBeGreaterThanOrEqual(3);
    expect(trough).toBeLessThanOrEqual(12);
  });

  it('has a weekly cycle: weekends submit much less than weekdays', () => {
    const weekend: number[] = [];
    const weekday: number[] = [];
    featureColumn(m, 'SubmitEvent').forEach((v, h) => {
      const d = new Date(m.times[h] - 6 * HOUR_MS).getUTCDay();
      (d === 0 || d === 6 ? weekend : weekday).push(v as number);
    });
    expect(mean(weekend) / mean(weekday)).toBeLessThan(0.65);
  });

  it('is bursty: submission campaigns make some hours several times the median', () => {
    const sub = (featureColumn(m, 'SubmitEvent') as number[]).slice().sort((a, b) => a - b);
    const median = sub[Math.floor(sub.length / 2)];
    expect(sub[sub.length - 1]).toBeGreaterThan(4 * median);
  });

  it('conserves jobs: starts minus job exits equals the change in running jobs', () => {
    const sum = (t: string) => (featureColumn(m, t) as number[]).reduce((a, b) => a + b, 0);
    const exits =
      sum('JobTerminatedEvent') +
      sum('JobEvictedEvent') +
      sum('ShadowExceptionEvent') +
      sum('JobReconnectFailedEvent') +
      sum('JobHeldEvent');
    const delta = g.context.running[g.hours - 1] - g.context.running[0];
    // The only exits without an event of their own are removals of running jobs (JobAbortedEvent, ~0.1%/h).
    expect(Math.abs(sum('ExecuteEvent') - exits - delta) / sum('ExecuteEvent')).toBeLessThan(0.01);
  });

  it('executions follow running jobs: terminations are about running / mean runtime', () => {
    const term = mean(featureColumn(m, 'JobTerminatedEvent'));
    const running = mean(g.context.running);
    expect(term / running).toBeGreaterThan(1 / 12);
    expect(term / running).toBeLessThan(1 / 2);
  });

  it('drifts: the pool grows over the weeks', () => {
    const first = mean(g.context.cores.slice(0, 24 * 7));
    const last = mean(g.context.cores.slice(-24 * 7));
    expect(last).toBeGreaterThan(first * 1.01);
  });

  it('keeps ~1M documents for the five-month demo at the default seed scale', () => {
    const demo = generateGrid({
      start: '2024-01-01T00:00:00Z',
      days: DEFAULT_SEED_DAYS,
      seed: 1,
      scale: DEFAULT_SEED_SCALE,
    });
    const n = gridEventCount(demo);
    expect(n).toBeGreaterThan(800_000);
    expect(n).toBeLessThan(1_200_000);
  });

  it('scales event volume roughly linearly with scale', () => {
    const small = generateGrid({
      start: START,
      days: 56,
      seed: 11,
      scale: 0.1,
      outageRatePerWeek: 0,
      gapRatePerWeek: 0,
      patternRatePerWeek: 0,
    });
    const ratio = gridEventCount(small) / gridEventCount(g);
    expect(ratio).toBeGreaterThan(0.08);
    expect(ratio).toBeLessThan(0.12);
  });
});

describe('injected outages', () => {
  const at = (day: number, hour: number) => startMs + (day * 24 + hour) * HOUR_MS;
  const H0 = 6 * 24 + 14; // day 6 (Sunday...Monday safe margins) 14:00 UTC
  function withOutage(spec: Omit<OutageSpec, 'start'>, seed = 5): GeneratedGrid {
    return generateGrid({ start: START, days: 12, seed, scale: 1, outages: [{ ...spec, start: at(6, 14) }] });
  }

  it('worker_node_collapse: evictions, disconnects, failed reconnects and shadow exceptions jump', () => {
    const g = withOutage({ kind: 'worker_node_collapse', activeHours: 3, severity: 0.5 });
    expect(g.outages[0]).toMatchObject({
      kind: 'worker_node_collapse',
      start: at(6, 14),
      end: at(6, 18),
      anomalous: true,
    });
    for (const t of ['JobEvictedEvent', 'JobDisconnectedEvent', 'JobReconnectFailedEvent', 'ShadowExceptionEvent']) {
      expect(windowVsSurroundings(g, t, H0, H0 + 3).ratio).toBeGreaterThan(3);
    }
    // Capacity is gone while the nodes are down.
    expect(Math.max(...g.context.cores.slice(H0, H0 + 3))).toBeLessThan(0.85 * g.context.cores[H0 - 1]);
    expect(g.context.cores[H0 + 3]).toBeGreaterThan(0.95 * g.context.cores[H0 - 1]);
  });

  it('worker_node_collapse magnitude grows with severity (low severity is subtle)', () => {
    const lo = withOutage({ kind: 'worker_node_collapse', activeHours: 2, severity: 0 });
    const hi = withOutage({ kind: 'worker_node_collapse', activeHours: 2, severity: 1 });
    const rl = windowVsSurroundings(lo, 'JobEvictedEvent', H0, H0 + 1).ratio;
    const rh = windowVsSurroundings(hi, 'JobEvictedEvent', H0, H0 + 1).ratio;
    expect(rh).toBeGreaterThan(2 * rl);
    expect(windowVsSurroundings(lo, 'ExecuteEvent', H0, H0 + 2).ratio).toBeGreaterThan(0.7);
  });

  it('scheduler_unresponsive (all schedds): activity near zero, then a catch-up burst', () => {
    const g = withOutage({ kind: 'scheduler_unresponsive', activeHours: 3, severity: 0.5 });
    expect(g.outages[0].schedds).toHaveLength(g.schedds.length);
    for (const t of ['SubmitEvent', 'ExecuteEvent', 'JobTerminatedEvent', 'JobImageSizeEvent']) {
      expect(windowVsSurroundings(g, t, H0, H0 + 3).ratio).toBeLessThan(0.1);
    }
    for (const t of ['SubmitEvent', 'JobTerminatedEvent', 'ExecuteEvent']) {
      expect(windowVsSurroundings(g, t, H0 + 3, H0 + 4).ratio).toBeGreaterThan(1.5);
    }
  });

  it('scheduler_unresponsive (one schedd) only silences that schedd', () => {
    const g = withOutage({
      kind: 'scheduler_unresponsive',
      activeHours: 2,
      severity: 1,
      schedds: ['jobsub02.fnal.gov'],
    });
    const T = g.eventTypes.length;
    const E = g.experiments.length;
    const S = g.schedds.length;
    const bySchedd = (h: number, s: number) => {
      let n = 0;
      for (let k = 0; k < T; k++) {
        for (let e = 0; e < E; e++) {
          n += g.counts[((h * T + k) * E + e) * S + s];
        }
      }
      return n;
    };
    expect(bySchedd(H0, 1)).toBeLessThan(0.1 * bySchedd(H0 - 2, 1));
    expect(bySchedd(H0, 0)).toBeGreaterThan(0.5 * bySchedd(H0 - 2, 0));
    // Subtle in the totals: one schedd of five.
    expect(windowVsSurroundings(g, 'SubmitEvent', H0, H0 + 2).ratio).toBeGreaterThan(0.5);
  });

  it('disconnect_storm: mass disconnects matched by reconnects', () => {
    const g = withOutage({ kind: 'disconnect_storm', activeHours: 1, severity: 0.5 });
    expect(windowVsSurroundings(g, 'JobDisconnectedEvent', H0, H0 + 1).ratio).toBeGreaterThan(20);
    expect(windowVsSurroundings(g, 'JobReconnectedEvent', H0, H0 + 2).ratio).toBeGreaterThan(10);
    const dis = col(g, 'JobDisconnectedEvent')[H0] as number;
    const rec = (col(g, 'JobReconnectedEvent')[H0] as number) + (col(g, 'JobReconnectedEvent')[H0 + 1] as number);
    expect(rec / dis).toBeGreaterThan(0.85);
  });

  it('reconnect_failure: failed reconnects dominate', () => {
    const g = withOutage({ kind: 'reconnect_failure', activeHours: 3, severity: 0.5 });
    expect(windowVsSurroundings(g, 'JobReconnectFailedEvent', H0, H0 + 4).ratio).toBeGreaterThan(10);
    expect(windowVsSurroundings(g, 'JobDisconnectedEvent', H0, H0 + 3).ratio).toBeGreaterThan(5);
    const fails = col(g, 'JobReconnectFailedEvent').slice(H0, H0 + 4) as number[];
    const recs = col(g, 'JobReconnectedEvent').slice(H0, H0 + 4) as number[];
    expect(fails.reduce((a, b) => a + b, 0)).toBeGreaterThan(recs.reduce((a, b) => a + b, 0));
  });

  it('held_wave: holds and image-size updates of one experiment, then releases and removals', () => {
    const g = withOutage({ kind: 'held_wave', activeHours: 4, severity: 0.5, experiment: 'uboone' });
    expect(windowVsSurroundings(g, 'JobHeldEvent', H0, H0 + 4).ratio).toBeGreaterThan(5);
    expect(windowVsSurroundings(g, 'JobReleaseEvent', H0 + 4, H0 + 5).ratio).toBeGreaterThan(5);
    const T = g.eventTypes.length;
    const E = g.experiments.length;
    const S = g.schedds.length;
    const e = g.experiments.indexOf('uboone');
    const vo = (type: string) =>
      g.times.map((_, h) => {
        let n = 0;
        for (let s = 0; s < S; s++) {
          n += g.counts[((h * T + g.eventTypes.indexOf(type)) * E + e) * S + s];
        }
        return n;
      });
    const around = (xs: number[], h0: number, h1: number) =>
      mean(xs.slice(h0, h1)) / mean([...xs.slice(h0 - 24, h0), ...xs.slice(h1, h1 + 24)]);
    expect(around(vo('JobImageSizeEvent'), H0, H0 + 4)).toBeGreaterThan(1.5);
    expect(around(vo('JobAbortedEvent'), H0 + 4, H0 + 5)).toBeGreaterThan(3);
    // The holds belong to uboone.
    const held = vo('JobHeldEvent');
    expect(held[H0 + 1] / g.totals[(H0 + 1) * T + g.eventTypes.indexOf('JobHeldEvent')]).toBeGreaterThan(0.8);
  });

  it('monitoring_gap: null rows (not zeros), null labels, no events recorded', () => {
    const g = withOutage({ kind: 'monitoring_gap', activeHours: 5 });
    const m = gridFeatureMatrix(g);
    for (let h = H0; h < H0 + 5; h++) {
      expect(m.values[h].every((v) => v === null)).toBe(true);
      expect(g.labels[h]).toBeNull();
      expect(g.hourKinds[h]).toBe('monitoring_gap');
      expect(g.missing[h]).toBe(true);
      expect(g.totals.slice(h * g.eventTypes.length, (h + 1) * g.eventTypes.length).every((v) => v === 0)).toBe(true);
    }
    expect(m.values[H0 - 1].every((v) => v !== null)).toBe(true);
    expect(m.values[H0 + 5].every((v) => v !== null)).toBe(true);
    expect(g.labels[H0 - 1]).toBe(0);
    expect(g.labels[H0 + 5]).toBe(0);
    expect(g.outages[0].anomalous).toBe(false);
    // Context (condor_q probes) keeps flowing during an event-pipeline gap.
    expect(g.context.running[H0]).toBeGreaterThan(0);
  });

  it('rejects overlapping or out-of-range explicit outages', () => {
    expect(() =>
      generateGrid({
        start: START,
        days: 3,
        outages: [
          { kind: 'disconnect_storm', start: at(1, 0), activeHours: 2 },
          { kind: 'held_wave', start: at(1, 2), activeHours: 2 },
        ],
      })
    ).toThrow(/overlap/);
    expect(() =>
      generateGrid({ start: START, days: 1, outages: [{ kind: 'held_wave', start: at(0, 22), activeHours: 4 }] })
    ).toThrow(/does not fit/);
    expect(() =>
      generateGrid({ start: START, days: 1, outages: [{ kind: 'held_wave', start: at(0, 2), experiment: 'atlas' }] })
    ).toThrow(/unknown experiment/);
  });
});

describe('random outage schedule and labels', () => {
  const g = generateGrid({ start: START, days: 120, seed: 9, scale: 0.02 });

  it('draws every kind, including gaps, over a few months', () => {
    const kinds = new Set(g.outages.map((o) => o.kind));
    expect(kinds).toEqual(
      new Set([
        'worker_node_collapse',
        'scheduler_unresponsive',
        'disconnect_storm',
        'reconnect_failure',
        'held_wave',
        'monitoring_gap',
        // Pattern outages (patterns.test.ts), 0.5/week.
        'diurnal_loss',
        'slow_degradation',
        'decoupling',
      ])
    );
    // ~1.75/week outages + 0.35/week gaps + 0.5/week pattern outages over 17 weeks
    expect(g.outages.length).toBeGreaterThan(25);
    expect(g.outages.length).toBeLessThan(65);
  });

  it('has a spread of severities (some subtle)', () => {
    const sev = g.outages.filter((o) => o.anomalous).map((o) => o.severity);
    expect(Math.min(...sev)).toBeLessThan(0.25);
    expect(Math.max(...sev)).toBeGreaterThan(0.75);
  });

  it('labels line up exactly with the windows', () => {
    const expected: Array<0 | 1 | null> = new Array(g.hours).fill(0);
    let prevEnd = -Infinity;
    for (const o of g.outages) {
      expect(o.start % HOUR_MS).toBe(0);
      expect(o.end % HOUR_MS).toBe(0);
      expect(o.start).toBeGreaterThanOrEqual(prevEnd);
      expect(o.start).toBeGreaterThanOrEqual(startMs + 48 * HOUR_MS);
      expect(o.end).toBeLessThanOrEqual(startMs + g.hours * HOUR_MS);
      prevEnd = o.end;
      for (let t = o.start; t < o.end; t += HOUR_MS) {
        expected[(t - startMs) / HOUR_MS] = o.kind === 'monitoring_gap' ? null : 1;
      }
    }
    expect(g.labels).toEqual(expected);
    const series = gridLabelledSeries(g);
    series.matrix.values.forEach((row, h) => {
      expect(row.every((v) => v === null)).toBe(g.labels[h] === null);
    });
    g.hourKinds.forEach((k, h) => expect(k === null).toBe(g.labels[h] === 0));
  });

  it('honours the outage rate, gap rate and mix', () => {
    const none = generateGrid({
      start: START,
      days: 60,
      seed: 9,
      scale: 0.02,
      outageRatePerWeek: 0,
      gapRatePerWeek: 0,
      patternRatePerWeek: 0,
    });
    expect(none.outages).toEqual([]);
    expect(none.labels.every((l) => l === 0)).toBe(true);
    const onlyStorms = generateGrid({
      start: START,
      days: 60,
      seed: 9,
      scale: 0.02,
      gapRatePerWeek: 0,
      patternRatePerWeek: 0,
      outageMix: { worker_node_collapse: 0, scheduler_unresponsive: 0, reconnect_failure: 0, held_wave: 0 },
    });
    expect(new Set(onlyStorms.outages.map((o) => o.kind))).toEqual(new Set(['disconnect_storm']));
    const frequent = generateGrid({
      start: START,
      days: 60,
      seed: 9,
      scale: 0.02,
      outageRatePerWeek: 7,
      gapRatePerWeek: 0,
      patternRatePerWeek: 0,
    });
    expect(frequent.outages.length).toBeGreaterThan(onlyStorms.outages.length * 1.5);
  });
});
