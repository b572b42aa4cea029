/**
 * Hourly job-event counts counted by Elasticsearch itself: one `_msearch` with a `date_histogram` per
 * time window and a `filters` sub-aggregation per event type. Raw documents are never fetched.
 */
import type { FeatureMatrix } from '../featureMatrix';
import { isoTime, stepStarts } from '../time';

/** Elasticsearch's default `search.max_buckets`. */
export const DEFAULT_MAX_BUCKETS = 65536;

export interface HourlyCountsRequest {
  indexPattern: string;
  timeField: string;
  eventTypeField: string;
  /** Event types to count, one feature each, in this order. */
  eventTypes: string[];
  /** [fromMs, toMs), aligned down/up to the step. */
  fromMs: number;
  toMs: number;
  stepMs: number;
  /** Exact-value filters, e.g. { experiment: ['nova'], schedd: ['jobsub01.fnal.gov'] }; empty = no filter. */
  filters?: Record<string, string[]>;
  maxBuckets?: number;
}

export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

export interface HourlyCountsPlan {
  windows: TimeWindow[];
  /** `_msearch` body (NDJSON, newline-terminated), one header+body pair per window. */
  body: string;
  /** Step starts covered by the plan, in order. */
  times: number[];
}

export class ElasticsearchQueryError extends Error {}

/**
 * `filter_path` for the `_msearch` URL: keeps only what parseHourlyCounts reads, which roughly halves
 * the response (bucket keys as strings and per-filter metadata are dropped).
 */
export const HOURLY_COUNTS_FILTER_PATH = [
  'responses.status',
  'responses.error',
  'responses._shards.total',
  'responses.aggregations.steps.buckets.key',
  'responses.aggregations.steps.buckets.doc_count',
  'responses.aggregations.steps.buckets.types.buckets.*.doc_count',
].join(',');

/**
 * Splits [from, to) into windows small enough that no search returns more than maxBuckets buckets:
 * a window of n steps returns n date buckets plus n × types filter buckets.
 */
export function planHourlyCounts(req: HourlyCountsRequest): HourlyCountsPlan {
  const { stepMs, eventTypes } = req;
  if (!Number.isInteger(stepMs) || stepMs <= 0 || stepMs % 1000 !== 0) {
    throw new ElasticsearchQueryError(`step must be a positive whole number of seconds, got ${stepMs} ms`);
  }
  if (eventTypes.length === 0) {
    throw new ElasticsearchQueryError('no event types to count');
  }
  if (!(req.toMs > req.fromMs)) {
    throw new ElasticsearchQueryError(`empty time range: ${isoTime(req.fromMs)} .. ${isoTime(req.toMs)}`);
  }
  const from = Math.floor(req.fromMs / stepMs) * stepMs;
  const to = Math.ceil(req.toMs / stepMs) * stepMs;
  const maxBuckets = req.maxBuckets ?? DEFAULT_MAX_BUCKETS;
  const stepsPerWindow = Math.floor(maxBuckets / (eventTypes.length + 1));
  if (stepsPerWindow < 1) {
    throw new ElasticsearchQueryError(`max buckets ${maxBuckets} is too small for ${eventTypes.length} event types`);
  }
  const windows: TimeWindow[] = [];
  for (let start = from; start < to; start += stepsPerWindow * stepMs) {
    windows.push({ fromMs: start, toMs: Math.min(to, start + stepsPerWindow * stepMs) });
  }
  const lines: string[] = [];
  for (const w of windows) {
    lines.push(JSON.stringify({ index: req.indexPattern, ignore_unavailable: true, allow_no_indices: true }));
    lines.push(JSON.stringify(searchBody(req, w)));
  }
  return { windows, body: lines.join('\n') + '\n', times: stepStarts(from, to, stepMs) };
}

/** `terms` clauses for exact-value filters; a field without values does not filter. */
export function exactValueFilters(filters: Record<string, string[]> = {}): object[] {
  return Object.entries(filters)
    .filter(([, values]) => values.length > 0)
    .map(([field, values]) => ({ terms: { [field]: values } }));
}

/**
 * A `filters` aggregation with one bucket per event type, keyed by position, not name: the key repeats in every hourly
 * bucket of the response.
 */
export function eventTypeBuckets(eventTypeField: string, eventTypes: readonly string[]): object {
  return {
    filters: {
      filters: Object.fromEntries(eventTypes.map((t, i) => [String(i), { term: { [eventTypeField]: t } }])),
    },
  };
}

function searchBody(req: HourlyCountsRequest, w: TimeWindow) {
  const filter: object[] = [
    { range: { [req.timeField]: { gte: w.fromMs, lt: w.toMs, format: 'epoch_millis' } } },
    ...exactValueFilters(req.filters),
  ];
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter } },
    aggs: {
      steps: {
        date_histogram: {
          field: req.timeField,
          fixed_interval: `${req.stepMs / 1000}s`,
          time_zone: 'UTC',
          min_doc_count: 0,
          extended_bounds: { min: w.fromMs, max: w.toMs - req.stepMs },
          format: 'epoch_millis',
        },
        aggs: { types: eventTypeBuckets(req.eventTypeField, req.eventTypes) },
      },
    },
  };
}

interface MsearchItem {
  error?: {
    type?: string;
    reason?: string;
    root_cause?: Array<{ type?: string; reason?: string }>;
    caused_by?: { type?: string; reason?: string };
  };
  status?: number;
  _shards?: { total?: number };
  aggregations?: {
    steps?: {
      buckets?: Array<{
        key: number | string;
        doc_count: number;
        types?: { buckets?: Record<string, { doc_count: number }> };
      }>;
    };
  };
}

/**
 * Turns the `_msearch` response into a feature matrix. A step in which the index holds no event of
 * any type is "no data" (null): a working grid never goes a whole step without a single job event,
 * so that is a monitoring gap, not zero activity.
 */
export function parseHourlyCounts(req: HourlyCountsRequest, plan: HourlyCountsPlan, response: unknown): FeatureMatrix {
  const items = (response as { responses?: MsearchItem[] })?.responses;
  if (!Array.isArray(items) || items.length !== plan.windows.length) {
    throw new ElasticsearchQueryError(
      `unexpected _msearch response: expected ${plan.windows.length} responses, got ${Array.isArray(items) ? items.length : 'none'}`
    );
  }
  const byTime = new Map<number, Array<number | null>>();
  items.forEach((item, i) => {
    if (item.error) {
      throw new ElasticsearchQueryError(describeSearchError(item, plan.windows[i]));
    }
    const buckets = item.aggregations?.steps?.buckets;
    if (!item.aggregations && item._shards?.total === 0) {
      throw new ElasticsearchQueryError(`index pattern "${req.indexPattern}" matches no index`);
    }
    if (!Array.isArray(buckets)) {
      throw new ElasticsearchQueryError(`search for ${windowText(plan.windows[i])} returned no date_histogram buckets`);
    }
    for (const b of buckets) {
      const t = Number(b.key);
      const counts = req.eventTypes.map((_, f) => b.types?.buckets?.[String(f)]?.doc_count ?? 0);
      byTime.set(t, b.doc_count === 0 ? counts.map(() => null) : counts);
    }
  });
  const values = plan.times.map((t) => {
    const row = byTime.get(t);
    if (!row) {
      throw new ElasticsearchQueryError(`no bucket for ${isoTime(t)}: is ${req.timeField} a date field?`);
    }
    return row;
  });
  return { times: plan.times.slice(), stepMs: req.stepMs, features: req.eventTypes.slice(), values };
}

function describeSearchError(item: MsearchItem, w: TimeWindow): string {
  const cause = item.error?.root_cause?.[0] ?? item.error?.caused_by ?? item.error;
  const type = cause?.type ?? 'error';
  const reason = cause?.reason ?? item.error?.reason ?? 'unknown reason';
  if (type === 'too_many_buckets_exception') {
    return `Elasticsearch refused ${windowText(w)}: too many buckets (${reason}); lower maxBuckets to match search.max_buckets`;
  }
  if (type === 'illegal_argument_exception' && /text fields|fielddata/i.test(reason)) {
    return `Elasticsearch: the event-type field is mapped as text, not keyword (${reason})`;
  }
  return `Elasticsearch search for ${windowText(w)} failed (HTTP ${item.status ?? '?'} ${type}): ${reason}`;
}

function windowText(w: TimeWindow): string {
  return `${isoTime(w.fromMs)} .. ${isoTime(w.toMs)}`;
}
