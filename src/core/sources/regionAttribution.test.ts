import { HOUR_MS } from '../time';
import { attributeRegions } from './regionAttribution';
import { DEFAULT_SOURCE_SETTINGS } from './settings';
import type { SourceRequest } from './sourceHttp';

const T0 = Date.UTC(2026, 2, 10, 5);
const INDEX = 'fifebatch-logs-2026.03.10';

function fetcher(types: Record<string, string>, perHour: (t: number) => Record<string, number>) {
  const requests: SourceRequest[] = [];
  const http = async <T>(req: SourceRequest): Promise<T> => {
    requests.push(req);
    if (req.path.includes('/_mapping/')) {
      const mappings = Object.fromEntries(
        Object.entries(types).map(([f, t]) => [f, { mapping: { [f]: { type: t } } }])
      );
      return { [INDEX]: { mappings } } as T;
    }
    const body = JSON.parse(req.body!);
    const times: number[] = body.query.bool.should.flatMap((s: any) => {
      const r = s.range['@timestamp'];
      return Array.from({ length: (r.lt - r.gte) / HOUR_MS }, (_, i) => r.gte + i * HOUR_MS);
    });
    const buckets = times.map((t) => {
      const vo = perHour(t);
      const total = Object.values(vo).reduce((a, b) => a + b, 0);
      return {
        key: t,
        types: {
          buckets: {
            '0': {
              doc_count: total,
              experiment: { buckets: Object.entries(vo).map(([key, doc_count]) => ({ key, doc_count })) },
            },
          },
        },
      };
    });
    return { aggregations: { steps: { buckets } } } as T;
  };
  return {
    f: { http, settings: DEFAULT_SOURCE_SETTINGS, configured: { elasticsearch: true, graphite: false } },
    requests,
  };
}

const regions = [
  { startMs: T0, endMs: T0 + 2 * HOUR_MS, topFeatures: ['JobHeldEvent'] },
  { startMs: T0 + 10 * HOUR_MS, endMs: T0 + 11 * HOUR_MS, topFeatures: ['JobHeldEvent'] },
];

describe('attributeRegions', () => {
  it('checks the mapping once and sends one search per region; an absent schedd field is a note', async () => {
    const { f, requests } = fetcher({ experiment: 'keyword' }, (t) =>
      t === T0 + HOUR_MS ? { mu2e: 900, nova: 40 } : { mu2e: 10, nova: 40 }
    );
    const out = await attributeRegions(f, regions);
    expect(requests.map((r) => r.path.split('?')[0])).toEqual([
      '/fifebatch-logs-*/_mapping/field/schedd%2Cexperiment',
      '/fifebatch-logs-*/_search',
      '/fifebatch-logs-*/_search',
    ]);
    const aggs = JSON.parse(requests[1].body!).aggs.steps.aggs.types.aggs;
    expect(Object.keys(aggs)).toEqual(['experiment']);
    expect(out[0].text).toBe(
      `JobHeldEvent +890 over typical, VO mu2e +890 (field "schedd" does not exist in ${INDEX}: breakdown by schedd left out)`
    );
    expect(out[0].hours.get(T0)!.text).toBe('no change from typical');
    expect(out[0].hours.get(T0 + HOUR_MS)!.top.experiment).toMatchObject({ value: 'mu2e', excess: 890 });
    expect(out[1].result!.ranked).toEqual([]);
  });

  it('reports a text field like the health check, without searching', async () => {
    const { f, requests } = fetcher({ experiment: 'text', schedd: 'keyword' }, () => ({}));
    const out = await attributeRegions(f, regions.slice(0, 1));
    expect(requests).toHaveLength(1);
    expect(out[0].text).toMatch(
      /^Elasticsearch: field "experiment" is mapped as text, not keyword, in .*experiment\.keyword/
    );
    expect(out[0].result).toBeUndefined();
  });

  it('leaves Graphite features out with a note', async () => {
    const { f, requests } = fetcher({ experiment: 'keyword', schedd: 'keyword' }, () => ({ mu2e: 5 }));
    const withGraphite = {
      ...f,
      settings: {
        ...f.settings,
        features: [
          ...f.settings.features,
          { name: 'mu2e_claimed', source: 'graphite' as const, target: 'clusters.gp.experiments.mu2e.claimed.count' },
        ],
      },
    };
    const out = await attributeRegions(withGraphite, [{ ...regions[1], topFeatures: ['mu2e_claimed'] }]);
    expect(requests).toHaveLength(1);
    expect(out[0].text).toBe('Graphite features not attributed: mu2e_claimed');
  });
});
