/**
 * Synthetic HTCondor pool: an hourly, integer-state simulation of idle/running/held jobs per
 * (experiment, schedd), producing event counts per (hour, MyType, experiment, schedd) that are
 * consistent with the job population, plus context series and labelled outages.
 *
 * `scale` shrinks or grows the whole grid (cores and submission rates together); scale 1 is a
 * GPGrid-sized pool of ~19,000 cores producing roughly 17,000 events per hour.
 *
 * Each hour: demand (demand.ts) submits, every cell takes its job step (jobStep.ts) under the hour's
 * outage effects (effects.ts), matchmaking (matchmaking.ts) starts jobs, and recording (record.ts)
 * keeps what monitoring would see. Rates and defaults: options.ts.
 */
import { buildDemand, calendarFactor, drawSubmissions } from './demand';
import { buildEffects } from './effects';
import { GENERATED_EVENT_TYPES, NT } from './events';
import { initialPool, stepCell } from './jobStep';
import { allocateStarts } from './matchmaking';
import { resolveOptions, type GeneratorOptions } from './options';
import {
  DEFAULT_GAP_RATE_PER_WEEK,
  DEFAULT_OUTAGE_MIX,
  DEFAULT_OUTAGE_RATE_PER_WEEK,
  DEFAULT_PATTERN_MIX,
  DEFAULT_PATTERN_RATE_PER_WEEK,
  DEFAULT_WARMUP_HOURS,
  explicitOutages,
  scheduleOutages,
  schedulePatternOutages,
  type OutageKind,
  type OutageWindow,
  type ScheduleOptions,
} from './outages';
import { HOUR_MS } from './profiles';
import { newRecording, outageLabels, recordHour, type GridContext } from './record';
import { Rng } from '../rng';

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

/**
 * Level outages and gaps from stream 'outages', then pattern outages from stream 'patterns' in the gaps they
 * leave: the first never depend on the second (the same seed keeps every level outage with or without patterns).
 */
function randomOutages(
  root: Rng,
  opts: GeneratorOptions,
  schedOpts: Pick<ScheduleOptions, 'startMs' | 'hours' | 'experiments' | 'schedds'>
): OutageWindow[] {
  const warmupHours = opts.warmupHours ?? DEFAULT_WARMUP_HOURS;
  const severityRange = opts.severityRange ?? [0, 1];
  const level = scheduleOutages(root.fork('outages'), {
    ...schedOpts,
    ratePerWeek: opts.outageRatePerWeek ?? DEFAULT_OUTAGE_RATE_PER_WEEK,
    gapRatePerWeek: opts.gapRatePerWeek ?? DEFAULT_GAP_RATE_PER_WEEK,
    mix: { ...DEFAULT_OUTAGE_MIX, ...opts.outageMix },
    warmupHours,
    severityRange,
  });
  const patterns = schedulePatternOutages(root.fork('patterns'), level, {
    startMs: schedOpts.startMs,
    hours: schedOpts.hours,
    ratePerWeek: opts.patternRatePerWeek ?? DEFAULT_PATTERN_RATE_PER_WEEK,
    mix: { ...DEFAULT_PATTERN_MIX, ...opts.patternMix },
    warmupHours,
    severityRange,
  });
  return [...level, ...patterns].sort((a, b) => a.start - b.start);
}

export function generateGrid(opts: GeneratorOptions): GeneratedGrid {
  const o = resolveOptions(opts);
  const { start, hours, exps, schedds, cores0, growthPerDay } = o;
  const E = exps.length;
  const S = schedds.length;
  const root = new Rng(o.seed);

  // Outage schedule: own stream so that changing dynamics never moves outages and vice versa.
  const schedOpts = {
    startMs: start,
    hours,
    experiments: exps,
    schedds: schedds.map((s) => s.name),
  };
  const outages = opts.outages ? explicitOutages(opts.outages, schedOpts) : randomOutages(root, opts, schedOpts);

  const demand = buildDemand(root, o);
  const pTerm = exps.map((e) => 1 - Math.exp(-1 / e.meanRuntimeHours));
  const effects = buildEffects(outages, start, hours, exps, schedds);
  const sim = root.fork('sim');
  const pool = initialPool(o, demand);
  const rec = newRecording(hours, E * S);

  let capNoise = 0;
  const ev = new Int32Array(E * S * NT);
  const times: number[] = [];
  const subsPerSchedd = new Int32Array(S);

  for (let h = 0; h < hours; h++) {
    const t = start + h * HOUR_MS;
    times.push(t);
    const fx = effects[h];
    ev.fill(0);
    capNoise = 0.97 * capNoise + 0.004 * sim.normal();
    const growth = 1 + growthPerDay * (h / 24);
    const capTotal = Math.round(cores0 * growth * Math.exp(capNoise));
    const cap = Math.round(capTotal * (1 - fx.lostFrac));
    const calendar = calendarFactor(o, t, growth, fx.diurnalFlatten);

    for (let e = 0; e < E; e++) {
      drawSubmissions(sim, demand, o, e, h, calendar, growth, subsPerSchedd);
      const x = {
        rates: o.rates,
        pTerm: pTerm[e],
        holdPropensity: exps[e].holdPropensity,
        wave: fx.waveExp === e,
        waveRecovery: fx.waveRecoveryExp === e,
        fx,
      };
      for (let s = 0; s < S; s++) {
        stepCell(sim, pool, ev, x, e * S + s, s, subsPerSchedd[s]);
      }
    }

    allocateStarts(cap, pool.run, pool.susp, pool.idle, demand.quota, fx.down, E, S, ev);
    recordHour(sim, rec, pool, ev, fx, h, cap, E, S);
  }

  const { labels, hourKinds } = outageLabels(outages, start, hours);
  return {
    start,
    stepMs: HOUR_MS,
    hours,
    times,
    seed: o.seed,
    scale: o.scale,
    eventTypes: [...GENERATED_EVENT_TYPES],
    experiments: exps.map((e) => e.name),
    schedds: schedds.map((s) => s.name),
    counts: rec.counts,
    totals: rec.totals,
    missing: rec.missing,
    outages,
    labels,
    hourKinds,
    context: rec.context,
  };
}
