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
 * Rates: outages 1.75 per week, monitoring gaps 0.35 per week, none in the first 48 h (warm-up),
 * at least 12 h between windows.
 */
import { HOUR_MS } from './profiles';
import type { Rng } from '../rng';

export const OUTAGE_KINDS = [
  'worker_node_collapse',
  'scheduler_unresponsive',
  'disconnect_storm',
  'reconnect_failure',
  'held_wave',
] as const;

export type AnomalyKind = (typeof OUTAGE_KINDS)[number];
export type OutageKind = AnomalyKind | 'monitoring_gap';

export const ALL_OUTAGE_KINDS: readonly OutageKind[] = [...OUTAGE_KINDS, 'monitoring_gap'];

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
