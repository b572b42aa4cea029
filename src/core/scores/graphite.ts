/**
 * The watcher's Graphite side: carbon plaintext lines per step and which steps Graphite already holds.
 * Per step the value series come first and the `scored` marker last, in one carbon batch: a step whose
 * marker is readable was received whole; a step without it is written again (whisper keeps one point per
 * timestamp, so a rewrite overwrites and two watchers with the same name write the same points).
 */
import { buildRenderParams, GraphiteQueryError } from '../graphite/render';
import { featureKey, type StepScore } from './records';

export const GRAPHITE_ROOT = 'gridsentinel';

export function graphitePaths(name: string) {
  const base = `${GRAPHITE_ROOT}.${name}`;
  return {
    probability: `${base}.probability`,
    surprise: `${base}.surprise`,
    feature: (feature: string) => `${base}.features.${featureKey(feature)}.surprise`,
    /** 1 in each hour at or above the threshold, per top schedd and VO of its where. */
    where: (by: 'schedd' | 'experiment', value: string) => `${base}.where.${by}.${featureKey(value)}`,
    scored: `${base}.scored`,
  };
}

/**
 * Lines for the steps, in order. No-data steps get only the marker: no probability point, so Graphite
 * (and an alert on it) sees no data rather than 0.
 */
export function carbonLines(name: string, steps: readonly StepScore[]): string {
  const p = graphitePaths(name);
  let out = '';
  for (const s of steps) {
    const ts = Math.floor(s.timeMs / 1000);
    if (s.probability !== null) {
      out += `${p.probability} ${s.probability} ${ts}\n`;
    }
    if (s.surprise !== null) {
      out += `${p.surprise} ${s.surprise} ${ts}\n`;
    }
    for (const [f, v] of Object.entries(s.featureSurprise)) {
      if (v !== null) {
        out += `${p.feature(f)} ${v} ${ts}\n`;
      }
    }
    for (const by of ['schedd', 'experiment'] as const) {
      const value = s.where?.[by];
      if (value) {
        out += `${p.where(by, value)} 1 ${ts}\n`;
      }
    }
    out += `${p.scored} 1 ${ts}\n`;
  }
  return out;
}

/** Render request (form body) for the marker over [fromMs, toMs), summarized to the step. */
export function writtenStepsRender(name: string, fromMs: number, toMs: number, stepMs: number): string {
  return buildRenderParams({
    features: [{ name: 'scored', target: graphitePaths(name).scored, aggregation: 'max' }],
    fromMs,
    toMs,
    stepMs,
  }).toString();
}

/** Steps whose marker Graphite returned. An empty answer means the marker series does not exist yet. */
export function parseWrittenMarkers(response: unknown, stepMs: number): Set<number> {
  if (!Array.isArray(response)) {
    throw new GraphiteQueryError('unexpected Graphite render response: not a JSON array');
  }
  const out = new Set<number>();
  for (const s of response as Array<{ datapoints?: unknown }>) {
    if (!Array.isArray(s.datapoints)) {
      throw new GraphiteQueryError('unexpected Graphite render response: a series without datapoints');
    }
    for (const p of s.datapoints as Array<[unknown, unknown]>) {
      const [v, ts] = p;
      if (typeof v === 'number' && v > 0 && typeof ts === 'number') {
        out.add(Math.floor((ts * 1000) / stepMs) * stepMs);
      }
    }
  }
  return out;
}
