/**
 * Generator options, their defaults and their validation. Baseline rates (per running job per hour
 * unless noted; override with `rates`):
 *
 * | rate             | default  | meaning                                                          |
 * |------------------|----------|------------------------------------------------------------------|
 * | evict            | 0.0012   | preemption / draining → JobEvictedEvent, job requeued            |
 * | shadowException  | 0.0003   | shadow crash → ShadowExceptionEvent, job requeued                |
 * | disconnect       | 0.0006   | JobDisconnectedEvent; `reconnectOk` (0.93) of them reconnect     |
 * | hold             | 0.0008   | × VO holdPropensity → JobHeldEvent                               |
 * | release          | 0.05     | per held job → JobReleaseEvent                                   |
 * | heldAbort        | 0.01     | per held job → JobAbortedEvent                                   |
 * | idleAbort        | 0.004    | per idle job → JobAbortedEvent (condor_rm of stale work)         |
 * | runAbort         | 0.0008   | JobAbortedEvent of a running job                                 |
 * | submitAbort      | 0.01     | fraction of new submissions removed within the hour              |
 * | suspend          | 0.00003  | JobSuspendedEvent; `unsuspend` (0.7) per suspended job           |
 * | imageSize        | 0.05     | JobImageSizeEvent updates, plus one per start                    |
 */
import {
  DEFAULT_EXPERIMENTS,
  DEFAULT_SCHEDDS,
  GPGRID_CORES,
  HOUR_MS,
  type ExperimentProfile,
  type ScheddProfile,
} from './profiles';
import type { AnomalyKind, OutageSpec, PatternKind } from './outages';

export interface BaselineRates {
  evict: number;
  shadowException: number;
  disconnect: number;
  reconnectOk: number;
  hold: number;
  release: number;
  heldAbort: number;
  idleAbort: number;
  runAbort: number;
  submitAbort: number;
  suspend: number;
  unsuspend: number;
  imageSize: number;
}

export const DEFAULT_RATES: BaselineRates = {
  evict: 0.0012,
  shadowException: 0.0003,
  disconnect: 0.0006,
  reconnectOk: 0.93,
  hold: 0.0008,
  release: 0.05,
  heldAbort: 0.01,
  idleAbort: 0.004,
  runAbort: 0.0008,
  submitAbort: 0.01,
  suspend: 0.00003,
  unsuspend: 0.7,
  imageSize: 0.05,
};

export interface GeneratorOptions {
  /** First hour (ISO or epoch ms); floored to the hour. */
  start: string | number;
  hours?: number;
  /** Used when hours is absent. */
  days?: number;
  seed?: number | string;
  /** 1 = GPGrid-sized pool. */
  scale?: number;
  experiments?: readonly ExperimentProfile[];
  schedds?: readonly ScheddProfile[];
  /** Cores at scale 1. */
  cores?: number;
  demandRatio?: number;
  campaignFraction?: number;
  diurnalAmplitude?: number;
  weeklyDepth?: number;
  growthPerDay?: number;
  rates?: Partial<BaselineRates>;
  outageRatePerWeek?: number;
  gapRatePerWeek?: number;
  outageMix?: Partial<Record<AnomalyKind, number>>;
  /**
   * Mean pattern outages (diurnal_loss, slow_degradation, decoupling) per week, 0.5 by default; 0 disables
   * them. They are drawn after the other outages and gaps, in the gaps those leave, so this never moves them.
   */
  patternRatePerWeek?: number;
  /** Relative weights of the pattern kinds (1 each by default). */
  patternMix?: Partial<Record<PatternKind, number>>;
  /** Explicit outages; when given, no random ones are drawn. */
  outages?: readonly OutageSpec[];
  warmupHours?: number;
  severityRange?: [number, number];
}

/** The options the simulation runs on: validated, defaults filled in, cores scaled. */
export interface ResolvedOptions {
  /** Epoch ms of the first hour. */
  start: number;
  hours: number;
  scale: number;
  seed: string;
  exps: readonly ExperimentProfile[];
  schedds: readonly ScheddProfile[];
  rates: BaselineRates;
  /** Cores at this scale (before growth). */
  cores0: number;
  demandRatio: number;
  campaignFraction: number;
  diurnalAmp: number;
  weeklyDepth: number;
  growthPerDay: number;
}

export function resolveHours(o: Pick<GeneratorOptions, 'hours' | 'days'>): number {
  const hours = o.hours ?? (o.days !== undefined ? Math.round(o.days * 24) : undefined);
  if (hours === undefined || !Number.isInteger(hours) || hours < 1) {
    throw new Error(`hours must be a positive integer (got hours=${o.hours}, days=${o.days})`);
  }
  return hours;
}

export function resolveOptions(opts: GeneratorOptions): ResolvedOptions {
  const startParsed = typeof opts.start === 'number' ? opts.start : Date.parse(opts.start);
  if (!Number.isFinite(startParsed)) {
    throw new Error(`invalid start "${String(opts.start)}"`);
  }
  const start = Math.floor(startParsed / HOUR_MS) * HOUR_MS;
  const hours = resolveHours(opts);
  const scale = opts.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new Error(`scale must be a positive number, got ${scale}`);
  }
  const seed = String(opts.seed ?? 1);
  const exps = opts.experiments ?? DEFAULT_EXPERIMENTS;
  const schedds = opts.schedds ?? DEFAULT_SCHEDDS;
  if (exps.length === 0 || schedds.length === 0) {
    throw new Error('need at least one experiment and one schedd');
  }
  return {
    start,
    hours,
    scale,
    seed,
    exps,
    schedds,
    rates: { ...DEFAULT_RATES, ...opts.rates },
    cores0: (opts.cores ?? GPGRID_CORES) * scale,
    demandRatio: opts.demandRatio ?? 0.85,
    campaignFraction: opts.campaignFraction ?? 0.35,
    diurnalAmp: opts.diurnalAmplitude ?? 0.45,
    weeklyDepth: opts.weeklyDepth ?? 1,
    growthPerDay: opts.growthPerDay ?? 0.0005,
  };
}
