/** @jest-environment node */
import http from 'node:http';
import net from 'node:net';

import { generateGrid } from '../core/generator';
import { gridGraphiteSeries, metricComponent, plaintextChunks } from '../core/seed/graphiteMetrics';
import { checkGraphiteOnce, verifyGraphite, GraphiteVerifyError } from '../core/seed/graphiteRender';
import { CarbonError, parseHostPort, seedGraphite, sendPlaintext } from './graphiteSeeder';

/** Carbon line receiver + graphite-web render, in memory; points become visible after `flushDelayMs`. */
async function fakeGraphite(
  opts: {
    flushDelayMs?: number;
    dropOnFirstConnection?: string;
    /** Answer the first renders with this status (graphite-web's 500 when its carbon fetch times out). */
    renderFailures?: { status: number; count: number };
    /** Accept the first connection and never read from it (a carbon that stopped answering). */
    hangFirstConnection?: boolean;
  } = {}
) {
  const store = new Map<string, Map<number, number>>();
  let connections = 0;
  let renders = 0;
  const sockets: net.Socket[] = [];
  const carbon = net.createServer((sock) => {
    sockets.push(sock);
    const conn = ++connections;
    if (conn === 1 && opts.hangFirstConnection) {
      sock.pause();
      return;
    }
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const [path, v, t] = line.split(' ');
        if (conn === 1 && path === opts.dropOnFirstConnection) {
          continue; // a series carbon lost (e.g. create rate limit)
        }
        setTimeout(() => {
          if (!store.has(path)) {
            store.set(path, new Map());
          }
          store.get(path)!.set(Number(t), Number(v));
        }, opts.flushDelayMs ?? 0);
      }
    });
  });
  const web = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (++renders <= (opts.renderFailures?.count ?? 0)) {
        res.writeHead(opts.renderFailures!.status, { 'content-type': 'text/plain' });
        res.end('fetch from carbon timed out after 6.0 s');
        return;
      }
      const params = new URLSearchParams(body);
      const from = Number(params.get('from'));
      const until = Number(params.get('until'));
      const out = params.getAll('target').map((target) => {
        const pts: Array<[number | null, number]> = [];
        for (let t = Math.floor(from / 3600) * 3600 + 3600; t <= until; t += 3600) {
          pts.push([store.get(target)?.get(t) ?? null, t]);
        }
        return { target, datapoints: pts };
      });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => carbon.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  return {
    store,
    renders: () => renders,
    connections: () => connections,
    carbonPort: (carbon.address() as net.AddressInfo).port,
    url: `http://127.0.0.1:${(web.address() as net.AddressInfo).port}`,
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => carbon.close(r));
      await new Promise((r) => web.close(r));
    },
  };
}

describe('graphite series of a grid', () => {
  const g = generateGrid({
    start: '2024-02-01T00:00:00Z',
    hours: 48,
    seed: 2,
    scale: 0.01,
    outages: [{ kind: 'monitoring_gap', start: '2024-02-01T10:00:00Z', activeHours: 3 }],
  });
  const series = gridGraphiteSeries(g, 'gpgrid');
  const byPath = new Map(series.map((s) => [s.path, s]));

  it('follows fifemon naming', () => {
    expect(byPath.has('clusters.gpgrid.jobs.totals.running.count')).toBe(true);
    expect(byPath.has('clusters.gpgrid.jobs.totals.idle.count')).toBe(true);
    expect(byPath.has('clusters.gpgrid.jobs.totals.held.count')).toBe(true);
    expect(byPath.has('clusters.gpgrid.experiments.nova.claimed.count')).toBe(true);
    expect(byPath.has('clusters.gpgrid.slots.utilization')).toBe(true);
    expect(byPath.has('clusters.gpgrid.events.JobHeldEvent.count')).toBe(true);
    expect(metricComponent('jobsub01.fnal.gov')).toBe('jobsub01_fnal_gov');
  });

  it('has hourly points with second timestamps; event counts skip monitoring gaps, context does not', () => {
    const running = byPath.get('clusters.gpgrid.jobs.totals.running.count')!;
    expect(running.points).toHaveLength(48);
    expect(running.points[1][0] - running.points[0][0]).toBe(3600);
    expect(running.points[0][0]).toBe(Date.parse('2024-02-01T00:00:00Z') / 1000);
    const held = byPath.get('clusters.gpgrid.events.JobHeldEvent.count')!;
    expect(held.points).toHaveLength(45);
    const k = g.eventTypes.indexOf('ExecuteEvent');
    const exec = byPath.get('clusters.gpgrid.events.ExecuteEvent.count')!;
    expect(exec.points.reduce((a, p) => a + p[1], 0)).toBe(
      g.times.reduce((a, _, h) => a + g.totals[h * g.eventTypes.length + k], 0)
    );
  });

  it('writes carbon plaintext lines', () => {
    const text = [...plaintextChunks(series, 100)].join('');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(series.reduce((n, s) => n + s.points.length, 0));
    expect(lines[0]).toMatch(/^clusters\.gpgrid\.jobs\.totals\.running\.count \d+ 1706745600$/);
    for (const l of lines) {
      expect(l).toMatch(/^\S+ -?[\d.e+-]+ \d+$/);
    }
  });

  it('checks months of hourly points per request without blowing the stack', async () => {
    const long = gridGraphiteSeries(
      generateGrid({ start: '2024-01-01T00:00:00Z', days: 150, seed: 1, scale: 0.005 }),
      'big'
    );
    const fakeFetch = (async (_: unknown, init?: RequestInit) => {
      const params = new URLSearchParams(String(init?.body));
      const body = params
        .getAll('target')
        .map((target) => ({ target, datapoints: long.find((s) => s.path === target)!.points.map(([t, v]) => [v, t]) }));
      return new Response(JSON.stringify(body), { status: 200 });
    }) as typeof fetch;
    const checks = await checkGraphiteOnce(long, { url: 'http://graphite.test', fetch: fakeFetch });
    expect(checks).toHaveLength(long.length);
    expect(checks.every((c) => c.actualPoints === c.expectedPoints && c.actualSum === c.expectedSum)).toBe(true);
  });

  it('parses HOST:PORT', () => {
    expect(parseHostPort('localhost:2003')).toEqual({ host: 'localhost', port: 2003 });
    expect(parseHostPort('graphite')).toEqual({ host: 'graphite', port: 2003 });
    expect(() => parseHostPort('host:99999')).toThrow(/invalid port/);
  });
});

describe('seedGraphite against a fake carbon + graphite-web', () => {
  const g = generateGrid({ start: '2024-02-01T00:00:00Z', hours: 72, seed: 2, scale: 0.01 });

  it('sends every point and the render check passes once carbon has flushed', async () => {
    const fake = await fakeGraphite({ flushDelayMs: 300 });
    try {
      const r = await seedGraphite(g, {
        host: '127.0.0.1',
        port: fake.carbonPort,
        url: fake.url,
        pool: 'unit',
        verifyTimeoutMs: 10_000,
      });
      expect(r.verify?.ok).toBe(true);
      expect(r.verify!.polls).toBeGreaterThan(1); // first render came before the flush
      expect(r.datapoints).toBe(gridGraphiteSeries(g, 'unit').reduce((n, s) => n + s.points.length, 0));
      expect(fake.store.get('clusters.unit.jobs.totals.running.count')!.size).toBe(72);
    } finally {
      await fake.close();
    }
  });

  it('re-sends series the render check finds incomplete when asked to', async () => {
    const fake = await fakeGraphite({ dropOnFirstConnection: 'clusters.unit.slots.utilization' });
    try {
      const logs: string[] = [];
      const r = await seedGraphite(g, {
        host: '127.0.0.1',
        port: fake.carbonPort,
        url: fake.url,
        pool: 'unit',
        verifyTimeoutMs: 1000,
        resendOnMismatch: true,
        log: (m) => logs.push(m),
      });
      expect(r.verify?.ok).toBe(true);
      expect(logs.join('\n')).toMatch(/1 series incomplete; sending them once more/);
    } finally {
      await fake.close();
    }
  });

  it('reports series that never arrive, with sums', async () => {
    const fake = await fakeGraphite();
    try {
      const series = gridGraphiteSeries(g, 'unit');
      await sendPlaintext(plaintextChunks(series.slice(1)), { host: '127.0.0.1', port: fake.carbonPort });
      const err = await verifyGraphite(series, { url: fake.url, timeoutMs: 300, pollMs: 100 }).catch((e) => e);
      expect(err).toBeInstanceOf(GraphiteVerifyError);
      expect(err.report.mismatches).toHaveLength(1);
      expect(err.message).toMatch(/clusters\.unit\.jobs\.totals\.running\.count: points 0\/72/);
    } finally {
      await fake.close();
    }
  });

  it('polls on through transient render failures (HTTP 5xx), saying so, and passes', async () => {
    const fake = await fakeGraphite({ renderFailures: { status: 500, count: 2 } });
    try {
      const logs: string[] = [];
      const r = await seedGraphite(g, {
        host: '127.0.0.1',
        port: fake.carbonPort,
        url: fake.url,
        pool: 'unit',
        verifyTimeoutMs: 60_000,
        log: (m) => logs.push(m),
      });
      expect(r.verify?.ok).toBe(true);
      expect(
        logs.filter((m) => /render check: .*HTTP 500: fetch from carbon timed out.*polling again/.test(m))
      ).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });

  it('gives up on renders that keep failing at its timeout and says what is still unchecked', async () => {
    const fake = await fakeGraphite({ renderFailures: { status: 503, count: Infinity } });
    try {
      const series = gridGraphiteSeries(g, 'unit');
      await sendPlaintext(plaintextChunks(series), { host: '127.0.0.1', port: fake.carbonPort });
      const err = await verifyGraphite(series, { url: fake.url, timeoutMs: 300, pollMs: 50 }).catch((e) => e);
      expect(err).toBeInstanceOf(GraphiteVerifyError);
      expect(err.message).toMatch(
        new RegExp(
          `none of the ${series.length} Graphite series could be checked[\\s\\S]*last render error: graphite-web /render: HTTP 503`
        )
      );
      expect(fake.renders()).toBeGreaterThan(1);
    } finally {
      await fake.close();
    }
  });

  it('does not retry a render answered 400 (a bad request will not pass)', async () => {
    const fake = await fakeGraphite({ renderFailures: { status: 400, count: Infinity } });
    try {
      const series = gridGraphiteSeries(g, 'unit');
      const err = await verifyGraphite(series, { url: fake.url, timeoutMs: 60_000, pollMs: 50 }).catch((e) => e);
      expect(err.message).toMatch(/HTTP 400/);
      expect(fake.renders()).toBe(1);
    } finally {
      await fake.close();
    }
  });

  it('sends again when carbon stops answering mid-send (timeout), and fails at once when it refuses', async () => {
    const fake = await fakeGraphite({ hangFirstConnection: true });
    try {
      const logs: string[] = [];
      const r = await seedGraphite(g, {
        host: '127.0.0.1',
        port: fake.carbonPort,
        timeoutMs: 300,
        url: fake.url,
        pool: 'unit',
        verifyTimeoutMs: 60_000,
        log: (m) => logs.push(m),
      });
      expect(r.verify?.ok).toBe(true);
      expect(fake.connections()).toBe(2);
      expect(logs.join('\n')).toMatch(/timed out; sending again \(attempt 2 of 3\)/);
    } finally {
      await fake.close();
    }
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const logs: string[] = [];
    const err = await seedGraphite(g, { host: '127.0.0.1', port, log: (m) => logs.push(m) }).catch((e) => e);
    expect(err).toBeInstanceOf(CarbonError);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(logs).toEqual([]);
  });

  it('fails clearly when carbon is not listening', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const sending = sendPlaintext(['a 1 1\n'], { host: '127.0.0.1', port });
    await expect(sending).rejects.toThrow(/carbon 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    await expect(sending).rejects.toBeInstanceOf(CarbonError);
  });
});
