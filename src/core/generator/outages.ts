/**
 * Injected outages with ground truth. Windows are whole hours, [start, end) in epoch ms, and include
 * the recovery/catch-up hour(s) whose counts the outage itself causes.
 *
 * Defaults (severity s is drawn uniformly in [0, 1] unless given; s = 0 is the subtlest case):
 *
 * | kind                   | mix  | active h | +recovery h | effect (scale-free)                                                      |
 * |------------------------|------|----------|-------------|--------------------------------------------------------------------------|
 * | worker_node_collapse   | 0.25 | 1-6      | 1           | 5%+35%·s of cores die; their jobs evicted (40%), disconnected then fail   |
 * |                        |      |          |             | reconnect (45%), shadow exception (15%); capacity stays down; rerun burst |
 * | scheduler_unresponsive | 0.20 | 1-4      | 1           | 1 schedd (60%), 2 (25%) or all (15%) log only 8%-6%·s of events; no new   |
 * |                        |      |          |             | starts there; submits deferred and withheld events logged in catch-up    |
 * | disconnect_storm       | 0.20 | 1-2      | 1           | 5%+45%·s of running jobs disconnect; 95% reconnect                        |
 * | reconnect_failure      | 0.15 | 1-4      | 1           | 0.5%+4.5%·s of running jobs disconnect per hour; 60%+35%·s fail           |
 * | held_wave              | 0.20 | 2-8      | 1           | one VO: 3%+27%·s of its running jobs held per hour, image-size updates    |
 * |                        |      |          |             | ×(1.3+1.7·s) per job; recovery: 50% released, 30% removed                 |
 * | monitoring_gap         | n/a  | 1-12     | 0           | no event data at all (null, not zero); label null, not an outage          |
 *
 * Pattern outages change the shape of the counts rather than their level (a level detector barely sees them):
 *
 * | kind                   | mix  | active h | +recovery h | effect (scale-free)                                                      |
 * |------------------------|------|----------|-------------|--------------------------------------------------------------------------|
 * | diurnal_loss           | 1/3  | 24       | 0           | submissions lose 50%+50%·s of their diurnal swing for a Fermilab day     |
 * |                        |      |          |             | (00:00-24:00 UTC-6): the day's total is unchanged (the cycle averages 1  |
 * |                        |      |          |             | over 24 h), hours flatten towards the day's mean (campaign bursts stay); |
 * |                        |      |          |             | starts follow only where the pool has free slots                         |
 * | slow_degradation       | 1/3  | 24-72    | 0           | black-hole worker nodes spread: in active hour k (0-based) of A a share   |
 * |                        |      |          |             | (0.1%+1.1%·s)·(k+1)/A of running jobs fails before completing (shadow    |
 * |                        |      |          |             | exception 55%, evicted 30%, held 15%) and is requeued: those counts      |
 * |                        |      |          |             | creep up hour by hour (no step), completions dip by the same share       |
 * | decoupling             | 1/3  | 3-8      | 0           | starts vs completions: 20%+30%·s of the jobs that complete leave no      |
 * |                        |      |          |             | JobTerminatedEvent (the shadows lose their exit records); the jobs still |
 * |                        |      |          |             | leave their slots, so starts go on unchanged: completions per start drop |
 * |                        |      |          |             | by 20-50% while both counts stay in their usual range (no catch-up,     |
 * |                        |      |          |             | which would push completions above it)                                   |
 *
 * Rates: outages 1.75 per week, monitoring gaps 0.35 per week, none in the first 48 h (warm-up),
 * at least 12 h between windows. Pattern outages: 0.5 per week (`patternRatePerWeek`), drawn from their own
 * stream after the others are placed and put only in gaps at least 12 h from every other window, so adding
 * them never moves an outage or a gap; random diurnal_loss windows start at 06:00 UTC (Fermilab midnight).
 */
import { DAY_MS, HOUR_MS } from './profiles';
import type { Rng } from '../rng';

export const OUTAGE_KINDS = [
  'worker_node_collapse',
  'scheduler_unresponsive',
  'disconnect_storm',
  'reconnect_failure',
  'held_wave',
] as const;

/** Outages that change the pattern of the counts, not their level; scheduled separately (schedulePatternOutages). */
export const PATTERN_KINDS = ['diurnal_loss', 'slow_degradation', 'decoupling'] as const;

/** The level outages (the keys of `outageMix`). */
export type AnomalyKind = (typeof OUTAGE_KINDS)[number];
export type PatternKind = (typeof PATTERN_KINDS)[number];
export type OutageKind = AnomalyKind | PatternKind | 'monitoring_gap';

export const ALL_OUTAGE_KINDS: readonly OutageKind[] = [...OUTAGE_KINDS, ...PATTERN_KINDS, 'monitoring_gap'];

export interface OutageWindow {
  kind: OutageKind;
  /** Epoch ms, hour aligned, inclusive. */
  start: number;
  /** Epoch ms, hour aligned, exclusive; includes the recovery hours. */
  end: number;
  /** Hours in which the fault itself is active (the rest of the window is recovery). */
  activeHours: number;
  severity: number;
  /** held_wave: the VO whose jobs blow their memory request. */
  experiment?: string;
  /** scheduler_unresponsive: the hung schedds. */
  schedds?: string[];
  /** false for monitoring_gap: missing data is not a grid outage. */
  anomalous: boolean;
}

export interface KindDefaults {
  minActiveHours: number;
  maxActiveHours: number;
  recoveryHours: number;
}

export const OUTAGE_DEFAULTS: Record<OutageKind, KindDefaults> = {
  worker_node_collapse: { minActiveHours: 1, maxActiveHours: 6, recoveryHours: 1 },
  scheduler_unresponsive: { minActiveHours: 1, maxActiveHours: 4, recoveryHours: 1 },
  disconnect_storm: { minActiveHours: 1, maxActiveHours: 2, recoveryHours: 1 },
  reconnect_failure: { minActiveHours: 1, maxActiveHours: 4, recoveryHours: 1 },
  held_wave: { minActiveHours: 2, maxActiveHours: 8, recoveryHours: 1 },
  monitoring_gap: { minActiveHours: 1, maxActiveHours: 12, recoveryHours: 0 },
  diurnal_loss: { minActiveHours: 24, maxActiveHours: 24, recoveryHours: 0 },
  slow_degradation: { minActiveHours: 24, maxActiveHours: 72, recoveryHours: 0 },
  decoupling: { minActiveHours: 3, maxActiveHours: 8, recoveryHours: 0 },
};

export const DEFAULT_OUTAGE_MIX: Record<AnomalyKind, number> = {
  worker_node_collapse: 0.25,
  scheduler_unresponsive: 0.2,
  disconnect_storm: 0.2,
  reconnect_failure: 0.15,
  held_wave: 0.2,
};

export const DEFAULT_OUTAGE_RATE_PER_WEEK = 1.75;
export const DEFAULT_GAP_RATE_PER_WEEK = 0.35;
export const DEFAULT_PATTERN_MIX: Record<PatternKind, number> = {
  diurnal_loss: 1,
  slow_degradation: 1,
  decoupling: 1,
};

export const DEFAULT_PATTERN_RATE_PER_WEEK = 0.5;
export const DEFAULT_WARMUP_HOURS = 48;
export const MIN_SEPARATION_HOURS = 12;

/** An outage requested explicitly (tests, demos); unspecified fields get the kind's defaults. */
export interface OutageSpec {
  kind: OutageKind;
  /** ISO time or epoch ms; floored to the hour. */
  start: string | number;
  activeHours?: number;
  severity?: number;
  experiment?: string;
  schedds?: string[];
}

export interface ScheduleOptions {
  startMs: number;
  hours: number;
  experiments: ReadonlyArray<{ name: string; share: number }>;
  schedds: readonly string[];
  ratePerWeek: number;
  gapRatePerWeek: number;
  mix: Record<AnomalyKind, number>;
  warmupHours: number;
  severityRange: [number, number];
}

export function isOutageKind(s: string): s is OutageKind {
  return (ALL_OUTAGE_KINDS as readonly string[]).includes(s);
}

/** Random, non-overlapping outage schedule; deterministic for the given stream. */
export function scheduleOutages(rng: Rng, o: ScheduleOptions): OutageWindow[] {
  const windows: OutageWindow[] = [];
  const kinds = OUTAGE_KINDS.filter((k) => (o.mix[k] ?? 0) > 0);
  const outageRate = kinds.length > 0 ? Math.max(0, o.ratePerWeek) : 0;
  const total = outageRate + Math.max(0, o.gapRatePerWeek);
  if (total <= 0) {
    return windows;
  }
  const meanGapHours = 168 / total;
  let t = o.warmupHours;
  for (;;) {
    t += Math.floor(rng.exponential(meanGapHours));
    const isGap = rng.next() * total >= outageRate;
    const kind: OutageKind = isGap ? 'monitoring_gap' : kinds[rng.weighted(kinds.map((k) => o.mix[k]))];
    const d = OUTAGE_DEFAULTS[kind];
    const active = rng.int(d.minActiveHours, d.maxActiveHours);
    const severity = o.severityRange[0] + (o.severityRange[1] - o.severityRange[0]) * rng.next();
    const w: OutageWindow = {
      kind,
      start: o.startMs + t * HOUR_MS,
      end: o.startMs + (t + active + d.recoveryHours) * HOUR_MS,
      activeHours: active,
      severity: round3(severity),
      anomalous: kind !== 'monitoring_gap',
    };
    // Targets are drawn even when unused so the stream stays aligned across kinds.
    const expPick = rng.weighted(o.experiments.map((e) => Math.sqrt(e.share)));
    const nSchedds = Math.min(o.schedds.length, [1, 2, o.schedds.length][rng.weighted([0.6, 0.25, 0.15])]);
    const first = rng.int(0, o.schedds.length - 1);
    if (kind === 'held_wave') {
      w.experiment = o.experiments[expPick].name;
    }
    if (kind === 'scheduler_unresponsive') {
      w.schedds = Array.from({ length: nSchedds }, (_, i) => o.schedds[(first + i) % o.schedds.length]);
    }
    if (t + active + d.recoveryHours > o.hours) {
      break;
    }
    windows.push(w);
    t += active + d.recoveryHours + MIN_SEPARATION_HOURS;
  }
  return windows;
}

export interface PatternScheduleOptions {
  startMs: number;
  hours: number;
  ratePerWeek: number;
  mix: Record<PatternKind, number>;
  warmupHours: number;
  severityRange: [number, number];
}

/**
 * Random pattern outages, from their own stream, placed only where they keep MIN_SEPARATION_HOURS from every
 * window of `existing` (which are left as they are) and from each other, and after the warm-up. A draw that
 * would come too close to an existing window moves to the next gap where it fits.
 */
export function schedulePatternOutages(
  rng: Rng,
  existing: readonly OutageWindow[],
  o: PatternScheduleOptions
): OutageWindow[] {
  const windows: OutageWindow[] = [];
  const kinds = PATTERN_KINDS.filter((k) => (o.mix[k] ?? 0) > 0);
  if (kinds.length === 0 || !(o.ratePerWeek > 0)) {
    return windows;
  }
  const meanGapHours = 168 / o.ratePerWeek;
  // Window bounds in hours from startMs.
  const taken = existing.map((w) => [(w.start - o.startMs) / HOUR_MS, (w.end - o.startMs) / HOUR_MS]);
  let t = o.warmupHours;
  for (;;) {
    t += Math.floor(rng.exponential(meanGapHours));
    const kind = kinds[rng.weighted(kinds.map((k) => o.mix[k]))];
    const d = OUTAGE_DEFAULTS[kind];
    const active = rng.int(d.minActiveHours, d.maxActiveHours);
    const severity = o.severityRange[0] + (o.severityRange[1] - o.severityRange[0]) * rng.next();
    const len = active + d.recoveryHours;
    for (;;) {
      if (kind === 'diurnal_loss') {
        t = nextFermilabMidnight(o.startMs, t);
      }
      const from = t;
      const clash = taken.find(([a, b]) => from < b + MIN_SEPARATION_HOURS && a < from + len + MIN_SEPARATION_HOURS);
      if (!clash) {
        break;
      }
      t = clash[1] + MIN_SEPARATION_HOURS;
    }
    if (t + len > o.hours) {
      break;
    }
    windows.push({
      kind,
      start: o.startMs + t * HOUR_MS,
      end: o.startMs + (t + len) * HOUR_MS,
      activeHours: active,
      severity: round3(severity),
      anomalous: true,
    });
    taken.push([t, t + len]);
    t += len + MIN_SEPARATION_HOURS;
  }
  return windows;
}

/** First hour offset >= t (from startMs) that falls on 06:00 UTC, midnight at Fermilab (UTC-6, as weeklyFactor). */
function nextFermilabMidnight(startMs: number, t: number): number {
  const hourOfDay = (((startMs + t * HOUR_MS - 6 * HOUR_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return hourOfDay === 0 ? t : t + (DAY_MS - hourOfDay) / HOUR_MS;
}

/** Turns explicit specs into windows, checking they fit the range and do not overlap. */
export function explicitOutages(
  specs: readonly OutageSpec[],
  o: Pick<ScheduleOptions, 'startMs' | 'hours' | 'experiments' | 'schedds'>
): OutageWindow[] {
  const endMs = o.startMs + o.hours * HOUR_MS;
  const windows = specs.map((s, i) => {
    if (!isOutageKind(s.kind)) {
      throw new Error(`outage ${i}: unknown kind "${String(s.kind)}" (expected one of ${ALL_OUTAGE_KINDS.join(', ')})`);
    }
    const startMs = typeof s.start === 'number' ? s.start : Date.parse(s.start);
    if (!Number.isFinite(startMs)) {
      throw new Error(`outage ${i}: invalid start "${String(s.start)}"`);
    }
    const d = OUTAGE_DEFAULTS[s.kind];
    const active = s.activeHours ?? d.minActiveHours;
    if (!Number.isInteger(active) || active < 1) {
      throw new Error(`outage ${i}: activeHours must be a positive integer, got ${active}`);
    }
    const severity = s.severity ?? 0.5;
    if (!(severity >= 0 && severity <= 1)) {
      throw new Error(`outage ${i}: severity must be in [0, 1], got ${severity}`);
    }
    const start = Math.floor(startMs / HOUR_MS) * HOUR_MS;
    const w: OutageWindow = {
      kind: s.kind,
      start,
      end: start + (active + d.recoveryHours) * HOUR_MS,
      activeHours: active,
      severity,
      anomalous: s.kind !== 'monitoring_gap',
    };
    if (w.start < o.startMs || w.end > endMs) {
      throw new Error(
        `outage ${i} (${s.kind} at ${new Date(start).toISOString()}) does not fit in the generated range`
      );
    }
    if (s.kind === 'held_wave') {
      w.experiment = s.experiment ?? o.experiments[0].name;
      if (!o.experiments.some((e) => e.name === w.experiment)) {
        throw new Error(`outage ${i}: unknown experiment "${w.experiment}"`);
      }
    }
    if (s.kind === 'scheduler_unresponsive') {
      w.schedds = s.schedds ?? [...o.schedds];
      for (const name of w.schedds) {
        if (!o.schedds.includes(name)) {
          throw new Error(`outage ${i}: unknown schedd "${name}"`);
        }
      }
    }
    return w;
  });
  windows.sort((a, b) => a.start - b.start);
  for (let i = 1; i < windows.length; i++) {
    if (windows[i].start < windows[i - 1].end) {
      throw new Error(
        `outages overlap: ${windows[i - 1].kind} until ${new Date(windows[i - 1].end).toISOString()} and ${windows[i].kind} from ${new Date(windows[i].start).toISOString()}`
      );
    }
  }
  return windows;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
