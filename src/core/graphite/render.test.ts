import { buildRenderParams, parseRender, type GraphiteRenderRequest } from './render';

const HOUR = 3600e3;
const t0 = Date.UTC(2026, 5, 1);
const req: GraphiteRenderRequest = {
  features: [
    { name: 'running', target: 'clusters.gpgrid.jobs.totals.running.count', aggregation: 'avg' },
    { name: 'evictions', target: 'clusters.gpgrid.events.JobEvictedEvent.count' },
  ],
  fromMs: t0 + 1234,
  toMs: t0 + 3 * HOUR,
  stepMs: HOUR,
};

describe('buildRenderParams', () => {
  it('summarizes each target to the step, aligned to step boundaries', () => {
    const p = buildRenderParams(req);
    expect(p.getAll('target')).toEqual([
      'alias(summarize(clusters.gpgrid.jobs.totals.running.count,"3600s","avg",true),"running")',
      'alias(summarize(clusters.gpgrid.events.JobEvictedEvent.count,"3600s","sum",true),"evictions")',
    ]);
    expect(p.get('from')).toBe(String(t0 / 1000 - 1));
    expect(p.get('until')).toBe(String((t0 + 3 * HOUR) / 1000 - 1));
    expect(p.get('format')).toBe('json');
  });

  it('rejects a missing target list or a fractional step', () => {
    expect(() => buildRenderParams({ ...req, features: [] })).toThrow(/no Graphite targets/);
    expect(() => buildRenderParams({ ...req, stepMs: 1500 })).toThrow(/whole number of seconds/);
  });
});

describe('parseRender', () => {
  it('places points by timestamp and keeps nulls and missing steps as null', () => {
    const s = t0 / 1000;
    const m = parseRender(req, [
      {
        target: 'running',
        datapoints: [
          [100, s],
          [null, s + 3600],
          [120, s + 7200],
        ],
      },
      {
        target: 'evictions',
        datapoints: [
          [0, s],
          [7, s + 3600],
        ],
      },
    ]);
    expect(m.times).toEqual([t0, t0 + HOUR, t0 + 2 * HOUR]);
    expect(m.values).toEqual([
      [100, 0],
      [null, 7],
      [120, null],
    ]);
  });

  it('says which path matched nothing', () => {
    expect(() => parseRender(req, [{ target: 'running', datapoints: [] }])).toThrow(
      /path matches nothing: clusters.gpgrid.events.JobEvictedEvent.count/
    );
    expect(() => parseRender(req, { error: 'x' })).toThrow(/not a JSON array/);
  });
});
