/**
 * Counts of a region's top event types broken down by schedd and by experiment (VO), hour by hour, for
 * the region and the same hours of the previous days: ONE search (a `date_histogram` per step, a
 * `filters` bucket per event type, `terms` on each breakdown field inside). Raw documents are never fetched.
 */
import { DAY_MS } from '../time';
import { ElasticsearchQueryError, eventTypeBuckets, exactValueFilters } from './hourlyCounts';
import { fieldMappingProblem } from './fieldMapping';

/** What the counts are broken down by: the `by` of an attribution, and the settings field it reads. */
export type BreakdownDimension = 'schedd' | 'experiment';

export interface BreakdownRequest {
  timeField: string;
  eventTypeField: string;
  /** Event types (the region's top features), in this order. */
  eventTypes: string[];
  /** Breakdown fields actually queried (a dimension whose field is absent is left out). */
  fields: Partial<Record<BreakdownDimension, string>>;
  /** The region [fromMs, toMs), whole steps. */
  fromMs: number;
  toMs: number;
  stepMs: number;
  /** Days before the region whose same hours give the typical value. */
  baselineDays?: number;
  /** The query's exact-value filters (experiment, schedd), as in hourlyCounts; empty = none. */
  filters?: Record<string, string[]>;
  /** Most values per dimension, hour and type (GPGrid: 5 schedds, ~24 VOs). */
  sizes?: Partial<Record<BreakdownDimension, number>>;
}

export const DEFAULT_BASELINE_DAYS = 7;
export const DEFAULT_BREAKDOWN_SIZES: Record<BreakdownDimension, number> = { schedd: 20, experiment: 50 };

/** Per step start: per event type (position), per dimension, value → count; the hour's total per type. */
export interface BreakdownHour {
  types: Array<{ total: number; by: Partial<Record<BreakdownDimension, Map<string, number>>> }>;
}

export interface BreakdownData {
  eventTypes: string[];
  dimensions: BreakdownDimension[];
  stepMs: number;
  baselineDays: number;
  /** Region step starts, in order. */
  regionTimes: number[];
  /** Only steps with at least one event of the types (an empty step is no data, never typical zero). */
  hours: Map<number, BreakdownHour>;
}

/** `filter_path` keeping only what parseBreakdown reads. */
export const BREAKDOWN_FILTER_PATH = [
  'error',
  'status',
  'aggregations.steps.buckets.key',
  'aggregations.steps.buckets.types.buckets.*.doc_count',
  'aggregations.steps.buckets.types.buckets.*.*.buckets.key',
  'aggregations.steps.buckets.types.buckets.*.*.buckets.doc_count',
].join(',');

export function breakdownDimensions(req: BreakdownRequest): BreakdownDimension[] {
  return (['schedd', 'experiment'] as const).filter((d) => !!req.fields[d]);
}

function checkRequest(req: BreakdownRequest) {
  if (req.eventTypes.length === 0) {
    throw new ElasticsearchQueryError('no event types to break down');
  }
  if (!(req.stepMs > 0) || req.fromMs % req.stepMs !== 0 || req.toMs % req.stepMs !== 0 || !(req.toMs > req.fromMs)) {
    throw new ElasticsearchQueryError('the region must be whole, non-empty steps');
  }
}

/** The search body (POST <pattern>/_search?filter_path=BREAKDOWN_FILTER_PATH). */
export function buildBreakdownSearch(req: BreakdownRequest): object {
  checkRequest(req);
  const days = req.baselineDays ?? DEFAULT_BASELINE_DAYS;
  const sizes = { ...DEFAULT_BREAKDOWN_SIZES, ...req.sizes };
  const ranges = Array.from({ length: days + 1 }, (_, d) => ({
    range: { [req.timeField]: { gte: req.fromMs - d * DAY_MS, lt: req.toMs - d * DAY_MS, format: 'epoch_millis' } },
  }));
  const byAggs = Object.fromEntries(
    breakdownDimensions(req).map((d) => [d, { terms: { field: req.fields[d], size: sizes[d] } }])
  );
  return {
    size: 0,
    track_total_hits: false,
    query: {
      bool: {
        filter: [{ terms: { [req.eventTypeField]: req.eventTypes } }, ...exactValueFilters(req.filters)],
        should: ranges,
        minimum_should_match: 1,
      },
    },
    aggs: {
      steps: {
        // Only the region and its same hours of earlier days hold documents: empty steps are not returned.
        date_histogram: {
          field: req.timeField,
          fixed_interval: `${req.stepMs / 1000}s`,
          time_zone: 'UTC',
          min_doc_count: 1,
          format: 'epoch_millis',
        },
        aggs: {
          types: { ...eventTypeBuckets(req.eventTypeField, req.eventTypes), aggs: byAggs },
        },
      },
    },
  };
}

interface TermsAgg {
  buckets?: Array<{ key: string | number; doc_count: number }>;
}

interface BreakdownResponse {
  error?: { type?: string; reason?: string; root_cause?: Array<{ type?: string; reason?: string }> };
  status?: number;
  aggregations?: {
    steps?: {
      buckets?: Array<{
        key: number | string;
        types?: { buckets?: Record<string, { doc_count?: number } & Partial<Record<BreakdownDimension, TermsAgg>>> };
      }>;
    };
  };
}

export function parseBreakdown(req: BreakdownRequest, response: unknown): BreakdownData {
  checkRequest(req);
  const r = (response ?? {}) as BreakdownResponse;
  if (r.error) {
    const cause = r.error.root_cause?.[0] ?? r.error;
    const reason = cause.reason ?? r.error.reason ?? 'unknown reason';
    if (/text fields|fielddata/i.test(reason)) {
      throw new ElasticsearchQueryError(`Elasticsearch: a breakdown field is mapped as text, not keyword (${reason})`);
    }
    throw new ElasticsearchQueryError(`Elasticsearch breakdown search failed (${cause.type ?? 'error'}): ${reason}`);
  }
  const buckets = r.aggregations?.steps?.buckets;
  const dimensions = breakdownDimensions(req);
  const hours = new Map<number, BreakdownHour>();
  // A range with no document at all comes back without buckets (filter_path drops the empty list).
  for (const b of buckets ?? []) {
    const types = req.eventTypes.map((_, i) => {
      const t = b.types?.buckets?.[String(i)];
      const by: BreakdownHour['types'][number]['by'] = {};
      for (const d of dimensions) {
        by[d] = new Map((t?.[d]?.buckets ?? []).map((x) => [String(x.key), x.doc_count]));
      }
      return { total: t?.doc_count ?? 0, by };
    });
    hours.set(Number(b.key), { types });
  }
  const regionTimes: number[] = [];
  for (let t = req.fromMs; t < req.toMs; t += req.stepMs) {
    regionTimes.push(t);
  }
  return {
    eventTypes: req.eventTypes.slice(),
    dimensions,
    stepMs: req.stepMs,
    baselineDays: req.baselineDays ?? DEFAULT_BASELINE_DAYS,
    regionTimes,
    hours,
  };
}

export interface BreakdownFieldCheck {
  /** Dimensions whose field is a keyword in every index. */
  fields: Partial<Record<BreakdownDimension, string>>;
  /** Dimensions left out because their field does not exist (not an error). */
  notes: string[];
  /** Fields of the wrong type (e.g. text): the health check's wording. */
  problems: string[];
}

/**
 * Reads `GET <pattern>/_mapping/field/<schedd>,<experiment>`: a field that does not exist disables its
 * breakdown with a note; one mapped as text is a problem (a terms aggregation on it fails).
 */
export function checkBreakdownFields(
  mapping: unknown,
  fields: Record<BreakdownDimension, string>
): BreakdownFieldCheck {
  const out: BreakdownFieldCheck = { fields: {}, notes: [], problems: [] };
  for (const d of ['schedd', 'experiment'] as const) {
    const field = fields[d];
    if (!field) {
      out.notes.push(`no ${d} field configured: breakdown by ${d} left out`);
      continue;
    }
    const problem = fieldMappingProblem(mapping, field, 'keyword');
    if (problem === null) {
      out.fields[d] = field;
    } else if (problem === 'the index pattern matches no index' || / does not exist in /.test(problem)) {
      out.notes.push(`${problem}: breakdown by ${d} left out`);
    } else {
      out.problems.push(`Elasticsearch: ${problem}`);
    }
  }
  return out;
}
