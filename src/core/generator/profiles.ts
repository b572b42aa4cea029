/**
 * Static shape of the simulated grid: experiments (VOs), schedds, and the calendar modulations of
 * submission demand. Numbers are plausible for Fermilab GPGrid (~19,000 cores, 20+ VOs, jobsub schedds),
 * not measured values.
 */
import { hashString } from '../rng';
import { DAY_MS, HOUR_MS } from '../time';

export interface ExperimentProfile {
  name: string;
  /** Fair-share quota: fraction of the pool the VO gets when everyone is busy. */
  share: number;
  /** Mean wall-clock hours of a job (exponential). */
  meanRuntimeHours: number;
  /** Multiplier on the baseline hold rate (memory-hungry reconstruction holds more). */
  holdPropensity: number;
}

export const DEFAULT_EXPERIMENTS: readonly ExperimentProfile[] = [
  { name: 'dune', share: 0.16, meanRuntimeHours: 6, holdPropensity: 1.5 },
  { name: 'nova', share: 0.13, meanRuntimeHours: 4, holdPropensity: 1 },
  { name: 'uboone', share: 0.11, meanRuntimeHours: 3, holdPropensity: 2 },
  { name: 'mu2e', share: 0.09, meanRuntimeHours: 8, holdPropensity: 1 },
  { name: 'icarus', share: 0.07, meanRuntimeHours: 5, holdPropensity: 1.5 },
  { name: 'sbnd', share: 0.05, meanRuntimeHours: 4, holdPropensity: 1.2 },
  { name: 'minerva', share: 0.05, meanRuntimeHours: 3, holdPropensity: 1 },
  { name: 'gm2', share: 0.045, meanRuntimeHours: 2, holdPropensity: 1 },
  { name: 'des', share: 0.04, meanRuntimeHours: 8, holdPropensity: 1 },
  { name: 'fermilab', share: 0.035, meanRuntimeHours: 2, holdPropensity: 1 },
  { name: 'cdf', share: 0.02, meanRuntimeHours: 6, holdPropensity: 0.8 },
  { name: 'dzero', share: 0.02, meanRuntimeHours: 6, holdPropensity: 0.8 },
  { name: 'minos', share: 0.02, meanRuntimeHours: 4, holdPropensity: 1 },
  { name: 'cdms', share: 0.02, meanRuntimeHours: 6, holdPropensity: 1 },
  { name: 'seaquest', share: 0.015, meanRuntimeHours: 4, holdPropensity: 1 },
  { name: 'mars', share: 0.015, meanRuntimeHours: 10, holdPropensity: 1 },
  { name: 'lqcd', share: 0.015, meanRuntimeHours: 12, holdPropensity: 0.5 },
  { name: 'accelphys', share: 0.012, meanRuntimeHours: 10, holdPropensity: 1 },
  { name: 'annie', share: 0.012, meanRuntimeHours: 3, holdPropensity: 1 },
  { name: 'darkside', share: 0.012, meanRuntimeHours: 6, holdPropensity: 1 },
  { name: 'genie', share: 0.01, meanRuntimeHours: 2, holdPropensity: 1 },
  { name: 'lariat', share: 0.008, meanRuntimeHours: 3, holdPropensity: 1 },
  { name: 'argoneut', share: 0.005, meanRuntimeHours: 2, holdPropensity: 1 },
  { name: 'coupp', share: 0.004, meanRuntimeHours: 3, holdPropensity: 1 },
];

export interface ScheddProfile {
  name: string;
  /** Relative share of submissions routed to this schedd by jobsub. */
  weight: number;
}

export const DEFAULT_SCHEDDS: readonly ScheddProfile[] = [
  { name: 'jobsub01.fnal.gov', weight: 0.24 },
  { name: 'jobsub02.fnal.gov', weight: 0.23 },
  { name: 'jobsub03.fnal.gov', weight: 0.21 },
  { name: 'jobsub04.fnal.gov', weight: 0.18 },
  { name: 'jobsub05.fnal.gov', weight: 0.14 },
];

/** Cores of the pool at scale 1. */
export const GPGRID_CORES = 19000;

/**
 * Per-experiment routing over schedds: the global weights perturbed by a fixed hash of the names,
 * so each VO has a stable preference (jobsub groups) independent of the seed.
 */
export function scheddSplit(experiment: string, schedds: readonly ScheddProfile[]): number[] {
  const raw = schedds.map((s) => s.weight * (0.6 + 0.8 * (hashString(`${experiment}@${s.name}`) / 4294967296)));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / sum);
}

/** Diurnal factor for submissions: people submit during the US Central working day (peak ~19-20 UTC). */
export function diurnalFactor(timeMs: number, amplitude: number): number {
  const hourUtc = (timeMs % DAY_MS) / HOUR_MS;
  return 1 + amplitude * Math.cos((2 * Math.PI * (hourUtc - 19.5)) / 24);
}

// Sun..Sat in US Central time; normalised to mean 1 below.
const WEEKDAY_RAW = [0.55, 1.1, 1.15, 1.15, 1.15, 1.0, 0.6];
const WEEKDAY_MEAN = WEEKDAY_RAW.reduce((a, b) => a + b, 0) / 7;

/** Weekly factor (weekends are quiet); `depth` 0 = flat, 1 = the full table above. */
export function weeklyFactor(timeMs: number, depth: number): number {
  // Shift to UTC-6 so the weekday boundary is Fermilab's midnight, not Greenwich's.
  const day = new Date(timeMs - 6 * HOUR_MS).getUTCDay();
  return 1 + depth * (WEEKDAY_RAW[day] / WEEKDAY_MEAN - 1);
}

export { HOUR_MS, DAY_MS };
