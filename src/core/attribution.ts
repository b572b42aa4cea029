/**
 * Where an anomaly is: ranks (event type, schedd) and (event type, VO) counts of anomalous hours against
 * each hour's typical value, the median of the same hour of day over the previous days (all from one
 * breakdown search, core/elasticsearch/breakdown.ts).
 *
 * Ranking is by |value − typical| / √(typical + 1), summed hour by hour. Absolute: a hung schedd logs
 * FEWER events (a deficit) and then catches up (a surplus), and per-hour magnitudes keep the two from
 * cancelling. Scaled like Poisson noise: otherwise the ordinary wobble of a big schedd's submits outranks
 * a small VO's held wave. The excess shown is the signed sum of counts.
 */
import type { BreakdownData, BreakdownDimension, BreakdownHour } from './elasticsearch/breakdown';
import { DAY_MS } from './time';

export interface Attribution {
  feature: string;
  by: BreakdownDimension;
  value: string;
  /** Σ (observed − typical) over the hours; negative for a deficit. */
  excess: number;
  /** Σ |observed − typical| / √(typical + 1), the ranking key. */
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
  features: FeatureExcess[];
  /** Strongest first, all dimensions. */
  ranked: Attribution[];
  /** The strongest value per dimension. */
  top: Partial<Record<BreakdownDimension, Attribution>>;
  /** e.g. "JobHeldEvent +1,240 over typical, on jobsub02.fnal.gov +600; VO mu2e +1,180". */
  text: string;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Acc {
  excess: number;
  deviation: number;
  observed: number;
  typical: number;
}

function add(acc: Map<string, Acc>, key: string, observed: number, typical: number) {
  const a = acc.get(key) ?? { excess: 0, deviation: 0, observed: 0, typical: 0 };
  a.excess += observed - typical;
  a.deviation += Math.abs(observed - typical) / Math.sqrt(typical + 1);
  a.observed += observed;
  a.typical += typical;
  acc.set(key, a);
}

/** Ranks the given hours (default: the whole region) of a breakdown. */
export function attribute(
  data: BreakdownData,
  times: readonly number[] = data.regionTimes,
  max = 10
): AttributionResult {
  const byFeature = new Map<string, Acc>();
  const byValue = new Map<string, Acc>();
  let used = 0;
  for (const t of times) {
    const hour = data.hours.get(t);
    const baseline = Array.from({ length: data.baselineDays }, (_, d) => data.hours.get(t - (d + 1) * DAY_MS)).filter(
      (h): h is BreakdownHour => h !== undefined
    );
    // No data in the hour, or nothing to compare it with: it says nothing about where.
    if (!hour || baseline.length === 0) {
      continue;
    }
    used++;
    data.eventTypes.forEach((feature, i) => {
      add(byFeature, feature, hour.types[i].total, median(baseline.map((b) => b.types[i].total)));
      for (const d of data.dimensions) {
        const now = hour.types[i].by[d] ?? new Map<string, number>();
        const before = baseline.map((b) => b.types[i].by[d] ?? new Map<string, number>());
        const values = new Set([...now.keys(), ...before.flatMap((m) => [...m.keys()])]);
        for (const v of values) {
          add(byValue, JSON.stringify([feature, d, v]), now.get(v) ?? 0, median(before.map((m) => m.get(v) ?? 0)));
        }
      }
    });
  }
  const features = [...byFeature].map(([feature, a]) => ({ feature, ...a })).sort((a, b) => b.deviation - a.deviation);
  const all = [...byValue]
    .map(([key, a]) => {
      const [feature, by, value] = JSON.parse(key) as [string, BreakdownDimension, string];
      return { feature, by, value, ...a };
    })
    .filter((a) => a.deviation > 0)
    .sort((a, b) => b.deviation - a.deviation || a.value.localeCompare(b.value));
  const top: AttributionResult['top'] = {};
  for (const a of all) {
    top[a.by] ??= a;
  }
  return { hours: used, features, ranked: all.slice(0, max), top, text: attributionText(used, features, top) };
}

export function signed(n: number): string {
  const r = Math.round(n);
  return `${r >= 0 ? '+' : '-'}${Math.abs(r).toLocaleString('en-US')}`;
}

function attributionText(hours: number, features: FeatureExcess[], top: AttributionResult['top']): string {
  if (hours === 0) {
    return 'no typical hours to compare with';
  }
  const lead = features[0];
  if (!lead || Math.round(lead.deviation) === 0) {
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
