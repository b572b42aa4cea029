import { DAY_MS, HOUR_MS } from '../time';
import { buildVoBreakdownParams, parseVoBreakdown, voFeature } from './breakdown';

const T0 = Date.UTC(2026, 2, 10, 5);
const g = (target: string) => ({ name: 'f', source: 'graphite' as const, target });

describe('voFeature', () => {
  it('finds the one path with a VO node, through functions, wildcards and lists', () => {
    expect(voFeature(g('clusters.gpgrid.experiments.mu2e.claimed.count'))).toMatchObject({
      path: 'clusters.gpgrid.experiments.mu2e.claimed.count',
      voNode: 3,
    });
    expect(voFeature(g('sumSeries(clusters.gpgrid.experiments.{mu2e,nova}.claimed.count)'))).toMatchObject({
      path: 'clusters.gpgrid.experiments.{mu2e,nova}.claimed.count',
      voNode: 3,
    });
    expect(voFeature(g('scale(a.b.experiments.*.held, 0.5)'))).toMatchObject({ path: 'a.b.experiments.*.held' });
  });

  it('is null without a VO node, with two VO paths, or when `experiments` is the last node', () => {
    expect(voFeature(g('clusters.gpgrid.jobs.totals.held.count'))).toBeNull();
    expect(voFeature(g('divideSeries(a.experiments.*.held,a.experiments.*.running)'))).toBeNull();
    expect(voFeature(g('clusters.gpgrid.experiments'))).toBeNull();
    expect(voFeature(g('alias(a.jobs.held,"x.experiments.y")'))).toBeNull();
  });
});

describe('VO breakdown render', () => {
  const req = {
    features: [voFeature({ ...g('clusters.gp.experiments.*.claimed.count'), aggregation: 'avg' as const })!],
    fromMs: T0,
    toMs: T0 + HOUR_MS,
    stepMs: HOUR_MS,
    baselineDays: 2,
  };

  it('renders each VO series summarized to the step over the region and the days before', () => {
    const p = buildVoBreakdownParams(req);
    expect(p.getAll('target')).toEqual([
      'aliasSub(aliasByNode(summarize(clusters.gp.experiments.*.claimed.count,"3600s","avg",true),3),"^","0:")',
    ]);
    expect(p.get('from')).toBe(String((T0 - 2 * DAY_MS) / 1000 - 1));
    expect(p.get('until')).toBe(String((T0 + HOUR_MS) / 1000 - 1));
  });

  it('keeps the region and the same hours of the days before; an hour where every VO is null is no data', () => {
    const s = (t: number) => t / 1000;
    const [d] = parseVoBreakdown(req, [
      {
        target: '0:mu2e',
        datapoints: [
          [10, s(T0 - 2 * DAY_MS)],
          [null, s(T0 - DAY_MS)],
          [99, s(T0 - DAY_MS + HOUR_MS)],
          [30, s(T0)],
        ],
      },
      { target: '0:nova', datapoints: [[5, s(T0)]] },
      { target: 'unrelated', datapoints: [[1, s(T0)]] },
    ]);
    expect(d).toMatchObject({ eventTypes: ['f'], dimensions: ['experiment'], regionTimes: [T0], baselineDays: 2 });
    expect([...d.hours.keys()].sort()).toEqual([T0 - 2 * DAY_MS, T0]);
    expect(d.hours.get(T0)!.types[0]).toEqual({
      total: 35,
      by: {
        experiment: new Map([
          ['mu2e', 30],
          ['nova', 5],
        ]),
      },
    });
    expect(() => parseVoBreakdown(req, { error: 'x' })).toThrow(/not a JSON array/);
  });
});
