import { DAY_MS, HOUR_MS } from '../time';
import { attributeRegions, whereFieldCheck } from './regionAttribution';
import { DEFAULT_SOURCE_SETTINGS } from './settings';
import type { SourceRequest } from './sourceHttp';

const T0 = Date.UTC(2026, 2, 10, 5);
const INDEX = 'fifebatch-logs-2026.03.10';

/** Elasticsearch (JobHeldEvent by VO, from perHour) and Graphite (claimed slots by VO, from claimed). */
function fetcher(
  types: Record<string, string>,
  perHour: (t: number) => Record<string, number>,
  claimed: (t: number) => Record<string, number> = () => ({})
) {
  const requests: SourceRequest[] = [];
  const http = async <T>(req: SourceRequest): Promise<T> => {
    requests.push(req);
    if (req.source === 'graphite') {
      const p = new URLSearchParams(req.body);
      const from = (Number(p.get('from')) + 1) * 1000;
      const until = (Number(p.get('until')) + 1) * 1000;
      const times = Array.from({ length: (until - from) / HOUR_MS }, (_, i) => from + i * HOUR_MS);
      const vos = [...new Set(times.flatMap((t) => Object.keys(claimed(t))))];
      return vos.map((vo) => ({
        target: `0:${vo}`,
        datapoints: times.map((t) => [claimed(t)[vo] ?? null, t / 1000]),
      })) as T;
    }
    if (req.path.includes('/_mapping/')) {
      const mappings = Object.fromEntries(
        Object.entries(types).map(([f, t]) => [f, { mapping: { [f]: { type: t } } }])
      );
      return { [INDEX]: { mappings } } as T;
    }
    const body = JSON.parse(req.body!);
    const held = Object.entries(body.aggs.steps.aggs.types.filters.filters).find(
      ([, q]: [string, any]) => q.term.MyType === 'JobHeldEvent'
    )![0];
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
            [held]: {
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

  it('breaks every event-type feature down, whatever the top features, and reuses a mapping check given', async () => {
    const { f, requests } = fetcher({ experiment: 'keyword', schedd: 'keyword' }, () => ({ mu2e: 5 }));
    const check = await whereFieldCheck(f);
    const out = await attributeRegions(f, [{ ...regions[1], topFeatures: ['SubmitEvent'] }], { check });
    expect(requests.map((r) => r.path.split('?')[0])).toEqual([
      '/fifebatch-logs-*/_mapping/field/schedd%2Cexperiment',
      '/fifebatch-logs-*/_search',
    ]);
    const filters = JSON.parse(requests[1].body!).aggs.steps.aggs.types.filters.filters;
    expect(Object.values(filters).map((q: any) => q.term.MyType)).toEqual(
      DEFAULT_SOURCE_SETTINGS.features.map((x: any) => x.eventType)
    );
    expect(out[0].text).toBe('no change from typical');
  });

  describe('Graphite features whose path carries a VO', () => {
    const withGraphite = (f: ReturnType<typeof fetcher>['f']) => ({
      ...f,
      configured: { elasticsearch: true, graphite: true },
      settings: {
        ...f.settings,
        features: [
          ...f.settings.features,
          {
            name: 'claimed',
            source: 'graphite' as const,
            target: 'sumSeries(clusters.gp.experiments.*.claimed.count)',
            aggregation: 'avg' as const,
          },
        ],
      },
    });

    it('are broken down by VO from one render of the region and the 7 days before', async () => {
      // dune's claimed slots fall from 400 to 100 in the second region hour; the job events do not change.
      const { f, requests } = fetcher(
        { experiment: 'keyword', schedd: 'keyword' },
        () => ({ mu2e: 5 }),
        (t) => ({ dune: t === T0 + HOUR_MS ? 100 : 400, nova: 50 })
      );
      const [out] = await attributeRegions(withGraphite(f), regions.slice(0, 1));
      const render = requests.find((r) => r.source === 'graphite')!;
      expect(requests).toHaveLength(3);
      const p = new URLSearchParams(render.body);
      expect(p.getAll('target')).toEqual([
        'aliasSub(aliasByNode(summarize(clusters.gp.experiments.*.claimed.count,"3600s","avg",true),3),"^","0:")',
      ]);
      expect(Number(p.get('from')) + 1).toBe((T0 - 7 * DAY_MS) / 1000);
      expect(Number(p.get('until')) + 1).toBe((T0 + 2 * HOUR_MS) / 1000);
      expect(out.result!.top.experiment).toMatchObject({ feature: 'claimed', value: 'dune', excess: -300 });
      expect(out.hours.get(T0)!.top.experiment).toBeUndefined();
      // The top feature (JobHeldEvent) did not change: the text leads with what did.
      expect(out.text).toBe('claimed -300 over typical, VO dune -300');
    });

    it('a Graphite failure is a note: the job events are still attributed', async () => {
      const { f } = fetcher({ experiment: 'keyword', schedd: 'keyword' }, (t) =>
        t === T0 + HOUR_MS ? { mu2e: 900 } : { mu2e: 10 }
      );
      const g = withGraphite(f);
      const failing = {
        ...g,
        http: async <T>(req: SourceRequest): Promise<T> => {
          if (req.source === 'graphite') {
            throw new Error('HTTP 502');
          }
          return g.http<T>(req);
        },
      };
      const [out] = await attributeRegions(failing, regions.slice(0, 1));
      expect(out.text).toBe(
        'JobHeldEvent +890 over typical, VO mu2e +890 (Graphite features not attributed: HTTP 502)'
      );
    });
  });
});
