// `gridsentinel watch` against a real OpenSearch and Graphite (tests/services). Most cases run the
// Watcher in-process with a fixed clock; the kill -9 case runs the built CLI (bin/gridsentinel.js) as a
// child process. "Graphite down" is a TCP proxy in front of the shared carbon that the test closes:
// stopping the suite's one carbon-cache would break the other tests.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { publishedJsonData } from '../../src/core/model/publishing';
import { dueWindow } from '../../src/core/scores/schedule';
import { DEFAULT_SOURCE_SETTINGS } from '../../src/core/sources/settings';
import { main } from '../../src/cli/main';
import { directSourceHttp } from '../../src/cli/watch/http';
import { fileModelSource, grafanaModelSource, type ModelSource } from '../../src/cli/watch/model';
import { Watcher, type WatchConfig } from '../../src/cli/watch/service';
import { createGrafanaApi } from '../support/grafanaApi.mjs';
import {
  CARBON_HOST,
  CARBON_PORT,
  GRAPHITE,
  HOUR,
  OS,
  carbonProxy,
  docsPerHour,
  grafanaServer,
  graphitePoints,
  hoursOf,
  scoreDocs,
  seedEvents,
} from './watchSupport';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const MODEL_FILE = path.join(ROOT, 'src/datasource/model/default-model.json');
const PREFIX = 'gs-watch-';
// Data for the last three days up to the current hour, with a two-hour monitoring gap.
const NOW_HOUR = Math.floor(Date.now() / HOUR) * HOUR;
const DATA_FROM = NOW_HOUR - 72 * HOUR;
const GAP_HOURS = [60, 61];

function config(name: string, over: Partial<WatchConfig> = {}): WatchConfig {
  return {
    name,
    settings: { ...DEFAULT_SOURCE_SETTINGS, indexPattern: `${PREFIX}events-*` },
    http: directSourceHttp({ elasticsearch: { url: OS! }, graphite: { url: GRAPHITE! } }),
    configured: { elasticsearch: true, graphite: true },
    carbon: { host: CARBON_HOST!, port: CARBON_PORT },
    model: fileModelSource(MODEL_FILE),
    schedule: { stepMs: HOUR, settleMs: 10 * 60_000, maxBackfillMs: 12 * HOUR },
    batchSteps: 24,
    retryMinMs: 1000,
    retryMaxMs: 2000,
    graphiteVerifyMs: 10_000,
    log: () => undefined,
    ...over,
  };
}

async function expectEveryHourOnce(name: string, from: number, to: number) {
  const perHour = await docsPerHour(name);
  const hours = hoursOf(from, to);
  expect([...perHour.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect([...perHour.keys()].sort((a, b) => a - b)).toEqual(hours);
  const markers = await graphitePoints(`gridsentinel.${name}.scored`, from, to);
  expect([...markers.keys()].sort((a, b) => a - b)).toEqual(hours);
}

const describeBoth = OS && GRAPHITE && CARBON_HOST ? describe : describe.skip;

// Once for the file (both describe blocks read these events).
beforeAll(async () => {
  if (OS && GRAPHITE && CARBON_HOST) {
    await seedEvents(PREFIX, DATA_FROM, 72, GAP_HOURS);
  }
});
describeBoth('gridsentinel watch', () => {
  it('--once writes every closed hour exactly once to both stores; no data stays no data; a second run writes nothing', async () => {
    const lines: string[] = [];
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const args = [
      'watch',
      '--name',
      'once',
      '--elasticsearch',
      OS!,
      '--index-pattern',
      `${PREFIX}events-*`,
      '--graphite-url',
      GRAPHITE!,
      '--carbon',
      `${CARBON_HOST}:${CARBON_PORT}`,
      '--model',
      MODEL_FILE,
      '--once',
      '--max-backfill',
      '20h',
    ];
    const schedule = { stepMs: HOUR, settleMs: 10 * 60_000, maxBackfillMs: 20 * HOUR };
    let w1, w2, code1, code2;
    try {
      w1 = dueWindow(Date.now(), schedule);
      code1 = await main(args);
      w2 = dueWindow(Date.now(), schedule);
      code2 = await main(args);
    } finally {
      out.mockRestore();
    }
    expect(code1).toBe(0);
    expect(code2).toBe(0);
    const cycles = lines.map((l) => JSON.parse(l)).filter((l) => l.event === 'cycle');
    expect(cycles).toHaveLength(2);
    expect(cycles[0].written).toEqual({ elasticsearch: 20, graphite: 20 });
    // Nothing new, unless an hour closed between the two runs.
    const closed = (w2.toMs - w1.toMs) / HOUR;
    expect(cycles[1].written).toEqual({ elasticsearch: closed, graphite: closed });
    await expectEveryHourOnce('once', w2.fromMs - closed * HOUR, w2.toMs);

    const docs = await scoreDocs('once');
    const gapHours = GAP_HOURS.map((h) => DATA_FROM + h * HOUR);
    const probability = await graphitePoints('gridsentinel.once.probability', w1.fromMs, w2.toMs);
    for (const d of docs) {
      const t = Date.parse(d.hour);
      if (gapHours.includes(t)) {
        expect(d).toMatchObject({ probability: null, surprise: null, noData: true, topFeatures: [] });
        expect(Object.values(d.features).every((v) => v === null)).toBe(true);
        expect(probability.has(t)).toBe(false);
      } else if (t < NOW_HOUR) {
        expect(d.noData).toBe(false);
        expect(d.probability).toBeGreaterThanOrEqual(0);
        expect(d.features.SubmitEvent).toBeGreaterThan(0);
        expect(probability.get(t)).toBeCloseTo(d.probability!, 9);
        expect(d.model).toMatchObject({ version: null, origin: `file:${MODEL_FILE}` });
        expect(d._id).toBe(`once:${d.hour}:${d.model.id}`);
      }
    }
    const f = await graphitePoints('gridsentinel.once.features.JobHeldEvent.surprise', w1.fromMs, w2.toMs);
    expect(f.size).toBeGreaterThan(10);
  });

  it('Graphite down during a cycle: Elasticsearch is written, Graphite is filled once it returns', async () => {
    const proxy = await carbonProxy({ host: CARBON_HOST!, port: CARBON_PORT });
    const now = NOW_HOUR - 3 * HOUR + 15 * 60_000;
    const w = new Watcher(config('gdown', { carbon: { host: '127.0.0.1', port: proxy.port }, now: () => now }));
    try {
      await proxy.close();
      const first = await w.cycle();
      expect(first.ok).toBe(false);
      expect(first.written).toEqual({ elasticsearch: 12, graphite: 0 });
      expect(first.remaining).toEqual({ elasticsearch: 0, graphite: 12 });
      expect(first.faults.map((f) => f.source)).toEqual(['carbon']);
      expect(w.health().status).toBe(503);
      expect(w.metrics()).toMatch(/gridsentinel_watch_failures_total\{source="carbon",operation="write scores"\} 1/);
      await proxy.open();
      const second = await w.cycle();
      expect(second.ok).toBe(true);
      expect(second.written).toEqual({ elasticsearch: 0, graphite: 12 });
      const metrics = w.metrics();
      expect(metrics).toMatch(/gridsentinel_watch_pending_steps\{store="graphite"\} 0/);
      expect(metrics).toMatch(/gridsentinel_watch_lag_seconds\{store="elasticsearch"\} 900\n/);
      await expectEveryHourOnce('gdown', NOW_HOUR - 15 * HOUR, NOW_HOUR - 3 * HOUR);
    } finally {
      await proxy.close();
    }
  });

  it('two watchers with the same name write every hour once (same ids, same points)', async () => {
    const now = NOW_HOUR - 5 * HOUR + 20 * 60_000;
    const a = new Watcher(config('twins', { now: () => now, batchSteps: 4 }));
    const b = new Watcher(config('twins', { now: () => now, batchSteps: 4 }));
    const [ra, rb] = await Promise.all([a.cycle(), b.cycle()]);
    expect(ra.ok && rb.ok).toBe(true);
    await expectEveryHourOnce('twins', NOW_HOUR - 17 * HOUR, NOW_HOUR - 5 * HOUR);
  });

  it('picks up a newly published model next cycle and refuses one that does not fit', async () => {
    const bundled = JSON.parse(readFileSync(MODEL_FILE, 'utf8'));
    const api = createGrafanaApi({
      datasources: [
        {
          uid: 'gs-watch',
          name: 'GridSentinel',
          type: 'gridsentinel-anomaly-datasource',
          access: 'proxy',
          jsonData: {},
        },
      ] as never[],
    });
    const grafana = await grafanaServer(api, 'sa-token');
    let now = NOW_HOUR - 8 * HOUR + 15 * 60_000;
    const logs: string[] = [];
    const model: ModelSource = grafanaModelSource(grafana.url, 'gs-watch', 'sa-token');
    const w = new Watcher(
      config('models', {
        model,
        now: () => now,
        log: (l) => logs.push(l),
        schedule: { stepMs: HOUR, settleMs: 10 * 60_000, maxBackfillMs: 2 * HOUR },
      })
    );
    const publish = (doc: unknown, version: number) => {
      const row = api.datasources.get('gs-watch');
      const jsonData = publishedJsonData(
        row.jsonData,
        { kind: 'publish', doc: doc as never },
        { publishedBy: 'admin', publishedAt: new Date() }
      );
      return new Promise<void>((resolve, reject) => {
        const body = JSON.stringify({ name: row.name, type: row.type, access: row.access, jsonData, version });
        const req = http.request(
          `${grafana.url}/api/datasources/uid/gs-watch`,
          {
            method: 'PUT',
            headers: {
              authorization: 'Bearer sa-token',
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => (res.resume(), res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${res.statusCode}`)))
        );
        req.end(body);
      });
    };
    try {
      const first = await w.cycle();
      expect(first.ok).toBe(true);
      expect(first.model).toMatchObject({ version: null, origin: 'grafana:gs-watch (bundled)' });

      const retrained = {
        ...bundled,
        classifier: { ...bundled.classifier, logitOffset: bundled.classifier.logitOffset - 2 },
      };
      await publish(retrained, 1);
      now += HOUR;
      const second = await w.cycle();
      expect(second.ok).toBe(true);
      expect(second.modelEvent).toMatchObject({ kind: 'switched', to: { version: 1, origin: 'grafana:gs-watch' } });
      expect(JSON.parse(logs[1]).modelSwitched.to.version).toBe(1);
      expect(second.written).toEqual({ elasticsearch: 1, graphite: 1 });

      await publish({ ...retrained, stepMs: 300_000 }, 2);
      now += HOUR;
      const third = await w.cycle();
      expect(third.modelEvent).toMatchObject({
        kind: 'refused',
        reason: expect.stringMatching(/trained on 300s steps/),
      });
      expect(JSON.parse(logs[2]).modelRefused.reason).toMatch(/300s/);
      expect(third.written).toEqual({ elasticsearch: 1, graphite: 1 });
      expect(w.metrics()).toMatch(/gridsentinel_watch_model_version 1\n/);

      const docs = await scoreDocs('models');
      const byHour = new Map(docs.map((d) => [Date.parse(d.hour), d]));
      const h2 = now - 15 * 60_000 - HOUR;
      expect(byHour.get(h2)!.model.version).toBe(1); // the refused model did not score
      expect(byHour.get(h2 - HOUR)!.model.version).toBe(1);
      expect(byHour.get(h2 - 2 * HOUR)!.model.version).toBeNull();
      expect(byHour.get(h2)!._id).toBe(`models:${new Date(h2).toISOString()}:v1`);
    } finally {
      await grafana.close();
    }
  });

  it('a wrong token leaves no usable model: reported, nothing written, service up', async () => {
    const api = createGrafanaApi({ datasources: [] });
    const grafana = await grafanaServer(api, 'right');
    const w = new Watcher(
      config('notoken', { model: grafanaModelSource(grafana.url, 'x', 'wrong'), now: () => NOW_HOUR })
    );
    try {
      const r = await w.cycle();
      expect(r.ok).toBe(false);
      expect(r.faults[0]).toMatchObject({ source: 'model', message: expect.stringMatching(/HTTP 401/) });
      expect(r.written).toEqual({ elasticsearch: 0, graphite: 0 });
    } finally {
      await grafana.close();
    }
  });
});

const withoutHost = (h: http.IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'host')) as http.OutgoingHttpHeaders;

/** The built CLI, rebuilt when a source file is newer (the kill -9 case needs a real process). */
function ensureCliBuilt() {
  const entry = path.join(ROOT, 'build/cli/cli/commands/watch.js');
  const newest = ['src/cli/watch', 'src/core/scores', 'src/cli/commands']
    .flatMap((d) => readdirSync(path.join(ROOT, d)).map((f) => statSync(path.join(ROOT, d, f)).mtimeMs))
    .reduce((a, b) => Math.max(a, b), 0);
  if (!existsSync(entry) || statSync(entry).mtimeMs < newest) {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.cli.json'], {
      cwd: ROOT,
    });
  }
}

describeBoth('gridsentinel watch, killed with -9 in the middle of a backfill', () => {
  it('a restart leaves every hour once, none twice', async () => {
    ensureCliBuilt();
    // An HTTP proxy in front of OpenSearch holds every score _bulk answer (after forwarding it), so the
    // kill lands while a batch is being written.
    let bulks = 0;
    let onThirdBulk: () => void = () => undefined;
    const thirdBulk = new Promise<void>((r) => (onThirdBulk = r));
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req
        .on('data', (c) => chunks.push(c))
        .on('end', () => {
          const body = Buffer.concat(chunks);
          const up = http.request(
            `${OS}${req.url}`,
            { method: req.method, headers: withoutHost(req.headers) },
            (ur) => {
              const out: Buffer[] = [];
              ur.on('data', (c) => out.push(c)).on('end', () => {
                const isBulk = req.url!.startsWith('/_bulk');
                if (isBulk && ++bulks === 3) {
                  onThirdBulk();
                }
                setTimeout(
                  () => {
                    res.writeHead(ur.statusCode!, { 'content-type': ur.headers['content-type'] ?? 'application/json' });
                    res.end(Buffer.concat(out));
                  },
                  isBulk ? 300 : 0
                );
              });
            }
          );
          up.end(body);
        });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const args = (es: string) => [
      path.join(ROOT, 'bin/gridsentinel.js'),
      'watch',
      '--name',
      'killed',
      '--elasticsearch',
      es,
      '--index-pattern',
      `${PREFIX}events-*`,
      '--graphite-url',
      GRAPHITE!,
      '--carbon',
      `${CARBON_HOST}:${CARBON_PORT}`,
      '--model',
      MODEL_FILE,
      '--max-backfill',
      '2d',
      '--batch',
      '6h',
      '--metrics-port',
      '0',
    ];
    try {
      const child = spawn(process.execPath, args(proxyUrl), { stdio: 'ignore' });
      const exited = new Promise((r) => child.on('exit', (code, signal) => r(signal)));
      await thirdBulk;
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      await new Promise((r) => proxy.close(r));
    }
    const before = await docsPerHour('killed');
    expect(before.size).toBeGreaterThanOrEqual(12);
    expect(before.size).toBeLessThan(48);

    const restart = spawn(process.execPath, [...args(OS!), '--once'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    restart.stdout.on('data', (c) => (stdout += c));
    const code = await new Promise((r) => restart.on('exit', r));
    expect(code).toBe(0);
    const cycle = JSON.parse(stdout.trim().split('\n').pop()!);
    const w = dueWindow(Date.parse(cycle.time), { stepMs: HOUR, settleMs: 10 * 60_000, maxBackfillMs: 48 * HOUR });
    expect(cycle.written.elasticsearch).toBeGreaterThanOrEqual(48 - before.size);
    expect(cycle.written.elasticsearch).toBeLessThanOrEqual(48 - before.size + 1);
    await expectEveryHourOnce('killed', w.fromMs, w.toMs);
  });

  it('SIGTERM finishes the write in progress and exits 0', async () => {
    ensureCliBuilt();
    const port = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin/gridsentinel.js'),
        'watch',
        '--name',
        'termed',
        '--elasticsearch',
        OS!,
        '--index-pattern',
        `${PREFIX}events-*`,
        '--graphite-url',
        GRAPHITE!,
        '--carbon',
        `${CARBON_HOST}:${CARBON_PORT}`,
        '--model',
        MODEL_FILE,
        '--max-backfill',
        '1d',
        '--metrics-port',
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    );
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    const exited = new Promise((r) => child.on('exit', r));
    try {
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => stdout.includes('"event":"cycle"') && (clearInterval(poll), resolve()), 50);
      });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^# HELP gridsentinel_watch_last_scored_hour_seconds /);
      expect(metrics).toMatch(/gridsentinel_watch_lag_seconds\{store="graphite"\} \d+/);
      expect(metrics).toMatch(/gridsentinel_watch_cycles_total\{result="ok"\} 1/);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect([health.status, (await health.json()).status]).toEqual([200, 'ok']);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    const cycle = JSON.parse(stdout.trim().split('\n')[0]);
    expect(cycle.ok).toBe(true);
  });
});
