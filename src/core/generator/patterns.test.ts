/** @jest-environment node */
// Pattern outages (diurnal_loss, slow_degradation, decoupling): their windows and labels, the signature each
// one's documentation promises (outages.ts), and that adding them never moves the level outages and gaps.
import {
  HOUR_MS,
  OUTAGE_KINDS,
  PATTERN_KINDS,
  generateGrid,
  gridLabelledSeries,
  type GeneratedGrid,
  type GeneratorOptions,
  type OutageSpec,
} from './index';

const START = '2024-03-04T00:00:00Z'; // a Monday
const startMs = Date.parse(START);
const at = (day: number, hour: number) => startMs + (day * 24 + hour) * HOUR_MS;
const hourIndex = (day: number, hour: number) => day * 24 + hour;

function col(g: GeneratedGrid, type: string): number[] {
  const T = g.eventTypes.length;
  const k = g.eventTypes.indexOf(type);
  return g.times.map((_, h) => g.totals[h * T + k]);
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: readonly number[]) => sum(xs) / xs.length;

/** Labels 1 and kind on exactly [h0, h1), 0 and null elsewhere (a single outage in the grid). */
function expectWindow(g: GeneratedGrid, kind: string, h0: number, h1: number): void {
  const series = gridLabelledSeries(g);
  g.times.forEach((_, h) => {
    const inside = h >= h0 && h < h1;
    expect([h, g.labels[h], series.kinds[h]]).toEqual([h, inside ? 1 : 0, inside ? kind : null]);
  });
  expect(g.outages).toHaveLength(1);
  expect(g.outages[0]).toMatchObject({ kind, start: startMs + h0 * HOUR_MS, end: startMs + h1 * HOUR_MS });
  expect(g.outages[0].anomalous).toBe(true);
}

describe('diurnal_loss', () => {
  // Without campaign bursts the diurnal cycle is the only shape of the submissions, so flatness is measurable.
  const base = { start: START, days: 12, scale: 1, campaignFraction: 0 };
  const DAY = hourIndex(9, 6); // Wednesday 00:00 at Fermilab (UTC-6)
  const day = (xs: number[]) => xs.slice(DAY, DAY + 24);
  /** Normalised projection of the day's submissions on the diurnal cycle (peak 19:30 UTC): 0.45 when normal. */
  const swing = (xs: number[]) =>
    ((2 / 24) * sum(xs.map((v, i) => v * Math.cos((2 * Math.PI * (((DAY + i) % 24) - 19.5)) / 24)))) / mean(xs);

  it.each([5, 6])('seed %s: a flat day whose total stays that of the same day without the outage', (seed) => {
    const normal = generateGrid({ ...base, seed, outages: [] });
    const flat = generateGrid({ ...base, seed, outages: [{ kind: 'diurnal_loss', start: at(9, 6), severity: 1 }] });
    expectWindow(flat, 'diurnal_loss', DAY, DAY + 24);
    expect(flat.outages[0].activeHours).toBe(24);
    const was = day(col(normal, 'SubmitEvent'));
    const now = day(col(flat, 'SubmitEvent'));
    expect(Math.abs(sum(now) / sum(was) - 1)).toBeLessThan(0.05);
    expect(swing(was)).toBeGreaterThan(0.3);
    expect(Math.abs(swing(now))).toBeLessThan(0.25 * swing(was));
    // Hour to hour the counts stay near the day's mean (what is left is noise).
    const cv = (xs: number[]) => Math.sqrt(mean(xs.map((v) => (v - mean(xs)) ** 2))) / mean(xs);
    expect(cv(now)).toBeLessThan(0.6 * cv(was));
  });

  it('flattens less at severity 0 (half the swing stays)', () => {
    const normal = generateGrid({ ...base, seed: 5, outages: [] });
    const subtle = generateGrid({
      ...base,
      seed: 5,
      outages: [{ kind: 'diurnal_loss', start: at(9, 6), severity: 0 }],
    });
    const ratio = swing(day(col(subtle, 'SubmitEvent'))) / swing(day(col(normal, 'SubmitEvent')));
    expect(ratio).toBeGreaterThan(0.3);
    expect(ratio).toBeLessThan(0.7);
  });
});

describe('slow_degradation', () => {
  const H0 = hourIndex(4, 6);
  const failures = (g: GeneratedGrid) => {
    const [sh, ev, he] = ['ShadowExceptionEvent', 'JobEvictedEvent', 'JobHeldEvent'].map((t) => col(g, t));
    return sh.map((v, h) => v + ev[h] + he[h]);
  };

  it.each([5, 6])('seed %s: failures creep up over the window, hour by hour, with no step', (seed) => {
    const spec: OutageSpec = { kind: 'slow_degradation', start: at(4, 6), activeHours: 48, severity: 0.5 };
    const g = generateGrid({ start: START, days: 9, seed, scale: 1, outages: [spec] });
    expectWindow(g, 'slow_degradation', H0, H0 + 48);
    const f = failures(g);
    const before = mean(f.slice(H0 - 24, H0));
    // Means of four 12-hour blocks rise one after the other.
    const blocks = [0, 1, 2, 3].map((b) => mean(f.slice(H0 + 12 * b, H0 + 12 * (b + 1))));
    for (let b = 1; b < 4; b++) {
      expect(blocks[b]).toBeGreaterThan(blocks[b - 1]);
    }
    const end = mean(f.slice(H0 + 42, H0 + 48));
    const rise = end - before;
    expect(rise).toBeGreaterThan(2 * before);
    // It starts near normal: the first 6 hours carry under a fifth of the final rise ...
    expect(mean(f.slice(H0, H0 + 6)) - before).toBeLessThan(0.2 * rise);
    // ... and no 6-hour block jumps by more than a third of it (a step would jump by all of it).
    for (let h = H0; h + 12 <= H0 + 48; h += 6) {
      expect(mean(f.slice(h + 6, h + 12)) - mean(f.slice(h, h + 6))).toBeLessThan(0.35 * rise);
    }
    // Repaired: back to normal after the window.
    expect(mean(f.slice(H0 + 48, H0 + 60))).toBeLessThan(before + 0.1 * rise);
  });

  it('is subtle at severity 0 and grows with severity', () => {
    const run = (severity: number) =>
      failures(
        generateGrid({
          start: START,
          days: 9,
          seed: 5,
          scale: 1,
          outages: [{ kind: 'slow_degradation', start: at(4, 6), activeHours: 48, severity }],
        })
      );
    const lo = run(0);
    const hi = run(1);
    const before = mean(lo.slice(H0 - 24, H0));
    const endLo = mean(lo.slice(H0 + 36, H0 + 48));
    const endHi = mean(hi.slice(H0 + 36, H0 + 48));
    expect(endLo).toBeGreaterThan(before);
    expect(endLo).toBeLessThan(1.6 * before);
    expect(endHi - before).toBeGreaterThan(5 * (endLo - before));
  });
});

describe('decoupling', () => {
  const H0 = hourIndex(4, 14); // Friday afternoon
  const base = { start: START, days: 9, scale: 1 };

  it.each([5, 6])('seed %s: completions decouple from starts while each stays in its normal range', (seed) => {
    const normal = generateGrid({ ...base, seed, outages: [] });
    const g = generateGrid({
      ...base,
      seed,
      outages: [{ kind: 'decoupling', start: at(4, 14), activeHours: 6, severity: 0.5 }],
    });
    expectWindow(g, 'decoupling', H0, H0 + 6);
    const term = col(g, 'JobTerminatedEvent');
    const exec = col(g, 'ExecuteEvent');
    const term0 = col(normal, 'JobTerminatedEvent');
    const exec0 = col(normal, 'ExecuteEvent');
    const ratio = (t: number[], e: number[], a: number, b: number) => sum(t.slice(a, b)) / sum(e.slice(a, b));
    // Completions per start drop by about 35% in the window, and only there.
    expect(ratio(term, exec, H0, H0 + 6) / ratio(term0, exec0, H0, H0 + 6)).toBeLessThan(0.75);
    expect(ratio(term, exec, H0 - 12, H0) / ratio(term0, exec0, H0 - 12, H0)).toBeCloseTo(1, 1);
    expect(ratio(term, exec, H0 + 6, H0 + 18) / ratio(term0, exec0, H0 + 6, H0 + 18)).toBeGreaterThan(0.9);
    // Starts go on as without the outage.
    expect(Math.abs(sum(exec.slice(H0, H0 + 6)) / sum(exec0.slice(H0, H0 + 6)) - 1)).toBeLessThan(0.05);
    // Every hour of each count stays within the range that count spans in the normal grid (after warm-up).
    for (const [xs, ref] of [
      [term, term0],
      [exec, exec0],
    ]) {
      const normalRange = ref.slice(48);
      for (const v of xs.slice(H0, H0 + 6)) {
        expect(v).toBeGreaterThanOrEqual(Math.min(...normalRange));
        expect(v).toBeLessThanOrEqual(Math.max(...normalRange));
      }
    }
  });

  it('drops completions by 20% at severity 0 and 50% at severity 1', () => {
    const normal = col(generateGrid({ ...base, seed: 5, outages: [] }), 'JobTerminatedEvent');
    const drop = (severity: number) => {
      const spec: OutageSpec = { kind: 'decoupling', start: at(4, 14), activeHours: 4, severity };
      const term = col(generateGrid({ ...base, seed: 5, outages: [spec] }), 'JobTerminatedEvent');
      return 1 - sum(term.slice(H0, H0 + 4)) / sum(normal.slice(H0, H0 + 4));
    };
    expect(drop(0)).toBeCloseTo(0.2, 1);
    expect(drop(1)).toBeCloseTo(0.5, 1);
  });
});

describe('random pattern outages', () => {
  const patternKinds: readonly string[] = PATTERN_KINDS;
  const levelKinds: readonly string[] = [...OUTAGE_KINDS, 'monitoring_gap'];

  it.each([
    { seed: 1, scale: 0.0165, days: 100 },
    { seed: 9, scale: 0.02, days: 70 },
    { seed: 'x', scale: 1, days: 40 },
    { seed: 4, scale: 0.3, days: 60, outageRatePerWeek: 4, gapRatePerWeek: 1 },
  ])('leave every other window as it was (seed $seed, scale $scale)', (opts) => {
    const o: GeneratorOptions = { start: START, ...opts };
    const without = generateGrid({ ...o, patternRatePerWeek: 0 });
    const withPatterns = generateGrid(o);
    expect(without.outages.every((w) => levelKinds.includes(w.kind))).toBe(true);
    expect(withPatterns.outages.filter((w) => levelKinds.includes(w.kind))).toEqual(without.outages);
    const patterns = withPatterns.outages.filter((w) => patternKinds.includes(w.kind));
    expect(patterns.length).toBeGreaterThan(0);
    // At least 12 h from every other window, after the warm-up, inside the range.
    for (const p of patterns) {
      expect(p.start).toBeGreaterThanOrEqual(startMs + 48 * HOUR_MS);
      expect(p.end).toBeLessThanOrEqual(startMs + withPatterns.hours * HOUR_MS);
      for (const w of withPatterns.outages) {
        if (w !== p) {
          expect(p.start >= w.end + 12 * HOUR_MS || p.end + 12 * HOUR_MS <= w.start).toBe(true);
        }
      }
    }
  });

  it('draws all three kinds at about 0.5 per week, labelled like the others', () => {
    const g = generateGrid({ start: START, days: 365, seed: 2, scale: 0.0165 });
    const patterns = g.outages.filter((w) => patternKinds.includes(w.kind));
    expect(new Set(patterns.map((w) => w.kind))).toEqual(new Set(PATTERN_KINDS));
    expect(patterns.length).toBeGreaterThan(0.3 * 52);
    expect(patterns.length).toBeLessThan(0.7 * 52);
    for (const p of patterns) {
      expect(p.severity).toBeGreaterThanOrEqual(0);
      expect(p.severity).toBeLessThanOrEqual(1);
      for (let t = p.start; t < p.end; t += HOUR_MS) {
        const h = (t - startMs) / HOUR_MS;
        expect([g.labels[h], g.hourKinds[h]]).toEqual([1, p.kind]);
      }
      if (p.kind === 'diurnal_loss') {
        expect(new Date(p.start).getUTCHours()).toBe(6);
        expect(p.end - p.start).toBe(24 * HOUR_MS);
      } else if (p.kind === 'slow_degradation') {
        expect(p.activeHours).toBeGreaterThanOrEqual(24);
        expect(p.activeHours).toBeLessThanOrEqual(72);
      } else {
        expect(p.activeHours).toBeGreaterThanOrEqual(3);
        expect(p.activeHours).toBeLessThanOrEqual(8);
      }
      expect(p.end - p.start).toBe(p.activeHours * HOUR_MS);
    }
  });

  it('honours patternRatePerWeek and patternMix, and is deterministic', () => {
    const o = { start: START, days: 70, seed: 3, scale: 0.0165 };
    const kindsOf = (g: GeneratedGrid) => g.outages.map((w) => w.kind).filter((k) => patternKinds.includes(k));
    expect(kindsOf(generateGrid({ ...o, patternRatePerWeek: 0 }))).toEqual([]);
    const only = kindsOf(generateGrid({ ...o, patternMix: { diurnal_loss: 0, slow_degradation: 0 } }));
    expect(only.length).toBeGreaterThan(0);
    expect(new Set(only)).toEqual(new Set(['decoupling']));
    const a = generateGrid(o);
    const b = generateGrid(o);
    expect(kindsOf(generateGrid({ ...o, patternRatePerWeek: 2 })).length).toBeGreaterThan(kindsOf(a).length);
    expect(a.outages).toEqual(b.outages);
    expect(Buffer.from(a.totals.buffer).equals(Buffer.from(b.totals.buffer))).toBe(true);
  });
});
