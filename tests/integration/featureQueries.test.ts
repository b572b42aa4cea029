// The feature queries of src/core against a real OpenSearch and a real Graphite (tests/services):
// counts must come back exactly, split windows must merge exactly, and "no data" must stay null.
import net from 'node:net';

import {
  HOURLY_COUNTS_FILTER_PATH,
  parseHourlyCounts,
  planHourlyCounts,
  type HourlyCountsRequest,
} from '../../src/core/elasticsearch/hourlyCounts';
import { fieldMappingProblem } from '../../src/core/elasticsearch/fieldMapping';
import { buildRenderParams, parseRender, type GraphiteRenderRequest } from '../../src/core/graphite/render';

const HOUR = 3600e3;
const OS = process.env.GS_OPENSEARCH_URL;
const GRAPHITE = process.env.GS_GRAPHITE_URL;

async function os(method: string, path: string, body?: unknown, ndjson = false): Promise<any> {
  const res = await fetch(`${OS}${path}`, {
    method,
    headers: { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    body: body === undefined ? undefined : ndjson ? String(body) : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok && res.status !== 404) {
    throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  }
  return json;
}

jest.setTimeout(120000);
const describeOs = OS ? describe : describe.skip;
describeOs('hourly counts from OpenSearch', () => {
  const t0 = Date.UTC(2026, 2, 30, 20); // crosses a daily index boundary
  const types = ['ExecuteEvent', 'JobHeldEvent', 'JobEvictedEvent'];
  const gapHour = 5;
  const hours = 30;
  // Deterministic counts per (hour, type); hour `gapHour` has no document at all.
  const count = (h: number, ti: number) => (h === gapHour ? 0 : ((h * 7 + ti * 3) % 11) + (ti === 0 ? 1 : 0));
  const req: HourlyCountsRequest = {
    indexPattern: 'gstest-events-*',
    timeField: '@timestamp',
    eventTypeField: 'MyType',
    eventTypes: types,
    fromMs: t0,
    toMs: t0 + hours * HOUR,
    stepMs: HOUR,
  };

  beforeAll(async () => {
    await os('PUT', '/_index_template/gstest-events', {
      index_patterns: ['gstest-events-*'],
      template: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          properties: { '@timestamp': { type: 'date' }, MyType: { type: 'keyword' }, experiment: { type: 'keyword' } },
        },
      },
    });
    const lines: string[] = [];
    for (let h = 0; h < hours; h++) {
      types.forEach((type, ti) => {
        for (let i = 0; i < count(h, ti); i++) {
          const ts = new Date(t0 + h * HOUR + ((i * 997) % 3600) * 1000);
          const day = ts.toISOString().slice(0, 10).replace(/-/g, '.');
          lines.push(JSON.stringify({ index: { _index: `gstest-events-${day}` } }));
          lines.push(
            JSON.stringify({ '@timestamp': ts.toISOString(), MyType: type, experiment: i % 2 ? 'nova' : 'dune' })
          );
        }
      });
      // An event type that is not a feature still proves the grid was alive that hour.
      if (h !== gapHour) {
        const ts = new Date(t0 + h * HOUR + 1000).toISOString();
        lines.push(JSON.stringify({ index: { _index: `gstest-events-${ts.slice(0, 10).replace(/-/g, '.')}` } }));
        lines.push(JSON.stringify({ '@timestamp': ts, MyType: 'JobImageSizeEvent', experiment: 'nova' }));
      }
    }
    const res = await os('POST', '/_bulk?refresh=true', lines.join('\n') + '\n', true);
    expect(res.errors).toBe(false);
  });

  async function run(r: HourlyCountsRequest) {
    const plan = planHourlyCounts(r);
    const response = await os(
      'POST',
      `/_msearch?filter_path=${encodeURIComponent(HOURLY_COUNTS_FILTER_PATH)}`,
      plan.body,
      true
    );
    return { plan, matrix: parseHourlyCounts(r, plan, response) };
  }

  it('counts every hour and type exactly, across daily indices', async () => {
    const { matrix } = await run(req);
    expect(matrix.values).toEqual(
      Array.from({ length: hours }, (_, h) =>
        h === gapHour ? types.map(() => null) : types.map((_, ti) => count(h, ti))
      )
    );
  });

  it('merges windows split under max_buckets into the same matrix', async () => {
    const whole = await run(req);
    const split = await run({ ...req, maxBuckets: 4 * 7 }); // 7 hours per search
    expect(split.plan.windows.length).toBe(5);
    expect(split.matrix).toEqual(whole.matrix);
  });

  it('applies exact-value filters', async () => {
    const { matrix } = await run({ ...req, filters: { experiment: ['dune'] } });
    const expected = (h: number, ti: number) => Math.ceil(count(h, ti) / 2);
    matrix.values.forEach((row, h) => {
      if (row.every((v) => v === null)) {
        return;
      }
      expect(row).toEqual(types.map((_, ti) => expected(h, ti)));
    });
  });

  it('says so when the index pattern matches no index', async () => {
    await expect(run({ ...req, indexPattern: 'gstest-nothing-*' })).rejects.toThrow(
      'index pattern "gstest-nothing-*" matches no index'
    );
  });

  it('says when the event-type field is mapped as text, not keyword', async () => {
    await os('PUT', '/gstest-text-2026.03.30', {
      mappings: { properties: { '@timestamp': { type: 'date' }, MyType: { type: 'text' } } },
    });
    expect(fieldMappingProblem(await os('GET', '/gstest-text-*/_mapping/field/MyType'), 'MyType', 'keyword')).toMatch(
      /mapped as text, not keyword, in gstest-text-2026.03.30/
    );
    expect(
      fieldMappingProblem(await os('GET', '/gstest-events-*/_mapping/field/MyType'), 'MyType', 'keyword')
    ).toBeNull();
    expect(
      fieldMappingProblem(await os('GET', '/gstest-events-*/_mapping/field/@timestamp'), '@timestamp', 'date')
    ).toBeNull();
  });
});

async function sendCarbon(lines: string[]) {
  await new Promise<void>((resolve, reject) => {
    const sock = net.connect(Number(process.env.GS_CARBON_PORT), process.env.GS_CARBON_HOST, () => {
      sock.end(lines.join('\n') + '\n', () => resolve());
    });
    sock.on('error', reject);
  });
}

const describeGraphite = GRAPHITE ? describe : describe.skip;
describeGraphite('context features from Graphite', () => {
  const t0 = Math.floor((Date.now() - 200 * 24 * HOUR) / HOUR) * HOUR;
  const hours = 12;
  const running = (h: number) => (h === 4 ? null : 1000 + h * 10);
  const held = (h: number) => h * 3;
  const req: GraphiteRenderRequest = {
    features: [
      { name: 'running', target: 'gstest.clusters.gpgrid.jobs.totals.running.count', aggregation: 'avg' },
      { name: 'held', target: 'gstest.clusters.gpgrid.jobs.totals.held.count' },
    ],
    fromMs: t0,
    toMs: t0 + hours * HOUR,
    stepMs: HOUR,
  };

  beforeAll(async () => {
    const lines: string[] = [];
    for (let h = 0; h < hours; h++) {
      const ts = (t0 + h * HOUR) / 1000;
      const r = running(h);
      if (r !== null) {
        lines.push(`gstest.clusters.gpgrid.jobs.totals.running.count ${r} ${ts}`);
      }
      lines.push(`gstest.clusters.gpgrid.jobs.totals.held.count ${held(h)} ${ts}`);
    }
    await sendCarbon(lines);
  });

  it('reads hourly points back exactly, first hour included, gaps as null', async () => {
    const expected = Array.from({ length: hours }, (_, h) => [running(h), held(h)]);
    let values: unknown;
    // carbon writes whisper files asynchronously: poll until the last point is visible.
    for (let attempt = 0; attempt < 60; attempt++) {
      const res = await fetch(`${GRAPHITE}/render?${buildRenderParams(req)}`);
      const text = await res.text();
      try {
        values = parseRender(req, JSON.parse(text)).values;
      } catch {
        values = text;
      }
      if (JSON.stringify(values) === JSON.stringify(expected)) {
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(values).toEqual(expected);
  });

  it('reports a path that matches nothing', async () => {
    const bad = { ...req, features: [{ name: 'x', target: 'gstest.no.such.path' }] };
    const res = await fetch(`${GRAPHITE}/render?${buildRenderParams(bad)}`);
    const body = JSON.parse(await res.text());
    expect(() => parseRender(bad, body)).toThrow(/path matches nothing: gstest.no.such.path/);
  });
});
