import { DAY_MS, HOUR_MS } from '../time';
import { buildBreakdownSearch, checkBreakdownFields, parseBreakdown, type BreakdownRequest } from './breakdown';
import { ElasticsearchQueryError } from './hourlyCounts';

const FROM = Date.UTC(2026, 2, 10, 5);
const req: BreakdownRequest = {
  timeField: '@timestamp',
  eventTypeField: 'MyType',
  eventTypes: ['JobHeldEvent', 'JobEvictedEvent'],
  fields: { schedd: 'schedd', experiment: 'experiment' },
  fromMs: FROM,
  toMs: FROM + 2 * HOUR_MS,
  stepMs: HOUR_MS,
};

describe('buildBreakdownSearch', () => {
  it('filters the types over the region and the same hours of the 7 days before, with terms per type', () => {
    const body = buildBreakdownSearch(req) as any;
    expect(body.query.bool.filter).toEqual([{ terms: { MyType: ['JobHeldEvent', 'JobEvictedEvent'] } }]);
    const ranges = body.query.bool.should.map((s: any) => s.range['@timestamp']);
    expect(ranges).toHaveLength(8);
    expect(ranges[0]).toMatchObject({ gte: FROM, lt: FROM + 2 * HOUR_MS });
    expect(ranges[7]).toMatchObject({ gte: FROM - 7 * DAY_MS, lt: FROM - 7 * DAY_MS + 2 * HOUR_MS });
    expect(body.query.bool.minimum_should_match).toBe(1);
    const types = body.aggs.steps.aggs.types;
    expect(types.filters.filters['1']).toEqual({ term: { MyType: 'JobEvictedEvent' } });
    expect(types.aggs).toEqual({
      schedd: { terms: { field: 'schedd', size: 20 } },
      experiment: { terms: { field: 'experiment', size: 50 } },
    });
  });

  it('leaves out a dimension without a field, and refuses empty input', () => {
    const body = buildBreakdownSearch({ ...req, fields: { experiment: 'vo' }, sizes: { experiment: 5 } }) as any;
    expect(body.aggs.steps.aggs.types.aggs).toEqual({ experiment: { terms: { field: 'vo', size: 5 } } });
    expect(() => buildBreakdownSearch({ ...req, eventTypes: [] })).toThrow(ElasticsearchQueryError);
    expect(() => buildBreakdownSearch({ ...req, toMs: FROM })).toThrow(/whole, non-empty steps/);
  });
});

describe('parseBreakdown', () => {
  const bucket = (key: number, held: Record<string, number>) => ({
    key,
    types: {
      buckets: {
        '0': {
          doc_count: Object.values(held).reduce((a, b) => a + b, 0),
          schedd: { buckets: Object.entries(held).map(([k, n]) => ({ key: k, doc_count: n })) },
          experiment: { buckets: [] },
        },
        '1': { doc_count: 0 },
      },
    },
  });

  it('reads counts per hour, type and value (absent values and types count 0)', () => {
    const data = parseBreakdown(req, { aggregations: { steps: { buckets: [bucket(FROM, { a: 3, b: 4 })] } } });
    expect(data.regionTimes).toEqual([FROM, FROM + HOUR_MS]);
    const h = data.hours.get(FROM)!;
    expect(h.types[0].total).toBe(7);
    expect(h.types[0].by.schedd!.get('b')).toBe(4);
    expect(h.types[1].total).toBe(0);
    expect(h.types[1].by.schedd!.size).toBe(0);
    expect(data.hours.has(FROM + HOUR_MS)).toBe(false);
  });

  it('turns a text field into the plain message and other errors into the cause', () => {
    const text = {
      error: { root_cause: [{ type: 'illegal_argument_exception', reason: 'Text fields are not optimised' }] },
      status: 400,
    };
    expect(() => parseBreakdown(req, text)).toThrow(/mapped as text, not keyword/);
    expect(() => parseBreakdown(req, { error: { type: 'x', reason: 'boom' } })).toThrow(/failed \(x\): boom/);
  });
});

describe('checkBreakdownFields', () => {
  const mapping = (types: Record<string, string | null>) => ({
    'fifebatch-logs-2026.03.10': {
      mappings: Object.fromEntries(
        Object.entries(types)
          .filter(([, t]) => t !== null)
          .map(([f, t]) => [f, { mapping: { [f]: { type: t } } }])
      ),
    },
  });

  it('keeps keyword fields', () => {
    const c = checkBreakdownFields(mapping({ schedd: 'keyword', experiment: 'keyword' }), {
      schedd: 'schedd',
      experiment: 'experiment',
    });
    expect(c).toEqual({ fields: { schedd: 'schedd', experiment: 'experiment' }, notes: [], problems: [] });
  });

  it('disables an absent field with a note and reports a text field like the health check', () => {
    const c = checkBreakdownFields(mapping({ schedd: null, experiment: 'text' }), {
      schedd: 'schedd',
      experiment: 'experiment',
    });
    expect(c.fields).toEqual({});
    expect(c.notes).toEqual([
      'field "schedd" does not exist in fifebatch-logs-2026.03.10: breakdown by schedd left out',
    ]);
    expect(c.problems).toEqual([
      'Elasticsearch: field "experiment" is mapped as text, not keyword, in fifebatch-logs-2026.03.10 (use a keyword field, e.g. "experiment.keyword")',
    ]);
  });
});
