/**
 * Demand: each VO submits `demandRatio` (0.85) × the throughput of its fair share, 35% of it in
 * campaigns (every 2-7 days, 6-36 h, front-loaded), the rest shaped by a diurnal cycle (±45%,
 * peak ~19:30 UTC), a weekly cycle (weekends ~55% of weekdays), a per-VO season (±30%, 45-120 day
 * period) and growth of the pool (+0.05%/day, cores and demand together).
 */
import { HOUR_MS, diurnalFactor, scheddSplit, weeklyFactor } from './profiles';
import type { ResolvedOptions } from './options';
import type { Rng } from '../rng';

interface Season {
  period: number;
  phase: number;
  amp: number;
}

export interface Demand {
  /** Fair-share fraction of the pool per VO. */
  quota: number[];
  /** Per VO, the fraction of its submissions each schedd receives. */
  split: number[][];
  /** Jobs/hour that keep each VO at its quota. */
  fairThroughput: number[];
  season: Season[];
  /** Per VO, campaign submissions per hour. */
  campaign: Float64Array[];
}

/** Fair shares and the per-VO season and campaigns, each drawn from its own stream of `root`. */
export function buildDemand(root: Rng, o: ResolvedOptions): Demand {
  const { exps, schedds } = o;
  const shareSum = exps.reduce((a, e) => a + e.share, 0);
  const quota = exps.map((e) => e.share / shareSum);
  const split = exps.map((e) => scheddSplit(e.name, schedds));
  // share × cores / runtime.
  const fairThroughput = exps.map((e, i) => (quota[i] * o.cores0) / e.meanRuntimeHours);
  const season = exps.map((e) => {
    const r = root.fork(`season/${e.name}`);
    return { period: r.uniform(45, 120), phase: r.uniform(0, 2 * Math.PI), amp: r.uniform(0.15, 0.3) };
  });
  const campaign = exps.map((e, i) =>
    buildCampaigns(
      root.fork(`campaigns/${e.name}`),
      o.start,
      o.hours,
      o.demandRatio * o.campaignFraction * fairThroughput[i]
    )
  );
  return { quota, split, fairThroughput, season, campaign };
}

/**
 * Diurnal × weekly × growth factor of the non-campaign demand at time t; `flatten` removes that fraction of
 * the diurnal swing (diurnal_loss), which leaves a whole day's total unchanged.
 */
export function calendarFactor(o: ResolvedOptions, t: number, growth: number, flatten = 0): number {
  const amp = flatten > 0 ? o.diurnalAmp * (1 - flatten) : o.diurnalAmp;
  return diurnalFactor(t, amp) * weeklyFactor(t, o.weeklyDepth) * growth;
}

/** Draws hour h's submissions of VO e and splits them over the schedds into `out`. */
export function drawSubmissions(
  sim: Rng,
  d: Demand,
  o: ResolvedOptions,
  e: number,
  h: number,
  calendar: number,
  growth: number,
  out: Int32Array
): void {
  const sea = d.season[e];
  const seasonF = 1 + sea.amp * Math.sin((2 * Math.PI * (h / 24)) / sea.period + sea.phase);
  const mu =
    (o.demandRatio * (1 - o.campaignFraction) * d.fairThroughput[e] * calendar * seasonF + d.campaign[e][h] * growth) *
    sim.gamma(6, 1 / 6);
  const total = sim.poisson(mu);
  multinomial(sim, total, d.split[e], out);
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
