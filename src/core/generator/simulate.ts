/**
 * Synthetic HTCondor pool: an hourly, integer-state simulation of idle/running/held jobs per
 * (experiment, schedd), producing event counts per (hour, MyType, experiment, schedd) that are
 * consistent with the job population, plus context series and labelled outages.
 *
 * `scale` shrinks or grows the whole grid (cores and submission rates together); scale 1 is a
 * GPGrid-sized pool of ~19,000 cores producing roughly 17,000 events per hour.
 *
 * Baseline rates (per running job per hour unless noted; override with `rates`):
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
 *
 * Demand: each VO submits `demandRatio` (0.85) × the throughput of its fair share, 35% of it in
 * campaigns (every 2-7 days, 6-36 h, front-loaded), the rest shaped by a diurnal cycle (±45%,
 * peak ~19:30 UTC), a weekly cycle (weekends ~55% of weekdays), a per-VO season (±30%, 45-120 day
 * period) and growth of the pool (+0.05%/day, cores and demand together).
 */
import { DEFAULT_FEATURE_NAMES } from '../htcondor/eventTypes';
import type { FeatureMatrix } from '../featureMatrix';
import {
  DEFAULT_EXPERIMENTS,
  DEFAULT_SCHEDDS,
  GPGRID_CORES,
  HOUR_MS,
  diurnalFactor,
  scheddSplit,
  weeklyFactor,
  type ExperimentProfile,
  type ScheddProfile,
} from './profiles';
import {
  DEFAULT_GAP_RATE_PER_WEEK,
  DEFAULT_OUTAGE_MIX,
  DEFAULT_OUTAGE_RATE_PER_WEEK,
  DEFAULT_WARMUP_HOURS,
  explicitOutages,
  scheduleOutages,
  type AnomalyKind,
  type OutageKind,
  type OutageSpec,
  type OutageWindow,
} from './outages';
import { Rng } from '../rng';

/** Event types the generator emits: the default features plus JobUnsuspendedEvent (paired with suspends). */
export const GENERATED_EVENT_TYPES: readonly string[] = [...DEFAULT_FEATURE_NAMES, 'JobUnsuspendedEvent'];

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
  /** Explicit outages; when given, no random ones are drawn. */
  outages?: readonly OutageSpec[];
  warmupHours?: number;
  severityRange?: [number, number];
}

export interface GridContext {
  /** Cores visible to the pool (lost nodes excluded; never below the claimed slots). */
  cores: number[];
  /** Claimed slots (running, disconnected and suspended jobs). */
  running: number[];
  idle: number[];
  held: number[];
  /** running / cores. */
  utilization: number[];
  /** claimedByExperiment[h][e]. */
  claimedByExperiment: number[][];
}

export interface GeneratedGrid {
  start: number;
  stepMs: number;
  hours: number;
  times: number[];
  seed: string;
  scale: number;
  eventTypes: string[];
  experiments: string[];
  schedds: string[];
  /** Recorded counts, index ((h * T + type) * E + exp) * S + schedd; zero in monitoring gaps. */
  counts: Uint32Array;
  /** Recorded totals per (h, type), accumulated independently of `counts`. */
  totals: Uint32Array;
  /** true where the monitoring pipeline lost the hour (no data, not zero). */
  missing: boolean[];
  outages: OutageWindow[];
  /** 1 = in an outage window, 0 = normal, null = unknown (monitoring gap). */
  labels: Array<0 | 1 | null>;
  /** Outage kind covering each hour, or null. */
  hourKinds: Array<OutageKind | null>;
  context: GridContext;
}

const T_SUBMIT = 0;
const T_EXECUTE = 1;
const T_TERMINATED = 2;
const T_ABORTED = 3;
const T_EVICTED = 4;
const T_HELD = 5;
const T_RELEASE = 6;
const T_IMAGE = 7;
const T_DISCONNECTED = 8;
const T_RECONNECTED = 9;
const T_RECONNECT_FAILED = 10;
const T_SHADOW = 11;
const T_SUSPENDED = 12;
const T_UNSUSPENDED = 13;
const NT = 14;

// Types a hung schedd logs late (in its catch-up hour) rather than never.
const CATCH_UP_TYPES = [
  T_TERMINATED,
  T_ABORTED,
  T_EVICTED,
  T_HELD,
  T_RELEASE,
  T_DISCONNECTED,
  T_RECONNECTED,
  T_RECONNECT_FAILED,
  T_SHADOW,
  T_SUSPENDED,
  T_UNSUSPENDED,
];

interface HourEffects {
  gap: boolean;
  lostFrac: number;
  /** Fraction of running jobs killed this hour by dying nodes. */
  collapseKill: number;
  collapseShadow: number;
  down: boolean[];
  catchUp: boolean[];
  residual: number;
  stormDisconnect: number;
  failDisconnect: number;
  failFraction: number;
  waveExp: number;
  waveHold: number;
  waveImage: number;
  waveRecoveryExp: number;
}

export function resolveHours(o: Pick<GeneratorOptions, 'hours' | 'days'>): number {
  const hours = o.hours ?? (o.days !== undefined ? Math.round(o.days * 24) : undefined);
  if (hours === undefined || !Number.isInteger(hours) || hours < 1) {
    throw new Error(`hours must be a positive integer (got hours=${o.hours}, days=${o.days})`);
  }
  return hours;
}

export function generateGrid(opts: GeneratorOptions): GeneratedGrid {
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
  const rates: BaselineRates = { ...DEFAULT_RATES, ...opts.rates };
  const cores0 = (opts.cores ?? GPGRID_CORES) * scale;
  const demandRatio = opts.demandRatio ?? 0.85;
  const campaignFraction = opts.campaignFraction ?? 0.35;
  const diurnalAmp = opts.diurnalAmplitude ?? 0.45;
  const weeklyDepth = opts.weeklyDepth ?? 1;
  const growthPerDay = opts.growthPerDay ?? 0.0005;

  const E = exps.length;
  const S = schedds.length;
  const C = E * S;
  const root = new Rng(seed);

  // Outage schedule: own stream so that changing dynamics never moves outages and vice versa.
  const schedOpts = {
    startMs: start,
    hours,
    experiments: exps,
    schedds: schedds.map((s) => s.name),
  };
  const outages = opts.outages
    ? explicitOutages(opts.outages, schedOpts)
    : scheduleOutages(root.fork('outages'), {
        ...schedOpts,
        ratePerWeek: opts.outageRatePerWeek ?? DEFAULT_OUTAGE_RATE_PER_WEEK,
        gapRatePerWeek: opts.gapRatePerWeek ?? DEFAULT_GAP_RATE_PER_WEEK,
        mix: { ...DEFAULT_OUTAGE_MIX, ...opts.outageMix },
        warmupHours: opts.warmupHours ?? DEFAULT_WARMUP_HOURS,
        severityRange: opts.severityRange ?? [0, 1],
      });

  const shareSum = exps.reduce((a, e) => a + e.share, 0);
  const quota = exps.map((e) => e.share / shareSum);
  const pTerm = exps.map((e) => 1 - Math.exp(-1 / e.meanRuntimeHours));
  const split = exps.map((e) => scheddSplit(e.name, schedds));
  // Jobs/hour that keep each VO at its quota: share × cores / runtime.
  const fairThroughput = exps.map((e, i) => (quota[i] * cores0) / e.meanRuntimeHours);

  // Per-VO season and campaigns, each from its own stream.
  const season = exps.map((e) => {
    const r = root.fork(`season/${e.name}`);
    return { period: r.uniform(45, 120), phase: r.uniform(0, 2 * Math.PI), amp: r.uniform(0.15, 0.3) };
  });
  const campaign = exps.map((e, i) =>
    buildCampaigns(root.fork(`campaigns/${e.name}`), start, hours, demandRatio * campaignFraction * fairThroughput[i])
  );

  const effects = buildEffects(outages, start, hours, exps, schedds);
  const sim = root.fork('sim');

  const counts = new Uint32Array(hours * NT * C);
  const totals = new Uint32Array(hours * NT);
  const missing: boolean[] = new Array(hours).fill(false);
  const ctx: GridContext = { cores: [], running: [], idle: [], held: [], utilization: [], claimedByExperiment: [] };

  // Start near steady state: each VO at ~90% of its quota with a small idle backlog.
  const run = new Int32Array(C);
  const idle = new Int32Array(C);
  const held = new Int32Array(C);
  const waveHeld = new Int32Array(C);
  const susp = new Int32Array(C);
  const carryRec = new Int32Array(C);
  const carryFail = new Int32Array(C);
  const deferred = new Int32Array(C);
  const withheld = new Int32Array(C * NT);
  for (let e = 0; e < E; e++) {
    for (let s = 0; s < S; s++) {
      run[e * S + s] = Math.round(0.9 * quota[e] * cores0 * split[e][s]);
      idle[e * S + s] = Math.round(0.3 * fairThroughput[e] * split[e][s]);
      held[e * S + s] = Math.round(
        (rates.hold * exps[e].holdPropensity * run[e * S + s]) / (rates.release + rates.heldAbort)
      );
    }
  }
  let capNoise = 0;
  const ev = new Int32Array(C * NT);
  const times: number[] = [];
  const subsPerExp = new Int32Array(S);

  for (let h = 0; h < hours; h++) {
    const t = start + h * HOUR_MS;
    times.push(t);
    const fx = effects[h];
    ev.fill(0);
    capNoise = 0.97 * capNoise + 0.004 * sim.normal();
    const growth = 1 + growthPerDay * (h / 24);
    const capTotal = Math.round(cores0 * growth * Math.exp(capNoise));
    const cap = Math.round(capTotal * (1 - fx.lostFrac));
    const calendar = diurnalFactor(t, diurnalAmp) * weeklyFactor(t, weeklyDepth) * growth;

    for (let e = 0; e < E; e++) {
      const sea = season[e];
      const seasonF = 1 + sea.amp * Math.sin((2 * Math.PI * (h / 24)) / sea.period + sea.phase);
      const mu =
        (demandRatio * (1 - campaignFraction) * fairThroughput[e] * calendar * seasonF + campaign[e][h] * growth) *
        sim.gamma(6, 1 / 6);
      const total = sim.poisson(mu);
      multinomial(sim, total, split[e], subsPerExp);
      const wave = fx.waveExp === e;
      const waveRecovery = fx.waveRecoveryExp === e;
      for (let s = 0; s < S; s++) {
        const c = e * S + s;
        const o = c * NT;
        let R = run[c];
        // Disconnects carried from last hour resolve first.
        ev[o + T_RECONNECTED] += carryRec[c];
        ev[o + T_RECONNECT_FAILED] += carryFail[c];
        R -= carryFail[c];
        idle[c] += carryFail[c];
        carryRec[c] = 0;
        carryFail[c] = 0;

        const term = sim.binomial(R, pTerm[e]);
        R -= term;
        ev[o + T_TERMINATED] += term;

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

        const hold = sim.binomial(R, rates.hold * exps[e].holdPropensity + (wave ? fx.waveHold : 0));
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
          sim.binomial(dBase, 1 - rates.reconnectOk) +
          sim.binomial(dStorm, 0.05) +
          sim.binomial(dFail, fx.failFraction);
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
        held[c] = heldBefore - release - heldAbort + hold;
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
        let subs = subsPerExp[s];
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
    }

    // Matchmaking: fill free slots by fair share, only from schedds that respond.
    allocateStarts(cap, run, susp, idle, quota, fx.down, E, S, ev);

    let claimedTotal = 0;
    let idleTotal = 0;
    let heldTotal = 0;
    const claimed: number[] = new Array(E).fill(0);
    for (let e = 0; e < E; e++) {
      for (let s = 0; s < S; s++) {
        const c = e * S + s;
        const o = c * NT;
        ev[o + T_IMAGE] += ev[o + T_EXECUTE]; // first image-size update of every new job
        claimed[e] += run[c] + susp[c];
        idleTotal += idle[c] + deferred[c];
        heldTotal += held[c];
        // Record: a hung schedd logs a residual now and the rest in its catch-up hour.
        for (let k = 0; k < NT; k++) {
          let n = ev[o + k];
          if (fx.down[s] && k !== T_SUBMIT && k !== T_EXECUTE) {
            const now = sim.binomial(n, fx.residual);
            if (CATCH_UP_TYPES.includes(k)) {
              withheld[o + k] += n - now;
            }
            n = now;
          }
          if (fx.catchUp[s]) {
            n += withheld[o + k];
            withheld[o + k] = 0;
          }
          if (!fx.gap && n > 0) {
            counts[((h * NT + k) * E + e) * S + s] = n;
            totals[h * NT + k] += n;
          }
        }
      }
      claimedTotal += claimed[e];
    }
    missing[h] = fx.gap;
    // Nodes still running claimed jobs are visible: a collapse's binomial kill may leave a few more.
    const visible = Math.max(cap, claimedTotal);
    ctx.cores.push(visible);
    ctx.running.push(claimedTotal);
    ctx.idle.push(idleTotal);
    ctx.held.push(heldTotal);
    ctx.utilization.push(visible > 0 ? claimedTotal / visible : 0);
    ctx.claimedByExperiment.push(claimed);
  }

  const labels: Array<0 | 1 | null> = new Array(hours).fill(0);
  const hourKinds: Array<OutageKind | null> = new Array(hours).fill(null);
  for (const w of outages) {
    for (let t = w.start; t < w.end; t += HOUR_MS) {
      const h = (t - start) / HOUR_MS;
      labels[h] = w.anomalous ? 1 : null;
      hourKinds[h] = w.kind;
    }
  }

  return {
    start,
    stepMs: HOUR_MS,
    hours,
    times,
    seed,
    scale,
    eventTypes: [...GENERATED_EVENT_TYPES],
    experiments: exps.map((e) => e.name),
    schedds: schedds.map((s) => s.name),
    counts,
    totals,
    missing,
    outages,
    labels,
    hourKinds,
    context: ctx,
  };
}

function multinomial(rng: Rng, n: number, probs: readonly number[], out: Int32Array): void {
  let left = n;
  let pLeft = 1;
  for (let i = 0; i < probs.length; i++) {
    if (i === probs.length - 1) {
      out[i] = left;
      break;
    }
    const k = pLeft > 0 ? rng.binomial(left, Math.min(1, probs[i] / pLeft)) : 0;
    out[i] = k;
    left -= k;
    pLeft -= probs[i];
  }
}

/** Campaign submissions per hour for one VO: front-loaded bursts every 2-7 days. */
function buildCampaigns(rng: Rng, start: number, hours: number, meanRate: number): Float64Array {
  const rate = new Float64Array(hours);
  const meanInterval = rng.uniform(48, 168);
  // Mean jobs per campaign so that campaigns average `meanRate` jobs/hour.
  const meanJobs = meanRate * meanInterval;
  // Campaigns that started before the window still contribute, so begin drawing 36 h early.
  let t = -36 + rng.exponential(meanInterval / 2);
  while (t < hours) {
    const h0 = Math.floor(t);
    const day = new Date(start + h0 * HOUR_MS - 6 * HOUR_MS).getUTCDay();
    const weekend = day === 0 || day === 6;
    const duration = rng.int(6, 36);
    // lognormal(σ=0.5) with mean 1
    const jobs = meanJobs * Math.exp(0.5 * rng.normal() - 0.125);
    if (!weekend || rng.chance(0.4)) {
      const tau = duration / 3;
      let norm = 0;
      for (let k = 0; k < duration; k++) {
        norm += Math.exp(-k / tau);
      }
      for (let k = 0; k < duration; k++) {
        const h = h0 + k;
        if (h >= 0 && h < hours) {
          rate[h] += (jobs * Math.exp(-k / tau)) / norm;
        }
      }
    } else {
      // A campaign skipped on a weekend is submitted on Monday instead; keep the mean.
      t += 24;
      continue;
    }
    t += rng.exponential(meanInterval);
  }
  return rate;
}

function buildEffects(
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
      }
    }
  }
  return fx;
}

/** Starts for this hour: quota-deficit first, then surplus shared by remaining demand. */
function allocateStarts(
  cap: number,
  run: Int32Array,
  susp: Int32Array,
  idle: Int32Array,
  quota: readonly number[],
  down: readonly boolean[],
  E: number,
  S: number,
  ev: Int32Array
): void {
  let busy = 0;
  const runningE = new Array(E).fill(0);
  const demandE = new Array(E).fill(0);
  for (let e = 0; e < E; e++) {
    for (let s = 0; s < S; s++) {
      const c = e * S + s;
      runningE[e] += run[c] + susp[c];
      if (!down[s]) {
        demandE[e] += idle[c];
      }
    }
    busy += runningE[e];
  }
  const free = cap - busy;
  if (free <= 0) {
    return;
  }
  const want = demandE.map((d, e) => Math.min(d, Math.max(0, Math.floor(quota[e] * cap - runningE[e]))));
  const wantSum = want.reduce((a, b) => a + b, 0);
  let give: number[];
  if (wantSum >= free) {
    give = apportion(free, want, want);
  } else {
    const rest = demandE.map((d, e) => d - want[e]);
    const restSum = rest.reduce((a, b) => a + b, 0);
    const extra = apportion(Math.min(free - wantSum, restSum), rest, rest);
    give = want.map((w, e) => w + extra[e]);
  }
  for (let e = 0; e < E; e++) {
    if (give[e] <= 0) {
      continue;
    }
    const idleE: number[] = [];
    for (let s = 0; s < S; s++) {
      idleE.push(down[s] ? 0 : idle[e * S + s]);
    }
    const perSchedd = apportion(give[e], idleE, idleE);
    for (let s = 0; s < S; s++) {
      const c = e * S + s;
      run[c] += perSchedd[s];
      idle[c] -= perSchedd[s];
      ev[c * NT + T_EXECUTE] += perSchedd[s];
    }
  }
}

/** Splits an integer total proportionally to weights (largest remainder), never above caps. */
export function apportion(total: number, weights: readonly number[], caps: readonly number[]): number[] {
  const out = new Array(weights.length).fill(0);
  const sum = weights.reduce((a, b) => a + Math.max(0, b), 0);
  if (total <= 0 || sum <= 0) {
    return out;
  }
  const fracs: Array<[number, number]> = [];
  let given = 0;
  for (let i = 0; i < weights.length; i++) {
    const exact = (total * Math.max(0, weights[i])) / sum;
    out[i] = Math.min(caps[i], Math.floor(exact));
    given += out[i];
    fracs.push([exact - Math.floor(exact), i]);
  }
  fracs.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  let left = total - given;
  for (let pass = 0; left > 0 && pass < 2; pass++) {
    for (const [, i] of fracs) {
      if (left <= 0) {
        break;
      }
      if (out[i] < caps[i]) {
        out[i]++;
        left--;
      }
    }
  }
  return out;
}

/** Count of one (hour, type, experiment, schedd) cell. */
export function cellCount(g: GeneratedGrid, h: number, type: number, exp: number, schedd: number): number {
  return g.counts[((h * g.eventTypes.length + type) * g.experiments.length + exp) * g.schedds.length + schedd];
}

/** Feature matrix of recorded totals; monitoring-gap hours are null rows. */
export function gridFeatureMatrix(
  g: GeneratedGrid,
  features: readonly string[] = DEFAULT_FEATURE_NAMES
): FeatureMatrix {
  const idx = features.map((f) => {
    const i = g.eventTypes.indexOf(f);
    if (i < 0) {
      throw new Error(`the generator does not produce "${f}" (it produces ${g.eventTypes.join(', ')})`);
    }
    return i;
  });
  const T = g.eventTypes.length;
  const values = g.times.map((_, h) => (g.missing[h] ? idx.map(() => null) : idx.map((k) => g.totals[h * T + k])));
  return { times: g.times.slice(), stepMs: g.stepMs, features: [...features], values };
}

/** Total number of recorded events (= ES documents). */
export function gridEventCount(g: GeneratedGrid): number {
  let n = 0;
  for (const v of g.totals) {
    n += v;
  }
  return n;
}
