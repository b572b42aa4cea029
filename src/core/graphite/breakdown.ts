/**
 * Graphite context features whose path carries a VO (fifemon's `clusters.<pool>.experiments.<vo>...`),
 * broken down by VO for attribution like the job events: ONE render per region covering the region and
 * the previous days, each VO's series summarized to the step and named after its VO node.
 */
import type { BreakdownData, BreakdownHour } from '../elasticsearch/breakdown';
import type { GraphiteFeatureSource } from '../sources/featureFetch';
import { DAY_MS, stepStarts } from '../time';
import { GraphiteQueryError, renderParams, summarized } from './render';

/** The path node that precedes the VO in fifemon's metric names. */
export const VO_PATH_NODE = 'experiments';

export interface VoFeature {
  name: string;
  /** The one metric path (pattern) of the target that has a VO node. */
  path: string;
  /** Index of the VO node in `path` (for aliasByNode). */
  voNode: number;
  aggregation: GraphiteFeatureSource['aggregation'];
}

// A node: plain characters, wildcards, character classes or {a,b} lists.
const NODE = String.raw`(?:[A-Za-z0-9_\-*?\[\]]|\{[^}.]*\})+`;
const PATH = new RegExp(`${NODE}(?:\\.${NODE})+`, 'g');

/**
 * The feature's path with a VO node, or null when its target has none or several (a function of two VO
 * paths, e.g. a ratio, cannot be split by VO). Functions around the path are dropped: the breakdown
 * ranks each VO's own series.
 */
export function voFeature(f: GraphiteFeatureSource): VoFeature | null {
  const unquoted = f.target.replace(/"[^"]*"|'[^']*'/g, ' ');
  const found = (unquoted.match(PATH) ?? [])
    .map((path) => ({ path, voNode: path.split('.').indexOf(VO_PATH_NODE) + 1 }))
    .filter((p) => p.voNode > 0 && p.voNode < p.path.split('.').length);
  return found.length === 1 ? { name: f.name, ...found[0], aggregation: f.aggregation } : null;
}

export interface VoBreakdownRequest {
  features: VoFeature[];
  /** The region [fromMs, toMs), whole steps. */
  fromMs: number;
  toMs: number;
  stepMs: number;
  baselineDays: number;
}

/** Form body for POST /render: every VO's series of every feature, `<feature index>:<vo>` as its name. */
export function buildVoBreakdownParams(req: VoBreakdownRequest): URLSearchParams {
  if (req.features.length === 0) {
    throw new GraphiteQueryError('no Graphite feature with a VO path');
  }
  return renderParams(
    req.features.map(
      (f, i) => `aliasSub(aliasByNode(${summarized(f.path, req.stepMs, f.aggregation)},${f.voNode}),"^","${i}:")`
    ),
    { fromMs: req.fromMs - req.baselineDays * DAY_MS, toMs: req.toMs, stepMs: req.stepMs }
  );
}

/** One breakdown per feature (by experiment only); an hour where every VO is null is no data. */
export function parseVoBreakdown(req: VoBreakdownRequest, response: unknown): BreakdownData[] {
  if (!Array.isArray(response)) {
    throw new GraphiteQueryError('unexpected Graphite render response: not a JSON array');
  }
  const regionTimes = stepStarts(req.fromMs, req.toMs, req.stepMs);
  const wanted = new Set(
    regionTimes.flatMap((t) => Array.from({ length: req.baselineDays + 1 }, (_, d) => t - d * DAY_MS))
  );
  const perFeature = req.features.map(() => new Map<number, Map<string, number>>());
  for (const s of response as Array<{ target?: string; datapoints?: Array<[number | null, number]> }>) {
    const m = /^(\d+):(.*)$/.exec(s.target ?? '');
    const byTime = m ? perFeature[Number(m[1])] : undefined;
    if (!m || !byTime) {
      continue;
    }
    for (const [v, ts] of s.datapoints ?? []) {
      const t = ts * 1000;
      if (v !== null && Number.isFinite(v) && wanted.has(t)) {
        byTime.set(t, (byTime.get(t) ?? new Map()).set(m[2], v));
      }
    }
  }
  return req.features.map((f, i) => {
    const hours = new Map<number, BreakdownHour>();
    for (const [t, vo] of perFeature[i]) {
      const total = [...vo.values()].reduce((a, b) => a + b, 0);
      hours.set(t, { types: [{ total, by: { experiment: vo } }] });
    }
    return {
      eventTypes: [f.name],
      dimensions: ['experiment'],
      stepMs: req.stepMs,
      baselineDays: req.baselineDays,
      regionTimes,
      hours,
    };
  });
}
