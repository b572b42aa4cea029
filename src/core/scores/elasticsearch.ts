/**
 * The watcher's Elasticsearch side: one document per step in gridsentinel-scores-<name>-YYYY.MM, its id,
 * the _bulk body and its answer, and which steps the index already holds (the state read on start and
 * every cycle; nothing is kept on local disk).
 *
 * Two watchers with the same name are safe: a step's id is derived from name, step and model version,
 * so a second writer overwrites the same document (index, not create) instead of adding one.
 */
import { featureKey, modelKey, type ModelIdentity, type StepScore } from './records';

export const SCORE_INDEX_PREFIX = 'gridsentinel-scores-';
export const SCORE_TEMPLATE_NAME = 'gridsentinel-scores';

export interface ScoreDocument {
  name: string;
  /** Step start, ISO 8601 UTC. */
  hour: string;
  stepSeconds: number;
  probability: number | null;
  surprise: number | null;
  source: StepScore['source'];
  topFeatures: string[];
  noData: boolean;
  features: Record<string, number | null>;
  featureSurprise: Record<string, number | null>;
  model: ModelIdentity;
  writtenAt: string;
  /** Hours at or above the threshold only: where the change is (text), and its top schedd and VO alone. */
  where?: string;
  whereSchedd?: string;
  whereExperiment?: string;
}

export class ScoreIndexError extends Error {}

const pad = (n: number) => String(n).padStart(2, '0');

export function scoreIndexName(name: string, timeMs: number): string {
  const d = new Date(timeMs);
  return `${SCORE_INDEX_PREFIX}${name}-${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}`;
}

/** Every monthly index of one watcher name. */
export function scoreIndexPattern(name: string): string {
  return `${SCORE_INDEX_PREFIX}${name}-*`;
}

export function scoreDocumentId(name: string, timeMs: number, model: Pick<ModelIdentity, 'id' | 'version'>): string {
  return `${name}:${new Date(timeMs).toISOString()}:${modelKey(model)}`;
}

export function scoreDocument(
  name: string,
  stepMs: number,
  s: StepScore,
  model: ModelIdentity,
  writtenAtMs: number
): ScoreDocument {
  const keyed = (o: Record<string, number | null>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [featureKey(k), v]));
  return {
    name,
    hour: new Date(s.timeMs).toISOString(),
    stepSeconds: stepMs / 1000,
    probability: s.probability,
    surprise: s.surprise,
    source: s.source,
    topFeatures: s.topFeatures,
    noData: s.noData,
    features: keyed(s.features),
    featureSurprise: keyed(s.featureSurprise),
    model: { ...model },
    writtenAt: new Date(writtenAtMs).toISOString(),
    ...(s.where && {
      where: s.where.text,
      ...(s.where.schedd && { whereSchedd: s.where.schedd }),
      ...(s.where.experiment && { whereExperiment: s.where.experiment }),
    }),
  };
}

/** Elasticsearch types of a score document's plain fields (features.* and featureSurprise.* below). */
const SCORE_FIELD_TYPES = {
  name: 'keyword',
  hour: 'date',
  stepSeconds: 'integer',
  probability: 'double',
  surprise: 'double',
  source: 'keyword',
  topFeatures: 'keyword',
  noData: 'boolean',
  writtenAt: 'date',
  where: 'keyword',
  whereSchedd: 'keyword',
  whereExperiment: 'keyword',
} satisfies Partial<Record<keyof ScoreDocument, string>>;
const MODEL_FIELD_TYPES = { id: 'keyword', version: 'integer', origin: 'keyword' } satisfies Record<
  keyof ModelIdentity,
  string
>;
const typed = (fields: Record<string, string>) =>
  Object.fromEntries(Object.entries(fields).map(([field, type]) => [field, { type }]));

/** Index template for every watcher's score indices: numbers as double, names as keywords. */
export function scoreIndexTemplate(): Record<string, unknown> {
  return {
    index_patterns: [`${SCORE_INDEX_PREFIX}*`],
    priority: 200,
    template: {
      settings: { number_of_shards: 1 },
      mappings: {
        dynamic_templates: [
          { feature_values: { path_match: 'features.*', mapping: { type: 'double' } } },
          { feature_surprise: { path_match: 'featureSurprise.*', mapping: { type: 'double' } } },
        ],
        properties: { ...typed(SCORE_FIELD_TYPES), model: { properties: typed(MODEL_FIELD_TYPES) } },
      },
    },
  };
}

/** NDJSON for _bulk: one `index` (overwrite, idempotent) per document. */
export function bulkBody(docs: readonly ScoreDocument[], model: Pick<ModelIdentity, 'id' | 'version'>): string {
  let out = '';
  for (const d of docs) {
    const t = Date.parse(d.hour);
    out += `${JSON.stringify({ index: { _index: scoreIndexName(d.name, t), _id: scoreDocumentId(d.name, t, model) } })}\n`;
    out += `${JSON.stringify(d)}\n`;
  }
  return out;
}

interface BulkItem {
  index?: { _id?: string; status?: number; error?: { type?: string; reason?: string } };
}

/**
 * Which documents of a _bulk landed. Items answer in request order; a failed item leaves its step
 * unwritten for the next cycle (each document is a whole step, so nothing is ever half written).
 */
export function parseBulkResponse(
  docs: readonly ScoreDocument[],
  response: unknown
): { written: number[]; failed: Array<{ timeMs: number; reason: string }> } {
  const items = (response as { items?: BulkItem[] } | null)?.items;
  if (!Array.isArray(items) || items.length !== docs.length) {
    throw new ScoreIndexError(
      `unexpected _bulk answer: ${Array.isArray(items) ? `${items.length} items for ${docs.length} documents` : 'no items'}`
    );
  }
  const written: number[] = [];
  const failed: Array<{ timeMs: number; reason: string }> = [];
  items.forEach((item, i) => {
    const t = Date.parse(docs[i].hour);
    const r = item.index;
    if (r && typeof r.status === 'number' && r.status >= 200 && r.status < 300) {
      written.push(t);
    } else {
      failed.push({ timeMs: t, reason: r?.error ? `${r.error.type}: ${r.error.reason}` : `status ${r?.status}` });
    }
  });
  return { written, failed };
}

/** Search body: which steps of [fromMs, toMs) hold a document of this name (any model version). */
export function writtenStepsQuery(name: string, fromMs: number, toMs: number, stepMs: number): Record<string, unknown> {
  return {
    size: 0,
    query: {
      bool: {
        filter: [{ term: { name } }, { range: { hour: { gte: fromMs, lt: toMs, format: 'epoch_millis' } } }],
      },
    },
    aggs: {
      steps: { date_histogram: { field: 'hour', fixed_interval: `${stepMs / 1000}s`, min_doc_count: 1 } },
    },
  };
}

export function writtenStepsPath(name: string): string {
  return `/${scoreIndexPattern(name)}/_search?ignore_unavailable=true&allow_no_indices=true`;
}

/** The steps the search found (bucket keys, epoch ms). */
export function parseWrittenSteps(response: unknown): Set<number> {
  const r = response as { aggregations?: { steps?: { buckets?: Array<{ key?: unknown; doc_count?: unknown }> } } };
  const buckets = r?.aggregations?.steps?.buckets;
  if (!Array.isArray(buckets)) {
    // No index yet answers without aggregations.
    if (r && typeof r === 'object' && 'hits' in r) {
      return new Set();
    }
    throw new ScoreIndexError('unexpected search answer reading written steps: no aggregations');
  }
  const out = new Set<number>();
  for (const b of buckets) {
    if (typeof b.key === 'number' && typeof b.doc_count === 'number' && b.doc_count > 0) {
      out.add(b.key);
    }
  }
  return out;
}
