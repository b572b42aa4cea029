/**
 * One scored step as the watcher stores it, taken from the scorer's output and the matrix it scored.
 * Missing data stays null all the way to the stores (never 0).
 */
import type { FeatureMatrix } from '../featureMatrix';
import type { ScoreSource, SeriesScores } from '../model/score';
import { hashString } from '../rng';

export interface StepScore {
  timeMs: number;
  /** Null when the step has no data (or nothing could be scored). */
  probability: number | null;
  surprise: number | null;
  source: ScoreSource | null;
  topFeatures: string[];
  /** The step's feature values by feature name; null = no data. */
  features: Record<string, number | null>;
  /** Per-feature squared standardized forecast error; null where missing. */
  featureSurprise: Record<string, number | null>;
  /** Every feature is missing: a monitoring gap. */
  noData: boolean;
  /** Hours at or above the threshold: where the change is (core/scores/where.ts). */
  where?: StepWhere;
}

export interface StepWhere {
  /** e.g. "JobHeldEvent +1,240 over typical, on jobsub02.fnal.gov +600; VO mu2e +1,180", or why none. */
  text: string;
  schedd?: string;
  experiment?: string;
}

export class ScoreRecordError extends Error {}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The steps of `times` (each must be a row of the matrix) as records. */
export function stepScores(matrix: FeatureMatrix, scores: SeriesScores, times: readonly number[]): StepScore[] {
  const row = new Map(scores.times.map((t, i) => [t, i]));
  const F = matrix.features.length;
  return times.map((timeMs) => {
    const t = row.get(timeMs);
    if (t === undefined || matrix.times[t] !== timeMs) {
      throw new ScoreRecordError(`step ${new Date(timeMs).toISOString()} is not in the scored matrix`);
    }
    const values = matrix.values[t];
    const features: Record<string, number | null> = {};
    const featureSurprise: Record<string, number | null> = {};
    matrix.features.forEach((name, f) => {
      features[name] = values[f];
      featureSurprise[name] = finiteOrNull(scores.featureSurprise[t * F + f]);
    });
    return {
      timeMs,
      probability: finiteOrNull(scores.probability[t]),
      surprise: finiteOrNull(scores.surprise[t]),
      source: scores.source[t],
      topFeatures: scores.topFeatures[t].slice(),
      features,
      featureSurprise,
      noData: values.every((v) => v === null),
    };
  });
}

/**
 * A watcher's name goes into index names (lower case, no separators) and Graphite paths (no dots), so
 * only a conservative alphabet is accepted rather than silently rewritten.
 */
export function checkWatcherName(name: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name)) {
    throw new ScoreRecordError(
      `name must be 1-63 characters of a-z, 0-9, "_" or "-", starting with a letter or digit (it names the index ` +
        `gridsentinel-scores-<name>-* and the Graphite path gridsentinel.<name>.*); got "${name}"`
    );
  }
  return name;
}

/** A feature name as one Graphite path node and one Elasticsearch field name (no dots, no spaces). */
export function featureKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Throws when two features would share a key once sanitised (their stored series would collide). */
export function checkFeatureKeys(features: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const f of features) {
    const k = featureKey(f);
    const other = seen.get(k);
    if (other !== undefined) {
      throw new ScoreRecordError(`features "${other}" and "${f}" would both be stored as "${k}"; rename one`);
    }
    seen.set(k, f);
  }
}

/**
 * A model's identity in stored scores: a fingerprint of what determines its outputs (two differently
 * seeded 32-bit string hashes; no crypto needed, it only tells documents apart) and the published version.
 */
export interface ModelIdentity {
  id: string;
  /** The datasource's publish-history version; null for a file or the bundled model. */
  version: number | null;
  /** Where it came from: file path, grafana:<uid>, or bundled. */
  origin: string;
}

export function modelFingerprint(doc: unknown): string {
  const text = stableJson(doc);
  const hex = (h: number) => h.toString(16).padStart(8, '0');
  return hex(hashString(text)) + hex(hashString(`${text.length}:${text}`));
}

/** What the document id carries: the published version when there is one, else the fingerprint. */
export function modelKey(m: Pick<ModelIdentity, 'id' | 'version'>): string {
  return m.version !== null ? `v${m.version}` : m.id;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) {
    return `[${v.map(stableJson).join(',')}]`;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
