/**
 * The job step: one hour of one (experiment, schedd) cell's idle/running/held population. Jobs finish,
 * are evicted, crash their shadow, are held, disconnect (and reconnect or not), suspend, are released,
 * removed and submitted, each draw counting the events it causes. Starts come later, from matchmaking.
 */
import {
  NT,
  T_ABORTED,
  T_DISCONNECTED,
  T_EVICTED,
  T_HELD,
  T_IMAGE,
  T_RECONNECTED,
  T_RECONNECT_FAILED,
  T_RELEASE,
  T_SHADOW,
  T_SUBMIT,
  T_SUSPENDED,
  T_TERMINATED,
  T_UNSUSPENDED,
} from './events';
import type { Demand } from './demand';
import type { HourEffects } from './effects';
import type { BaselineRates, ResolvedOptions } from './options';
import type { Rng } from '../rng';

/** Job counts per cell (index e * S + s) carried from hour to hour. */
export interface Pool {
  run: Int32Array;
  idle: Int32Array;
  held: Int32Array;
  /** Jobs held by the current held wave (released or removed in its recovery hour). */
  waveHeld: Int32Array;
  susp: Int32Array;
  /** Disconnects that reconnect / fail in the next hour. */
  carryRec: Int32Array;
  carryFail: Int32Array;
  /** Submissions a hung schedd refused, retried in its catch-up hour. */
  deferred: Int32Array;
  /** Events a hung schedd has not logged yet, index c * NT + type. */
  withheld: Int32Array;
}

/** Starts near steady state: each VO at ~90% of its quota with a small idle backlog. */
export function initialPool(o: ResolvedOptions, d: Demand): Pool {
  const E = o.exps.length;
  const S = o.schedds.length;
  const C = E * S;
  const { rates } = o;
  const pool: Pool = {
    run: new Int32Array(C),
    idle: new Int32Array(C),
    held: new Int32Array(C),
    waveHeld: new Int32Array(C),
    susp: new Int32Array(C),
    carryRec: new Int32Array(C),
    carryFail: new Int32Array(C),
    deferred: new Int32Array(C),
    withheld: new Int32Array(C * NT),
  };
  const { run, idle, held } = pool;
  for (let e = 0; e < E; e++) {
    for (let s = 0; s < S; s++) {
      run[e * S + s] = Math.round(0.9 * d.quota[e] * o.cores0 * d.split[e][s]);
      idle[e * S + s] = Math.round(0.3 * d.fairThroughput[e] * d.split[e][s]);
      held[e * S + s] = Math.round(
        (rates.hold * o.exps[e].holdPropensity * run[e * S + s]) / (rates.release + rates.heldAbort)
      );
    }
  }
  return pool;
}

/** What the step of one experiment's cells needs besides the pool. */
export interface StepContext {
  rates: BaselineRates;
  /** Probability that a running job of this experiment terminates within the hour. */
  pTerm: number;
  holdPropensity: number;
  /** This experiment is in a held wave / in its recovery hour. */
  wave: boolean;
  waveRecovery: boolean;
  fx: HourEffects;
}

/** Steps cell c (schedd s) by one hour, adding its events to ev[c * NT + type]. */
export function stepCell(
  sim: Rng,
  pool: Pool,
  ev: Int32Array,
  x: StepContext,
  c: number,
  s: number,
  submitted: number
): void {
  const { run, idle, held, waveHeld, susp, carryRec, carryFail, deferred } = pool;
  const { rates, fx, wave, waveRecovery } = x;
  const o = c * NT;
  let R = run[c];
  // Disconnects carried from last hour resolve first.
  ev[o + T_RECONNECTED] += carryRec[c];
  ev[o + T_RECONNECT_FAILED] += carryFail[c];
  R -= carryFail[c];
  idle[c] += carryFail[c];
  carryRec[c] = 0;
  carryFail[c] = 0;

  // Black-hole nodes (slow_degradation) fail jobs before they can complete; the jobs are requeued.
  let bhHeld = 0;
  if (fx.blackHole > 0) {
    const failed = sim.binomial(R, fx.blackHole);
    R -= failed;
    bhHeld = sim.binomial(failed, 0.15);
    const evicted = sim.binomial(failed - bhHeld, 0.3 / 0.85);
    ev[o + T_SHADOW] += failed - bhHeld - evicted;
    ev[o + T_EVICTED] += evicted;
    ev[o + T_HELD] += bhHeld;
    idle[c] += failed - bhHeld;
  }

  const term = sim.binomial(R, x.pTerm);
  R -= term;
  // decoupling: the jobs complete and leave their slots, but some exits are never logged.
  ev[o + T_TERMINATED] += fx.termLost > 0 ? term - sim.binomial(term, fx.termLost) : term;

  if (fx.collapseKill > 0) {
    const killed = sim.binomial(R, fx.collapseKill);
    R -= killed;
    idle[c] += killed;
    const ev1 = sim.binomial(killed, 0.4);
    const sh = sim.binomial(killed - ev1, 0.25);
    const dis = killed - ev1 - sh;
    const rec = sim.binomial(dis, 0.1);
    ev[o + T_EVICTED] += ev1;
    ev[o + T_SHADOW] += sh;
    ev[o + T_DISCONNECTED] += dis;
    ev[o + T_RECONNECT_FAILED] += dis - rec;
    ev[o + T_RECONNECTED] += rec;
    R += rec;
    idle[c] -= rec;
  }

  const evict = sim.binomial(R, rates.evict);
  R -= evict;
  idle[c] += evict;
  ev[o + T_EVICTED] += evict;

  const shadow = sim.binomial(R, rates.shadowException + fx.collapseShadow);
  R -= shadow;
  idle[c] += shadow;
  ev[o + T_SHADOW] += shadow;

  const abortRun = sim.binomial(R, rates.runAbort);
  R -= abortRun;

  const hold = sim.binomial(R, rates.hold * x.holdPropensity + (wave ? fx.waveHold : 0));
  R -= hold;
  ev[o + T_HELD] += hold;
  if (wave) {
    waveHeld[c] += hold;
  }

  // Disconnects: baseline, storms (mostly reconnect) and failing leases (mostly fail).
  const dBase = sim.binomial(R, rates.disconnect);
  const dStorm = sim.binomial(R - dBase, fx.stormDisconnect);
  const dFail = sim.binomial(R - dBase - dStorm, fx.failDisconnect);
  const fails =
    sim.binomial(dBase, 1 - rates.reconnectOk) + sim.binomial(dStorm, 0.05) + sim.binomial(dFail, fx.failFraction);
  const recs = dBase + dStorm + dFail - fails;
  ev[o + T_DISCONNECTED] += dBase + dStorm + dFail;
  // Job lease is 40 min: most resolve within the hour, the rest in the next one.
  const recNow = sim.binomial(recs, 0.75);
  const failNow = sim.binomial(fails, 0.75);
  ev[o + T_RECONNECTED] += recNow;
  ev[o + T_RECONNECT_FAILED] += failNow;
  carryRec[c] = recs - recNow;
  carryFail[c] = fails - failNow;
  R -= failNow;
  idle[c] += failNow;

  const suspend = sim.binomial(R, rates.suspend);
  const unsuspend = sim.binomial(susp[c], rates.unsuspend);
  R += unsuspend - suspend;
  susp[c] += suspend - unsuspend;
  ev[o + T_SUSPENDED] += suspend;
  ev[o + T_UNSUSPENDED] += unsuspend;

  let image = sim.binomial(R, rates.imageSize);
  if (wave) {
    image += sim.poisson(R * fx.waveImage);
  }
  ev[o + T_IMAGE] += image;

  // Held pool (jobs held this hour wait at least an hour).
  const heldBefore = held[c];
  const release = sim.binomial(heldBefore, rates.release);
  const heldAbort = sim.binomial(heldBefore - release, rates.heldAbort);
  held[c] = heldBefore - release - heldAbort + hold + bhHeld;
  idle[c] += release;
  let waveAbort = 0;
  if (waveRecovery && waveHeld[c] > 0) {
    const wh = Math.min(waveHeld[c], held[c]);
    const rel = sim.binomial(wh, 0.5);
    waveAbort = sim.binomial(wh - rel, 0.6);
    held[c] -= rel + waveAbort;
    idle[c] += rel;
    ev[o + T_RELEASE] += rel;
    waveHeld[c] = 0;
  }
  ev[o + T_RELEASE] += release;

  const idleAbort = sim.binomial(idle[c], rates.idleAbort);
  idle[c] -= idleAbort;

  // Submissions: a hung schedd accepts only a residual; the rest are retried at catch-up.
  let subs = submitted;
  if (fx.down[s]) {
    const accepted = sim.binomial(subs, fx.residual);
    deferred[c] += subs - accepted;
    subs = accepted;
  }
  if (fx.catchUp[s]) {
    subs += deferred[c];
    deferred[c] = 0;
  }
  const submitAbort = sim.binomial(subs, rates.submitAbort);
  idle[c] += subs - submitAbort;
  ev[o + T_SUBMIT] += subs;
  ev[o + T_ABORTED] += abortRun + heldAbort + waveAbort + idleAbort + submitAbort;
  run[c] = R;
}
