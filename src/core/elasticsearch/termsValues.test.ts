import { buildTermsValuesSearch, parseTermsValues } from './termsValues';

const req = { field: 'experiment', timeField: '@timestamp', fromMs: 0, toMs: 1000 };

describe('terms values', () => {
  it('asks for the most frequent values within the time range', () => {
    const body = buildTermsValuesSearch({ ...req, size: 50 }) as any;
    expect(body.size).toBe(0);
    expect(body.aggs.values.terms).toEqual({ field: 'experiment', size: 50, order: { _count: 'desc' } });
    expect(body.query.bool.filter[0].range['@timestamp']).toEqual({ gte: 0, lt: 1000, format: 'epoch_millis' });
  });

  it('reads buckets and reports errors', () => {
    const ok = {
      aggregations: {
        values: {
          buckets: [
            { key: 'nova', doc_count: 9 },
            { key: 7, doc_count: 1 },
          ],
        },
      },
    };
    expect(parseTermsValues(req, ok)).toEqual([
      { value: 'nova', count: 9 },
      { value: '7', count: 1 },
    ]);
    expect(() =>
      parseTermsValues(req, { error: { root_cause: [{ reason: 'Text fields are not optimised' }] } })
    ).toThrow('terms of "experiment" failed: Text fields are not optimised');
    expect(() => parseTermsValues(req, { hits: {} })).toThrow(/no aggregation/);
  });
});
