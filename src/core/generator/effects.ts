/**
 * Outage effects: what each outage window does to the simulation, hour by hour (lost cores, hung
 * schedds, disconnect rates, a held wave), as a per-hour record the job step reads.
 */
import { HOUR_MS, type ExperimentProfile, type ScheddProfile } from './profiles';
import type { OutageWindow } from './outages';

export interface HourEffects {
  /** The monitoring pipeline lost the hour: nothing recorded. */
  gap: boolean;
  /** Fraction of the cores lost. */
  lostFrac: number;
  /** Fraction of running jobs killed this hour by dying nodes. */
  collapseKill: number;
  collapseShadow: number;
  /** Per schedd: hung (logs only `residual` of its events, accepts only `residual` of submissions). */
  down: boolean[];
  /** Per schedd: first hour after a hang, when deferred submissions and withheld events come in. */
  catchUp: boolean[];
  residual: number;
  stormDisconnect: number;
  failDisconnect: number;
  failFraction: number;
  /** Experiment index of a held wave, or -1. */
  waveExp: number;
  waveHold: number;
  waveImage: number;
  /** Experiment index whose held wave is released or removed this hour, or -1. */
  waveRecoveryExp: number;
  /** diurnal_loss: fraction of the diurnal swing of submissions removed (0 = normal, 1 = flat). */
  diurnalFlatten: number;
  /** slow_degradation: fraction of running jobs failed by black-hole nodes this hour. */
  blackHole: number;
  /** decoupling: fraction of this hour's completions whose JobTerminatedEvent is never logged. */
  termLost: number;
}

/** One record per hour of [start, start + hours); hours outside every window keep the neutral defaults. */
export function buildEffects(
  outages: readonly OutageWindow[],
  start: number,
  hours: number,
  exps: readonly ExperimentProfile[],
  schedds: readonly ScheddProfile[]
): HourEffects[] {
  const S = schedds.length;
  const fx: HourEffects[] = Array.from({ length: hours }, () => ({
    gap: false,
    lostFrac: 0,
    collapseKill: 0,
    collapseShadow: 0,
    down: new Array(S).fill(false),
    catchUp: new Array(S).fill(false),
    residual: 1,
    stormDisconnect: 0,
    failDisconnect: 0,
    failFraction: 0,
    waveExp: -1,
    waveHold: 0,
    waveImage: 0,
    waveRecoveryExp: -1,
    diurnalFlatten: 0,
    blackHole: 0,
    termLost: 0,
  }));
  for (const w of outages) {
    const h0 = (w.start - start) / HOUR_MS;
    const s = w.severity;
    for (let k = 0; h0 + k < hours && k < (w.end - w.start) / HOUR_MS; k++) {
      const f = fx[h0 + k];
      const active = k < w.activeHours;
      switch (w.kind) {
        case 'monitoring_gap':
          f.gap = true;
          break;
        case 'worker_node_collapse': {
          if (active) {
            const lost = 0.05 + 0.35 * s;
            f.lostFrac = lost;
            // Nodes die in the first hour; afterwards black-hole nodes keep failing a few jobs.
            f.collapseKill = k === 0 ? lost : 0.1 * lost;
            f.collapseShadow = 0.002 + 0.01 * s;
          }
          break;
        }
        case 'scheduler_unresponsive': {
          const idx = (w.schedds ?? []).map((n) => schedds.findIndex((x) => x.name === n));
          for (const i of idx) {
            if (active) {
              f.down[i] = true;
            } else if (k === w.activeHours) {
              f.catchUp[i] = true;
            }
          }
          f.residual = active ? 0.08 - 0.06 * s : 1;
          break;
        }
        case 'disconnect_storm':
          if (active) {
            f.stormDisconnect = (0.05 + 0.45 * s) / w.activeHours;
          }
          break;
        case 'reconnect_failure':
          if (active) {
            f.failDisconnect = 0.005 + 0.045 * s;
            f.failFraction = 0.6 + 0.35 * s;
          }
          break;
        case 'held_wave': {
          const e = exps.findIndex((x) => x.name === w.experiment);
          if (active) {
            f.waveExp = e;
            f.waveHold = 0.03 + 0.27 * s;
            f.waveImage = 0.3 + 1.7 * s;
          } else if (k === w.activeHours) {
            f.waveRecoveryExp = e;
          }
          break;
        }
        case 'diurnal_loss':
          if (active) {
            f.diurnalFlatten = 0.5 + 0.5 * s;
          }
          break;
        case 'slow_degradation':
          if (active) {
            // A linear ramp: a few more black-hole nodes every hour, no step.
            f.blackHole = ((0.001 + 0.011 * s) * (k + 1)) / w.activeHours;
          }
          break;
        case 'decoupling':
          if (active) {
            f.termLost = 0.2 + 0.3 * s;
          }
          break;
      }
    }
  }
  return fx;
}
