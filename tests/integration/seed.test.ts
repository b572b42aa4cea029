// The seeder against a real OpenSearch and a real Graphite (tests/services): counts must round-trip
// exactly (per day, per MyType, per hour; render sums), reseeding must not duplicate, and a bulk
// answered 429 (whole request or some items) must be retried, not dropped.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { HOUR_MS, generateGrid, gridEventCount, type GeneratedGrid } from '../../src/core/generator';
import { expectedDailyCounts, expectedTypeCounts } from '../../src/core/seed/esDocuments';
import { seedElasticsearch } from '../../src/core/seed/elasticsearch';
import { gridGraphiteSeries } from '../../src/core/seed/graphiteMetrics';
import { seedGraphite } from '../../src/cli/graphiteSeeder';
import { parseOutageOptions } from '../../src/cli/commands/options';
import { main } from '../../src/cli/main';
import { spawnCli } from './watchSupport';

jest.setTimeout(300_000);

const OS = process.env.GS_OPENSEARCH_URL;
const GRAPHITE_URL = process.env.GS_GRAPHITE_URL;
const CARBON_HOST = process.env.GS_CARBON_HOST;
const CARBON_PORT = Number(process.env.GS_CARBON_PORT);

// Recent hours: whisper only keeps points inside its retention and refuses future ones.
const END = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
const HOURS = 72;

function smallGrid(seed: string, hours = HOURS): GeneratedGrid {
  const start = END - hours * HOUR_MS;
  return generateGrid({
    start,
    hours,
    seed,
    scale: 0.01,
    outages: (
      [
        { kind: 'monitoring_gap', start: start + 20 * HOUR_MS, activeHours: 3 },
        { kind: 'disconnect_storm', start: start + Math.min(40, hours - 3) * HOUR_MS, activeHours: 1, severity: 0.8 },
      ] as const
    ).filter((o) => o.start + 4 * HOUR_MS <= start + hours * HOUR_MS),
  });
}

async function os(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${OS}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) {
    throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  }
  return json;
}

async function countsFromOpenSearch(prefix: string, g: GeneratedGrid) {
  await os('POST', `/${prefix}*/_refresh`);
  const perDay: Record<string, number> = {};
  for (const index of expectedDailyCounts(g, prefix).keys()) {
    const r = await fetch(`${OS}/${index}/_count`);
    perDay[index] = r.status === 404 ? 0 : (await r.json()).count;
  }
  const agg = await os('POST', `/${prefix}*/_search`, {
    size: 0,
    track_total_hits: true,
    aggs: {
      types: { terms: { field: 'MyType', size: 100 } },
      hours: {
        date_histogram: {
          field: '@timestamp',
          fixed_interval: '1h',
          min_doc_count: 0,
          extended_bounds: { min: g.start, max: g.start + (g.hours - 1) * HOUR_MS },
        },
      },
    },
  });
  const perType: Record<string, number> = {};
  for (const b of agg.aggregations.types.buckets) {
    perType[b.key] = b.doc_count;
  }
  const perHour: number[] = agg.aggregations.hours.buckets.map((b: any) => b.doc_count);
  return { perDay, perType, perHour, total: agg.hits.total.value as number };
}

function expectedPerHour(g: GeneratedGrid): number[] {
  const T = g.eventTypes.length;
  return g.times.map((_, h) => {
    let n = 0;
    for (let k = 0; k < T; k++) {
      n += g.totals[h * T + k];
    }
    return n;
  });
}

const describeOs = OS ? describe : describe.skip;
describeOs('seeding OpenSearch', () => {
  const prefix = 'gs-seed-it-';
  const g = smallGrid('integration');

  it('round-trips counts exactly: per day index, per MyType, per hour', async () => {
    const r = await seedElasticsearch(g, { url: OS!, indexPrefix: prefix, batchSize: 700, concurrency: 2 });
    expect(r.ok).toBe(true);
    expect(r.failedCount).toBe(0);
    const got = await countsFromOpenSearch(prefix, g);
    expect(got.total).toBe(gridEventCount(g));
    expect(got.perDay).toEqual(Object.fromEntries(expectedDailyCounts(g, prefix)));
    const wantTypes = Object.fromEntries([...expectedTypeCounts(g)].filter(([, n]) => n > 0));
    expect(got.perType).toEqual(wantTypes);
    expect(got.perHour).toEqual(expectedPerHour(g));
    // The monitoring gap left hours without any document.
    expect(got.perHour.slice(20, 23)).toEqual([0, 0, 0]);
    // Keyword/date/long mapping from the template.
    const mapping = await os('GET', `/${[...expectedDailyCounts(g, prefix).keys()][0]}/_mapping`);
    const props = (Object.values(mapping)[0] as any).mappings.properties;
    expect(props.MyType.type).toBe('keyword');
    expect(props['@timestamp'].type).toBe('date');
    expect(props.Cluster.type).toBe('long');
  });

  it('is idempotent: seeding the same range again leaves the same counts', async () => {
    const before = await countsFromOpenSearch(prefix, g);
    const r = await seedElasticsearch(g, { url: OS!, indexPrefix: prefix, batchSize: 1000 });
    expect(r.ok).toBe(true);
    const after = await countsFromOpenSearch(prefix, g);
    expect(after).toEqual(before);
  });

  it('detects a range seeded with different data and --fresh fixes it', async () => {
    const other = smallGrid('integration-other');
    const err = await seedElasticsearch(other, { url: OS!, indexPrefix: prefix }).catch((e) => e);
    expect(err.message).toMatch(/document counts differ/);
    const r = await seedElasticsearch(other, { url: OS!, indexPrefix: prefix, fresh: true });
    expect(r.ok).toBe(true);
    expect((await countsFromOpenSearch(prefix, other)).total).toBe(gridEventCount(other));
  });

  it('retries a bulk answered 429 and items rejected with 429; nothing is lost', async () => {
    // Proxy in front of OpenSearch: first _bulk → 429; next two _bulk → every 5th document is withheld
    // from OpenSearch and answered as an item-level 429 (es_rejected_execution_exception).
    let bulks = 0;
    let rejectedItems = 0;
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString();
        const isBulk = req.url!.startsWith('/_bulk');
        const n = isBulk ? ++bulks : 0;
        if (n === 1) {
          res.writeHead(429, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' },
              status: 429,
            })
          );
          return;
        }
        let forward = body;
        let withheld: Array<{ pos: number; action: any }> = [];
        if (n === 2 || n === 3) {
          const lines = body.split('\n').filter(Boolean);
          const kept: string[] = [];
          for (let i = 0; i < lines.length; i += 2) {
            if ((i / 2) % 5 === 4) {
              withheld.push({ pos: i / 2, action: JSON.parse(lines[i]).index });
            } else {
              kept.push(lines[i], lines[i + 1]);
            }
          }
          forward = kept.join('\n') + '\n';
          rejectedItems += withheld.length;
        }
        const upstream = await fetch(`${OS}${req.url}`, {
          method: req.method,
          headers: req.headers['content-type'] ? { 'content-type': String(req.headers['content-type']) } : {},
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : forward,
        });
        let text = await upstream.text();
        if (withheld.length > 0) {
          const json = JSON.parse(text);
          const items: any[] = json.items ?? [];
          for (const w of withheld) {
            items.splice(w.pos, 0, {
              index: {
                _index: w.action._index,
                _id: w.action._id,
                status: 429,
                error: { type: 'es_rejected_execution_exception', reason: 'queue full' },
              },
            });
          }
          text = JSON.stringify({ errors: true, items });
        }
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(text);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const g1 = smallGrid('integration-429', 24);
      const retryPrefix = 'gs-seed-retry-';
      const r = await seedElasticsearch(g1, {
        url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        indexPrefix: retryPrefix,
        batchSize: 200,
        concurrency: 1,
        backoffMs: 20,
      });
      expect(bulks).toBeGreaterThan(3);
      expect(rejectedItems).toBeGreaterThan(0);
      expect(r.retriedRequests).toBe(1);
      expect(r.retriedItems).toBe(rejectedItems);
      expect(r.ok).toBe(true);
      // Checked directly against OpenSearch, not through the proxy.
      const got = await countsFromOpenSearch(retryPrefix, g1);
      expect(got.total).toBe(gridEventCount(g1));
      expect(got.perDay).toEqual(Object.fromEntries(expectedDailyCounts(g1, retryPrefix)));
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });
});

describeOs('gridsentinel seed, killed', () => {
  it('killed with SIGKILL mid-way and run again: exact counts per day and hour, no duplicate', async () => {
    const prefix = 'gs-seed-kill-';
    const days = [
      '--days',
      '3',
      '--scale',
      '0.01',
      '--seed',
      'kill',
      '--no-outages',
      '--end',
      new Date(END).toISOString(),
    ];
    const flags = ['--index-prefix', prefix, '--batch-size', '500', '--concurrency', '1', ...days];
    // The proxy forwards to OpenSearch but never answers the 4th _bulk: the kill lands mid-load, with
    // exactly three batches stored.
    let bulks = 0;
    let reached!: () => void;
    const fourth = new Promise<void>((r) => (reached = r));
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        if (req.url!.startsWith('/_bulk') && ++bulks === 4) {
          reached();
          return;
        }
        const upstream = await fetch(`${OS}${req.url}`, {
          method: req.method,
          headers: req.headers['content-type'] ? { 'content-type': String(req.headers['content-type']) } : {},
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
        });
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(await upstream.text());
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const killed = spawnCli(['seed', '--elasticsearch', url, '--fresh', ...flags]);
      await fourth;
      killed.child.kill('SIGKILL');
      expect((await killed.exited).signal).toBe('SIGKILL');
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
    const hours = 72;
    const g = generateGrid({
      start: END - hours * HOUR_MS,
      hours,
      seed: 'kill',
      scale: 0.01,
      ...parseOutageOptions({ 'no-outages': true }),
    });
    const partial = await countsFromOpenSearch(prefix, g);
    expect(partial.total).toBe(1500);
    expect(gridEventCount(g)).toBeGreaterThan(2000);

    const rerun = spawnCli(['seed', '--elasticsearch', OS!, ...flags]);
    expect((await rerun.exited).code).toBe(0);
    const got = await countsFromOpenSearch(prefix, g);
    expect(got.total).toBe(gridEventCount(g));
    expect(got.perDay).toEqual(Object.fromEntries(expectedDailyCounts(g, prefix)));
    expect(got.perHour).toEqual(expectedPerHour(g));
  });
});

const describeGraphite = GRAPHITE_URL && CARBON_HOST ? describe : describe.skip;
describeGraphite('seeding Graphite', () => {
  const g = smallGrid('integration');

  async function renderSums(pool: string): Promise<Map<string, { sum: number; points: number; nullsInGap: boolean }>> {
    const params = new URLSearchParams({
      format: 'json',
      from: String(g.start / 1000 - 1),
      until: String((g.start + g.hours * HOUR_MS) / 1000 - 1),
    });
    for (const t of [
      `clusters.${pool}.events.*.count`,
      `clusters.${pool}.jobs.totals.*.count`,
      `clusters.${pool}.experiments.*.claimed.count`,
      `clusters.${pool}.slots.*`,
      `clusters.${pool}.slots.*.count`,
    ]) {
      params.append('target', t);
    }
    const res = await fetch(`${GRAPHITE_URL}/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: params.toString(),
    });
    expect(res.status).toBe(200);
    const out = new Map<string, { sum: number; points: number; nullsInGap: boolean }>();
    for (const s of (await res.json()) as Array<{ target: string; datapoints: Array<[number | null, number]> }>) {
      let sum = 0;
      let points = 0;
      let nullsInGap = true;
      for (const [v, t] of s.datapoints) {
        const h = (t * 1000 - g.start) / HOUR_MS;
        if (v !== null) {
          sum += v;
          points++;
        }
        if (g.missing[h] && v !== null) {
          nullsInGap = false;
        }
      }
      out.set(s.target, { sum, points, nullsInGap });
    }
    return out;
  }

  it('render sums match the generator for every series, and gap hours stay null', async () => {
    const r = await seedGraphite(g, {
      host: CARBON_HOST!,
      port: CARBON_PORT,
      url: GRAPHITE_URL,
      pool: 'itseed',
      verifyTimeoutMs: 60_000,
    });
    expect(r.verify?.ok).toBe(true);
    const got = await renderSums('itseed');
    const want = gridGraphiteSeries(g, 'itseed');
    expect([...got.keys()].sort()).toEqual(want.map((s) => s.path).sort());
    for (const s of want) {
      const a = got.get(s.path)!;
      expect({ path: s.path, points: a.points }).toEqual({ path: s.path, points: s.points.length });
      expect(a.sum).toBeCloseTo(
        s.points.reduce((x, p) => x + p[1], 0),
        6
      );
    }
    const T = g.eventTypes.length;
    const k = g.eventTypes.indexOf('JobDisconnectedEvent');
    expect(got.get('clusters.itseed.events.JobDisconnectedEvent.count')!.sum).toBe(
      g.times.reduce((a, _, h) => a + g.totals[h * T + k], 0)
    );
    expect(got.get('clusters.itseed.events.SubmitEvent.count')!.nullsInGap).toBe(true);
    expect(got.get('clusters.itseed.jobs.totals.running.count')!.points).toBe(g.hours);
  });

  it('is idempotent: sending the same points again changes nothing', async () => {
    const before = await renderSums('itseed');
    await seedGraphite(g, { host: CARBON_HOST!, port: CARBON_PORT, url: GRAPHITE_URL, pool: 'itseed' });
    expect(await renderSums('itseed')).toEqual(before);
  });
});

const describeBoth = OS && GRAPHITE_URL && CARBON_HOST ? describe : describe.skip;
describeBoth('gridsentinel seed (CLI)', () => {
  it('loads both stores and checks them, exit code 0', async () => {
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const code = await main([
        'seed',
        '--elasticsearch',
        OS!,
        '--graphite',
        `${CARBON_HOST}:${CARBON_PORT}`,
        '--graphite-url',
        GRAPHITE_URL!,
        '--days',
        '2',
        '--scale',
        '0.01',
        '--end',
        new Date(END).toISOString(),
        '--index-prefix',
        'gs-seed-cli-',
        '--pool',
        'itcli',
        '--seed',
        'cli',
      ]);
      const out = err.mock.calls.map((c) => c.join(' ')).join('\n');
      expect(out).toMatch(/_count matches in all \d+ daily indices/);
      expect(out).toMatch(/render sums match/);
      expect(code).toBe(0);
    } finally {
      err.mockRestore();
    }
  });

  it('exits 1 at once, naming the cause, when the cluster refuses the connection', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const code = await main([
        'seed',
        '--elasticsearch',
        `http://127.0.0.1:${port}`,
        '--days',
        '1',
        '--scale',
        '0.01',
        '--end',
        new Date(END).toISOString(),
      ]);
      expect(code).toBe(1);
      const said = err.mock.calls.map((c) => c.join(' ')).join('\n');
      expect(said).toMatch(/elasticsearch: FAILED\n.*connection refused by 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
      expect(said).not.toMatch(/retry|gave up/);
    } finally {
      err.mockRestore();
    }
  });
});
