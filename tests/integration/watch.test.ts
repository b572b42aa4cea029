// `gridsentinel watch` against a real OpenSearch and Graphite (tests/services). Most cases run the
// Watcher in-process with a fixed clock; the kill -9 case runs the built CLI (bin/gridsentinel.js) as a
// child process. "Graphite down" is a TCP proxy in front of the shared carbon that the test closes:
// stopping the suite's one carbon-cache would break the other tests.
import { readFileSync } from 'node:fs';

import { publishedJsonData } from '../../src/core/model/publishing';
import { dueWindow } from '../../src/core/scores/schedule';
import type { SourceHttp } from '../../src/core/sources/sourceHttp';
import { main } from '../../src/cli/main';
import { basicAuth, requestJson } from '../../src/cli/watch/http';
import { grafanaModelSource, type ModelSource } from '../../src/cli/watch/model';
import { Watcher, type WatchConfig } from '../../src/cli/watch/service';
import { createGrafanaApi } from '../support/grafanaApi.mjs';
import {
  CARBON_HOST,
  CARBON_PORT,
  HOUR,
  MODEL_FILE,
  NOW_HOUR,
  OS,
  SERVICES_UP,
  SETTLE_MS,
  cycleLines,
  docsPerHour,
  graphitePoints,
  hoursOf,
  scoreDocs,
  seedEvents,
  spawnCli,
  watchArgs,
  watchConfig,
} from './watchSupport';
import { carbonProxy, freePort, grafanaServer, slowBulkProxy } from './watchServers';

jest.setTimeout(120_000);

const PREFIX = 'gs-watch-';
// Data for the last three days up to the current hour, with a two-hour monitoring gap.
const DATA_FROM = NOW_HOUR - 72 * HOUR;
const GAP_HOURS = [60, 61];

const config = (name: string, over: Partial<WatchConfig> = {}) => watchConfig(name, PREFIX, over);
const args = (name: string, elasticsearch: string, ...extra: string[]) =>
  watchArgs(name, PREFIX, elasticsearch, ...extra);
const hourly = (maxBackfillHours: number) => ({
  stepMs: HOUR,
  settleMs: SETTLE_MS,
  maxBackfillMs: maxBackfillHours * HOUR,
});

async function expectEveryHourOnce(name: string, from: number, to: number) {
  const perHour = await docsPerHour(name);
  const hours = hoursOf(from, to);
  expect([...perHour.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect([...perHour.keys()].sort((a, b) => a - b)).toEqual(hours);
  const markers = await graphitePoints(`gridsentinel.${name}.scored`, from, to);
  expect([...markers.keys()].sort((a, b) => a - b)).toEqual(hours);
}

/** Grafana's API (stand-in) holding one GridSentinel datasource. */
const gridSentinelApi = (uid: string, jsonData: object) =>
  createGrafanaApi({
    datasources: [
      { uid, name: 'GridSentinel', type: 'gridsentinel-anomaly-datasource', access: 'proxy', jsonData },
    ] as never[],
  });

const describeBoth = SERVICES_UP ? describe : describe.skip;

// Once for the file (both describe blocks read these events).
beforeAll(async () => {
  if (SERVICES_UP) {
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
    const once = args('once', OS!, '--once', '--max-backfill', '20h');
    const schedule = hourly(20);
    let w1, w2, code1, code2;
    try {
      w1 = dueWindow(Date.now(), schedule);
      code1 = await main(once);
      w2 = dueWindow(Date.now(), schedule);
      code2 = await main(once);
    } finally {
      out.mockRestore();
    }
    expect(code1).toBe(0);
    expect(code2).toBe(0);
    const cycles = cycleLines(lines.join(''));
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
    const api = gridSentinelApi('gs-watch', {});
    const grafana = await grafanaServer(api, 'Bearer sa-token');
    let now = NOW_HOUR - 8 * HOUR + 15 * 60_000;
    const logs: string[] = [];
    const model: ModelSource = grafanaModelSource(grafana.url, 'gs-watch', 'Bearer sa-token');
    const w = new Watcher(
      config('models', {
        model,
        now: () => now,
        log: (l) => logs.push(l),
        schedule: hourly(2),
      })
    );
    const publish = (doc: unknown, version: number) => {
      const row = api.datasources.get('gs-watch');
      const jsonData = publishedJsonData(
        row.jsonData,
        { kind: 'publish', doc: doc as never },
        { publishedBy: 'admin', publishedAt: new Date() }
      );
      return requestJson(`${grafana.url}/api/datasources/uid/gs-watch`, {
        method: 'PUT',
        authorization: 'Bearer sa-token',
        body: JSON.stringify({ name: row.name, type: row.type, access: row.access, jsonData, version }),
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

      // A valid model of 5-minute steps (its seasonal part, if any, counts 288 steps a day).
      const { seasonal } = retrained.surprise;
      const fiveMinute = {
        ...retrained,
        stepMs: 300_000,
        surprise: { ...retrained.surprise, ...(seasonal ? { seasonal: { ...seasonal, periodSteps: 288 } } : {}) },
      };
      await publish(fiveMinute, 2);
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

  it("--grafana-user signs in by basic auth (the demo's admin) and scores with the published model", async () => {
    const published = publishedJsonData(
      {},
      { kind: 'publish', doc: JSON.parse(readFileSync(MODEL_FILE, 'utf8')) },
      { publishedBy: 'admin', publishedAt: new Date() }
    );
    const grafana = await grafanaServer(gridSentinelApi('gs-basic', published), basicAuth('admin', 's3cret'));
    const cli = args('basic', OS!, '--once', '--max-backfill', '3h', '--metrics-port', '0');
    const at = cli.indexOf('--model');
    cli.splice(at, 2, '--grafana-url', grafana.url, '--datasource-uid', 'gs-basic', '--grafana-user', 'admin');
    try {
      const p = spawnCli(cli, { GRAFANA_TOKEN: undefined, GRAFANA_PASSWORD: 's3cret' });
      expect((await p.exited).code).toBe(0);
    } finally {
      await grafana.close();
    }
    const docs = await scoreDocs('basic');
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(d.model).toMatchObject({ version: 1, origin: 'grafana:gs-basic' });
    }
  });

  it('a wrong token leaves no usable model: reported, nothing written, service up', async () => {
    const api = createGrafanaApi({ datasources: [] });
    const grafana = await grafanaServer(api, 'Bearer right');
    const w = new Watcher(
      config('notoken', { model: grafanaModelSource(grafana.url, 'x', 'Bearer wrong'), now: () => NOW_HOUR })
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

describeBoth('gridsentinel watch, stopped', () => {
  it('a restart after kill -9 in the middle of a backfill leaves every hour once, none twice', async () => {
    // Every score _bulk answer is held, so the kill lands while a batch is being written.
    const proxy = await slowBulkProxy(OS!, 300, 3);
    const backfill = ['--max-backfill', '2d', '--batch', '6h', '--metrics-port', '0'];
    try {
      const killed = spawnCli(args('killed', proxy.url, ...backfill));
      await proxy.reached;
      killed.child.kill('SIGKILL');
      expect((await killed.exited).signal).toBe('SIGKILL');
    } finally {
      await proxy.close();
    }
    const before = await docsPerHour('killed');
    expect(before.size).toBeGreaterThanOrEqual(12);
    expect(before.size).toBeLessThan(48);

    const restart = spawnCli(args('killed', OS!, ...backfill, '--once'));
    expect((await restart.exited).code).toBe(0);
    const cycle = cycleLines(restart.stdout()).pop();
    const w = dueWindow(Date.parse(cycle.time), hourly(48));
    expect(cycle.written.elasticsearch).toBeGreaterThanOrEqual(48 - before.size);
    expect(cycle.written.elasticsearch).toBeLessThanOrEqual(48 - before.size + 1);
    await expectEveryHourOnce('killed', w.fromMs, w.toMs);
  });

  it('SIGTERM finishes the write in progress and exits 0', async () => {
    const port = await freePort();
    const p = spawnCli(args('termed', OS!, '--max-backfill', '1d', '--metrics-port', String(port)));
    try {
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => cycleLines(p.stdout()).length > 0 && (clearInterval(poll), resolve()), 50);
      });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^# HELP gridsentinel_watch_last_scored_hour_seconds /);
      expect(metrics).toMatch(/gridsentinel_watch_lag_seconds\{store="graphite"\} \d+/);
      expect(metrics).toMatch(/gridsentinel_watch_cycles_total\{result="ok"\} 1/);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect([health.status, (await health.json()).status]).toEqual([200, 'ok']);
      p.child.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
    }
    expect(cycleLines(p.stdout())[0].ok).toBe(true);
  });

  it('--once stopped during a backfill exits 0 with the batch in progress written; the next run fills the rest', async () => {
    const now = NOW_HOUR - 10 * HOUR + 15 * 60_000;
    const direct = config('oncestop').http;
    // stop() (what SIGTERM calls) as the first score _bulk goes out.
    const http: SourceHttp = (req) => {
      if (req.path.startsWith('/_bulk')) {
        w.stop();
      }
      return direct(req);
    };
    const logs: string[] = [];
    const w = new Watcher(config('oncestop', { http, now: () => now, batchSteps: 4, log: (l) => logs.push(l) }));
    expect(await w.run(true)).toBe(0);
    const first = JSON.parse(logs[0]);
    expect(first).toMatchObject({ ok: false, stopping: true, written: { elasticsearch: 4, graphite: 4 } });
    expect(first.remaining).toEqual({ elasticsearch: 8, graphite: 8 });

    const next = new Watcher(config('oncestop', { now: () => now, batchSteps: 4 }));
    expect(await next.run(true)).toBe(0);
    await expectEveryHourOnce('oncestop', NOW_HOUR - 22 * HOUR, NOW_HOUR - 10 * HOUR);
  });
});
