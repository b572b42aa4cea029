/**
 * Where an anomaly is: ranks (feature, schedd) and (feature, VO) counts of anomalous hours against each
 * hour's typical value, from breakdowns of the region and the same hours of the previous days (one
 * Elasticsearch search, core/elasticsearch/breakdown.ts; one Graphite render for per-VO context series,
 * core/graphite/breakdown.ts).
 *
 * Typical: the median of the same hour over the previous days, but never below the value's pooled rate
 * over all those hours (plus a small pseudo-count): a small VO's JobHeldEvent has a median of 0, and
 * 3 holds against 0 would otherwise be infinitely surprising, or against "0 + 1" no more surprising than a
 * big VO's ordinary wobble.
 *
 * Ranking: the negative-binomial deviance of each hour's count from its typical, summed over the hours.
 * At low counts it is Poisson-like (a few holds where none are usual weigh a lot); at high counts it grows
 * with the ratio rather than the difference, so a big VO's submission campaign (×5 on hundreds) does not
 * outrank a small VO's held wave (×50 on a handful). Per hour and unsigned: a hung schedd logs FEWER events
 * and then catches up, and the two must not cancel. The excess shown is the signed sum of counts.
 */
import type { BreakdownData, BreakdownDimension, BreakdownHour } from './elasticsearch/breakdown';
import { DAY_MS } from './time';

/** Negative-binomial shape k (variance μ + μ²/k). Chosen on generated grids: 1-2 rank best at both scales. */
export const NB_SHAPE = 2;
/** Pseudo-count of the pooled rate that floors a typical value. */
const FLOOR_PSEUDO = 0.1;

export interface Attribution {
  feature: string;
  by: BreakdownDimension;
  value: string;
  /** Σ (observed − typical) over the hours; negative for a deficit. */
  excess: number;
  /** Σ negative-binomial deviance of observed from typical, the ranking key. */
  deviation: number;
  observed: number;
  typical: number;
}

export interface FeatureExcess {
  feature: string;
  excess: number;
  deviation: number;
  observed: number;
  typical: number;
}

export interface AttributionResult {
  /** Hours that had data and at least one typical hour. */
  hours: number;
  /** Strongest first. */
  features: FeatureExcess[];
  /** Strongest first, all dimensions. */
  ranked: Attribution[];
  /** The strongest value per dimension. */
  top: Partial<Record<BreakdownDimension, Attribution>>;
  /** e.g. "JobHeldEvent +1,240 over typical, on jobsub02.fnal.gov +600; VO mu2e +1,180". */
  text: string;
}

export interface AttributeOptions {
  /** Hours to rank (default: the whole region). */
  times?: readonly number[];
  /** Most entries in `ranked`. */
  max?: number;
  /** Features the text should lead with, in order (the region's top features); else the strongest. */
  lead?: readonly string[];
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Negative-binomial deviance of o from mean mu (> 0) with shape k. */
export function nbDeviance(o: number, mu: number, k = NB_SHAPE): number {
  return Math.max(0, 2 * ((o > 0 ? o * Math.log(o / mu) : 0) - (o + k) * Math.log((o + k) / (mu + k))));
}

interface Acc {
  excess: number;
  deviation: number;
  observed: number;
  typical: number;
}

/** One series (a feature's total, or one value of it) over the used hours: observed and baseline per hour. */
function score(observed: number[], baselines: number[][]): Acc {
  const all = baselines.flat();
  const floor = (all.reduce((a, b) => a + b, 0) + FLOOR_PSEUDO) / (all.length + 1);
  const acc: Acc = { excess: 0, deviation: 0, observed: 0, typical: 0 };
  observed.forEach((o, h) => {
    const mu = Math.max(median(baselines[h]), floor);
    acc.excess += o - mu;
    acc.deviation += nbDeviance(o, mu);
    acc.observed += o;
    acc.typical += mu;
  });
  return acc;
}

/** The hours of `times` with data and at least one baseline hour: [hour, its baseline hours]. */
function usable(data: BreakdownData, times: readonly number[]): Array<[BreakdownHour, BreakdownHour[]]> {
  const out: Array<[BreakdownHour, BreakdownHour[]]> = [];
  for (const t of times) {
    const hour = data.hours.get(t);
    const baseline = Array.from({ length: data.baselineDays }, (_, d) => data.hours.get(t - (d + 1) * DAY_MS)).filter(
      (h): h is BreakdownHour => h !== undefined
    );
    // No data in the hour, or nothing to compare it with: it says nothing about where.
    if (hour && baseline.length > 0) {
      out.push([hour, baseline]);
    }
  }
  return out;
}

/**
 * Ranks the given hours (default: the whole region) of one or more breakdowns (Elasticsearch event
 * types; Graphite per-VO features), all on the same scale.
 */
export function attribute(
  parts: BreakdownData | readonly BreakdownData[],
  options: AttributeOptions = {}
): AttributionResult {
  const list = Array.isArray(parts) ? (parts as readonly BreakdownData[]) : [parts as BreakdownData];
  const features: FeatureExcess[] = [];
  const all: Attribution[] = [];
  let used = 0;
  for (const data of list) {
    const hours = usable(data, options.times ?? data.regionTimes);
    used = Math.max(used, hours.length);
    if (hours.length === 0) {
      continue;
    }
    data.eventTypes.forEach((feature, i) => {
      features.push({
        feature,
        ...score(
          hours.map(([h]) => h.types[i].total),
          hours.map(([, b]) => b.map((x) => x.types[i].total))
        ),
      });
      for (const by of data.dimensions) {
        const of = (h: BreakdownHour) => h.types[i].by[by] ?? new Map<string, number>();
        const values = new Set(hours.flatMap(([h, b]) => [h, ...b].flatMap((x) => [...of(x).keys()])));
        for (const value of values) {
          const a = score(
            hours.map(([h]) => of(h).get(value) ?? 0),
            hours.map(([, b]) => b.map((x) => of(x).get(value) ?? 0))
          );
          // A value that is zero throughout (e.g. a Graphite series at 0) has not changed.
          const seen = a.observed > 0 || hours.some(([, b]) => b.some((x) => (of(x).get(value) ?? 0) > 0));
          if (seen && a.deviation > 0) {
            all.push({ feature, by, value, ...a });
          }
        }
      }
    });
  }
  // Ties (e.g. the same counts under several types) go to the feature the text leads with.
  const rank = (f: string) => {
    const i = (options.lead ?? []).indexOf(f);
    return i < 0 ? Infinity : i;
  };
  features.sort((a, b) => b.deviation - a.deviation);
  all.sort((a, b) => b.deviation - a.deviation || rank(a.feature) - rank(b.feature) || a.value.localeCompare(b.value));
  const top: AttributionResult['top'] = {};
  for (const a of all) {
    top[a.by] ??= a;
  }
  const lead =
    (options.lead ?? []).map((f) => features.find((x) => x.feature === f)).find((x) => x && x.deviation > 0) ??
    features[0];
  return {
    hours: used,
    features,
    ranked: all.slice(0, options.max ?? 10),
    top,
    text: attributionText(used, lead, top),
  };
}

export function signed(n: number): string {
  const r = Math.round(n);
  return `${r >= 0 ? '+' : '-'}${Math.abs(r).toLocaleString('en-US')}`;
}

function attributionText(hours: number, lead: FeatureExcess | undefined, top: AttributionResult['top']): string {
  if (hours === 0) {
    return 'no typical hours to compare with';
  }
  if (!lead || (top.schedd === undefined && top.experiment === undefined)) {
    return 'no change from typical';
  }
  const part = (a: Attribution | undefined, prefix: string) =>
    a ? `${prefix}${a.value}${a.feature === lead.feature ? '' : ` (${a.feature})`} ${signed(a.excess)}` : null;
  return [
    `${lead.feature} ${signed(lead.excess)} over typical`,
    [part(top.schedd, 'on '), part(top.experiment, 'VO ')].filter((p) => p !== null).join('; '),
  ]
    .filter((p) => p !== '')
    .join(', ');
}
