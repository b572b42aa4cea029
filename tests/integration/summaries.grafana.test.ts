// The summary fast path (issue 13) against a real OpenSearch: generated job events seeded through the
// seeder, the real watcher run once over part of the range, then the datasource class with the watcher's
// name configured must return the same feature matrix and probabilities as without it, hour by hour,
// and say how many hours came from each path. In the jsdom project because the datasource class needs it.
import { dateTime, type DataFrame, type DataQueryRequest } from '@grafana/data';
import { setBackendSrv, setTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import http from 'node:http';
import path from 'node:path';

import { generateGrid } from '../../src/core/generator';
import { seedElasticsearch } from '../../src/core/seed/elasticsearch';
import { DEFAULT_SOURCE_SETTINGS } from '../../src/core/sources/settings';
import { directSourceHttp } from '../../src/cli/watch/http';
import { fileModelSource } from '../../src/cli/watch/model';
import { Watcher } from '../../src/cli/watch/service';
import { GridSentinelDataSource } from '../../src/datasource/datasource';
import type { GridSentinelOptions, GridSentinelQuery } from '../../src/datasource/types';
import { proxiedGrafana } from '../support/proxiedDataSource';
import { CARBON_HOST, CARBON_PORT, GRAPHITE, HOUR, OS, docsPerHour } from './watchSupport';

jest.setTimeout(180_000);

const PREFIX = 'gs-summaries-';
const NAME = 'sumtest';
const END = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const DAYS = 4;
const START = END - DAYS * 24 * HOUR;
// The watcher summarises [SUMMARY_FROM, SUMMARY_TO): the range's head and its last day stay unsummarised.
const SUMMARY_TO = END - 24 * HOUR;
const SUMMARY_FROM = SUMMARY_TO - 48 * HOUR;

/** jsdom has no fetch: the seeder's HTTP through node:http (status and text are all it reads). */
const nodeFetch = ((url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode, text: async () => text }));
    });
    req.on('error', reject).end(init.body);
  })) as unknown as typeof fetch;

const grafana = proxiedGrafana();

function datasource(uid: string, jsonData: Partial<GridSentinelOptions>) {
  return grafana.datasource(uid, { elasticsearchUrl: OS, indexPattern: `${PREFIX}*`, backend: 'js', ...jsonData });
}

async function frameOf(ds: GridSentinelDataSource, queryType: 'features' | 'probability', from: number, to: number) {
  const res = await ds.query({
    targets: [{ refId: 'A', queryType }],
    range: { from: dateTime(from), to: dateTime(to), raw: { from: '', to: '' } },
    scopedVars: {},
  } as unknown as DataQueryRequest<GridSentinelQuery>);
  expect(res.errors).toEqual([]);
  return res.data[0] as DataFrame;
}

/** Rows of a frame: time → values of every other field. */
const rowsOf = (frame: DataFrame) =>
  (frame.fields[0].values as number[]).map((t, i) => [t, ...frame.fields.slice(1).map((f) => f.values[i])]);

const describeAll = OS && GRAPHITE && CARBON_HOST ? describe : describe.skip;
describeAll('the datasource reads the watcher’s summaries (summaryName)', () => {
  beforeAll(async () => {
    setBackendSrv(grafana.backendSrv);
    setTemplateSrv({ replace: (text: string) => text } as unknown as TemplateSrv);
    const grid = generateGrid({
      start: START,
      hours: DAYS * 24,
      seed: 'summaries',
      scale: 0.01,
      outages: [
        { kind: 'monitoring_gap', start: SUMMARY_FROM + 10 * HOUR, activeHours: 3 },
        { kind: 'disconnect_storm', start: END - 12 * HOUR, activeHours: 2, severity: 0.8 },
      ],
    });
    await seedElasticsearch(grid, {
      url: OS!,
      indexPrefix: PREFIX,
      templateName: 'gs-summaries',
      fetch: nodeFetch,
      onProgress: () => {},
    });
    const w = new Watcher({
      name: NAME,
      settings: { ...DEFAULT_SOURCE_SETTINGS, indexPattern: `${PREFIX}*` },
      http: directSourceHttp({ elasticsearch: { url: OS! }, graphite: { url: GRAPHITE! } }),
      configured: { elasticsearch: true, graphite: true },
      carbon: { host: CARBON_HOST!, port: CARBON_PORT },
      model: fileModelSource(path.resolve(__dirname, '../../src/datasource/model/default-model.json')),
      schedule: { stepMs: HOUR, settleMs: 10 * 60_000, maxBackfillMs: SUMMARY_TO - SUMMARY_FROM },
      batchSteps: 24,
      retryMinMs: 1000,
      retryMaxMs: 1000,
      graphiteVerifyMs: 10_000,
      now: () => SUMMARY_TO + 10 * 60_000,
      log: () => undefined,
    });
    expect((await w.cycle()).ok).toBe(true);
    const written = [...(await docsPerHour(NAME)).keys()].sort((a, b) => a - b);
    expect(written).toHaveLength(48);
    expect([written[0], written[47]]).toEqual([SUMMARY_FROM, SUMMARY_TO - HOUR]);
  });

  it('returns the raw path’s feature matrix hour by hour, most hours from summaries', async () => {
    const raw = await frameOf(datasource('gs-sum-raw', {}), 'features', START, END);
    const fast = await frameOf(datasource('gs-sum-fast', { summaryName: NAME }), 'features', START, END);
    expect(rowsOf(fast)).toEqual(rowsOf(raw));
    expect(fast.fields.map((f) => f.name)).toEqual(raw.fields.map((f) => f.name));
    // The monitoring gap is summarised as no data (null), not zero.
    const gapRow = rowsOf(fast).find(([t]) => t === SUMMARY_FROM + 11 * HOUR)!;
    expect(gapRow.slice(1).every((v) => v === null)).toBe(true);
    expect(fast.meta?.custom).toEqual({ summaries: 'used', hoursFromSummaries: 48, hoursCounted: DAYS * 24 - 48 });
    expect(raw.meta?.custom).toEqual({ summaries: 'off', hoursFromSummaries: 0, hoursCounted: DAYS * 24 });
  });

  it('scores the same probabilities (summaries give features only; scoring is the datasource’s)', async () => {
    const from = END - 2 * 24 * HOUR;
    const raw = await frameOf(datasource('gs-sum-raw', {}), 'probability', from, END);
    const fast = await frameOf(datasource('gs-sum-fast', { summaryName: NAME }), 'probability', from, END);
    expect(rowsOf(fast)).toEqual(rowsOf(raw));
    expect(rowsOf(fast).filter(([, p]) => typeof p === 'number')).toHaveLength(48);
    expect(fast.meta?.custom?.hoursFromSummaries).toBeGreaterThan(0);
    expect(fast.meta?.custom?.hoursCounted).toBeGreaterThanOrEqual(24);
  });

  it('falls back to counting, and says so, for a watcher name with no index yet', async () => {
    const frame = await frameOf(datasource('gs-sum-none', { summaryName: 'nosuchwatcher' }), 'features', START, END);
    expect(frame.meta?.custom).toEqual({ summaries: 'no-index', hoursFromSummaries: 0, hoursCounted: DAYS * 24 });
  });
});
