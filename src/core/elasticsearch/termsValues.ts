/** Distinct values of a keyword field (event types, experiments, schedds) from a terms aggregation. */
import { ElasticsearchQueryError } from './hourlyCounts';

export interface TermsValuesRequest {
  field: string;
  timeField: string;
  fromMs: number;
  toMs: number;
  /** Largest number of values returned, most frequent first. */
  size?: number;
}

export function buildTermsValuesSearch(req: TermsValuesRequest): object {
  return {
    size: 0,
    track_total_hits: false,
    query: {
      bool: { filter: [{ range: { [req.timeField]: { gte: req.fromMs, lt: req.toMs, format: 'epoch_millis' } } }] },
    },
    aggs: { values: { terms: { field: req.field, size: req.size ?? 500, order: { _count: 'desc' } } } },
  };
}

export function parseTermsValues(req: TermsValuesRequest, response: unknown): Array<{ value: string; count: number }> {
  const r = response as {
    error?: { root_cause?: Array<{ reason?: string }>; reason?: string };
    aggregations?: { values?: { buckets?: Array<{ key: string | number; doc_count: number }> } };
  };
  if (r?.error) {
    throw new ElasticsearchQueryError(
      `terms of "${req.field}" failed: ${r.error.root_cause?.[0]?.reason ?? r.error.reason ?? 'unknown'}`
    );
  }
  const buckets = r?.aggregations?.values?.buckets;
  if (!Array.isArray(buckets)) {
    throw new ElasticsearchQueryError(
      `terms of "${req.field}": no aggregation in the response (does the index pattern match?)`
    );
  }
  return buckets.map((b) => ({ value: String(b.key), count: b.doc_count }));
}
