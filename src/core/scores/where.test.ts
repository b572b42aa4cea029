import { HOUR_MS } from '../time';
import { DEFAULT_SOURCE_SETTINGS } from '../sources/settings';
import type { SourceRequest } from '../sources/sourceHttp';
import type { StepScore } from './records';
import { attachWhere } from './where';

const T = Date.UTC(2026, 2, 10, 5);

const step = (i: number, probability: number | null): StepScore => ({
  timeMs: T + i * HOUR_MS,
  probability,
  surprise: null,
  source: null,
  topFeatures: ['JobHeldEvent'],
  features: {},
  featureSurprise: {},
  noData: probability === null,
});

/** Elasticsearch answering the mapping check and breakdowns: mu2e holds 40 an hour from T + 1 h, else 1. */
function es(fail = false) {
  const requests: SourceRequest[] = [];
  const http = async <R>(req: SourceRequest): Promise<R> => {
    requests.push(req);
    if (fail) {
      throw new Error('HTTP 503');
    }
    if (req.path.includes('/_mapping/')) {
      const m = (f: string) => ({ mapping: { [f]: { type: 'keyword' } } });
      return { 'fifebatch-logs-2026.03.10': { mappings: { schedd: m('schedd'), experiment: m('experiment') } } } as R;
    }
    const body = JSON.parse(req.body!);
    const held = Object.entries(body.aggs.steps.aggs.types.filters.filters).find(
      ([, q]: [string, any]) => q.term.MyType === 'JobHeldEvent'
    )![0];
    const buckets = body.query.bool.should.flatMap((s: any) => {
      const r = s.range['@timestamp'];
      return Array.from({ length: (r.lt - r.gte) / HOUR_MS }, (_, i) => r.gte + i * HOUR_MS).map((t) => {
        const n = t >= T + HOUR_MS ? 40 : 1;
        const b = (key: string) => ({ buckets: [{ key, doc_count: n }] });
        return {
          key: t,
          types: { buckets: { [held]: { doc_count: n, schedd: b('jobsub02.fnal.gov'), experiment: b('mu2e') } } },
        };
      });
    });
    return { aggregations: { steps: { buckets } } } as R;
  };
  return {
    f: { http, settings: DEFAULT_SOURCE_SETTINGS, configured: { elasticsearch: true, graphite: false } },
    requests,
  };
}

describe('attachWhere', () => {
  it('attributes each run of steps at or above the threshold with one search, and only those steps', async () => {
    const { f, requests } = es();
    const steps = [step(0, 0.2), step(1, 0.7), step(2, 0.9), step(3, null), step(4, 0.6)];
    await attachWhere(f, steps, HOUR_MS);
    expect(requests.map((r) => r.path.split('?')[0])).toEqual([
      '/fifebatch-logs-*/_mapping/field/schedd%2Cexperiment',
      '/fifebatch-logs-*/_search',
      '/fifebatch-logs-*/_search',
    ]);
    expect(steps[0].where).toBeUndefined();
    expect(steps[3].where).toBeUndefined();
    expect(steps[1].where).toEqual({
      text: 'JobHeldEvent +78 over typical, on jobsub02.fnal.gov +78; VO mu2e +78',
      schedd: 'jobsub02.fnal.gov',
      experiment: 'mu2e',
    });
    expect(steps[2].where).toBe(steps[1].where);
    expect(steps[4].where).toMatchObject({ schedd: 'jobsub02.fnal.gov', experiment: 'mu2e' });
  });

  it('asks nothing when no step reaches the threshold, and stores why when Elasticsearch fails', async () => {
    const quiet = es();
    await attachWhere(quiet.f, [step(0, 0.49), step(1, null)], HOUR_MS);
    expect(quiet.requests).toEqual([]);
    const down = es(true);
    const steps = [step(1, 0.8)];
    await attachWhere(down.f, steps, HOUR_MS);
    expect(steps[0].where).toEqual({ text: 'unavailable (HTTP 503)' });
  });
});
