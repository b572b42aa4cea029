import { ElasticsearchQueryError, parseHourlyCounts, planHourlyCounts, type HourlyCountsRequest } from './hourlyCounts';

const HOUR = 3600e3;
const TYPES = Array.from({ length: 13 }, (_, i) => `Type${i}Event`);
const base: HourlyCountsRequest = {
  indexPattern: 'fifebatch-logs-*',
  timeField: '@timestamp',
  eventTypeField: 'MyType',
  eventTypes: TYPES,
  fromMs: Date.UTC(2026, 0, 1),
  toMs: Date.UTC(2027, 0, 1),
  stepMs: HOUR,
};

function searches(body: string) {
  const lines = body
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  return lines.filter((_, i) => i % 2 === 1);
}

/** What Elasticsearch would answer for each window, from a function giving counts per (time, type). */
function fakeResponse(
  plan: ReturnType<typeof planHourlyCounts>,
  req: HourlyCountsRequest,
  count: (t: number, type: string) => number
) {
  return {
    responses: plan.windows.map((w) => {
      const buckets = [];
      for (let t = w.fromMs; t < w.toMs; t += req.stepMs) {
        const types = Object.fromEntries(req.eventTypes.map((type, i) => [String(i), { doc_count: count(t, type) }]));
        const total = Object.values(types).reduce((s, b) => s + b.doc_count, 0);
        buckets.push({ key: t, doc_count: total, types: { buckets: types } });
      }
      return { status: 200, aggregations: { steps: { buckets } } };
    }),
  };
}

describe('planHourlyCounts', () => {
  it('splits a year of 13 types so that no search exceeds 65,536 buckets', () => {
    const plan = planHourlyCounts(base);
    expect(plan.times).toHaveLength(8760);
    expect(plan.windows.length).toBe(2);
    for (const w of plan.windows) {
      const steps = (w.toMs - w.fromMs) / HOUR;
      expect(steps * (TYPES.length + 1)).toBeLessThanOrEqual(65536);
    }
    expect(plan.windows[0].fromMs).toBe(base.fromMs);
    expect(plan.windows[1].fromMs).toBe(plan.windows[0].toMs);
    expect(plan.windows[plan.windows.length - 1].toMs).toBe(base.toMs);
  });

  it('asks Elasticsearch to count: date_histogram with zero-count buckets over the whole window, UTC', () => {
    const plan = planHourlyCounts({
      ...base,
      toMs: base.fromMs + 48 * HOUR,
      filters: { experiment: ['nova', 'dune'], schedd: [] },
    });
    const [search] = searches(plan.body);
    expect(search.size).toBe(0);
    const h = search.aggs.steps.date_histogram;
    expect(h).toMatchObject({ field: '@timestamp', fixed_interval: '3600s', min_doc_count: 0, time_zone: 'UTC' });
    expect(h.extended_bounds).toEqual({ min: base.fromMs, max: base.fromMs + 47 * HOUR });
    const filters = search.aggs.steps.aggs.types.filters.filters;
    expect(Object.values(filters)).toEqual(TYPES.map((t) => ({ term: { MyType: t } })));
    expect(Object.keys(filters)).toEqual(TYPES.map((_, i) => String(i)));
    expect(search.query.bool.filter).toContainEqual({ terms: { experiment: ['nova', 'dune'] } });
    expect(JSON.stringify(search.query)).not.toContain('schedd');
  });

  it('aligns the range to whole steps', () => {
    const plan = planHourlyCounts({ ...base, fromMs: base.fromMs + 1000, toMs: base.fromMs + 2 * HOUR + 1 });
    expect(plan.times).toEqual([base.fromMs, base.fromMs + HOUR, base.fromMs + 2 * HOUR]);
  });

  it('rejects impossible requests with specific errors', () => {
    expect(() => planHourlyCounts({ ...base, stepMs: 1500 })).toThrow(/whole number of seconds/);
    expect(() => planHourlyCounts({ ...base, eventTypes: [] })).toThrow(/no event types/);
    expect(() => planHourlyCounts({ ...base, toMs: base.fromMs })).toThrow(/empty time range/);
    expect(() => planHourlyCounts({ ...base, maxBuckets: 5 })).toThrow(/too small/);
  });
});

describe('parseHourlyCounts', () => {
  it('merges split windows exactly and keeps the requested feature order', () => {
    const req = { ...base, toMs: base.fromMs + 30 * 24 * HOUR + 5 * HOUR, maxBuckets: 14 * 24 };
    const plan = planHourlyCounts(req);
    expect(plan.windows.length).toBe(31);
    const count = (t: number, type: string) => ((t / HOUR) % 7) + TYPES.indexOf(type) + 1;
    const m = parseHourlyCounts(req, plan, fakeResponse(plan, req, count));
    expect(m.features).toEqual(TYPES);
    expect(m.times).toEqual(plan.times);
    expect(m.values).toEqual(m.times.map((t) => TYPES.map((type) => count(t, type))));
  });

  it('turns a step without any event into null (no data), not zero', () => {
    const req = { ...base, toMs: base.fromMs + 3 * HOUR };
    const plan = planHourlyCounts(req);
    const gapAt = base.fromMs + HOUR;
    const m = parseHourlyCounts(
      req,
      plan,
      fakeResponse(plan, req, (t, type) => (t === gapAt ? 0 : type === 'Type0Event' ? 5 : 0))
    );
    expect(m.values[0][0]).toBe(5);
    expect(m.values[0][1]).toBe(0);
    expect(m.values[1].every((v) => v === null)).toBe(true);
  });

  it('explains per-search errors', () => {
    const req = { ...base, toMs: base.fromMs + HOUR };
    const plan = planHourlyCounts(req);
    const err = (type: string, reason: string) => ({
      responses: [{ status: 400, error: { root_cause: [{ type, reason }] } }],
    });
    expect(() =>
      parseHourlyCounts(req, plan, err('too_many_buckets_exception', 'Trying to create too many buckets'))
    ).toThrow(/too many buckets/);
    expect(() =>
      parseHourlyCounts(
        req,
        plan,
        err(
          'illegal_argument_exception',
          'Text fields are not optimised for operations that require per-document field data'
        )
      )
    ).toThrow(/mapped as text, not keyword/);
    expect(() => parseHourlyCounts(req, plan, { responses: [] })).toThrow(ElasticsearchQueryError);
    expect(() =>
      parseHourlyCounts(req, plan, { responses: [{ status: 200, _shards: { total: 0 }, hits: { hits: [] } }] })
    ).toThrow(/matches no index/);
    expect(() =>
      parseHourlyCounts(req, plan, { responses: [{ status: 200, aggregations: { steps: { buckets: [] } } }] })
    ).toThrow(/no bucket for .*date field/);
  });
});
