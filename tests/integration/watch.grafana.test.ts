// The watcher's stored probabilities equal the datasource class's (backend 'js', through the data-proxy
// stand-in) for the same model and data, within 1e-6: both fetch through core/sources/featureFetch and
// score with core/model. In the jsdom project because the datasource class needs it.
import { readFileSync } from 'node:fs';
import { dateTime, type DataFrame, type DataQueryRequest } from '@grafana/data';
import { setBackendSrv, setTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { fileModelSource, type ModelSource } from '../../src/cli/watch/model';
import { Watcher } from '../../src/cli/watch/service';
import { GridSentinelDataSource } from '../../src/datasource/datasource';
import type { GridSentinelOptions, GridSentinelQuery } from '../../src/datasource/types';
import defaultModel from '../../src/datasource/model/default-model.json';
import { proxiedGrafana } from '../support/proxiedDataSource';
import { HOUR, MODEL_FILE, NOW_HOUR, OS, SERVICES_UP, scoreDocs, seedEvents, watchConfig } from './watchSupport';

jest.setTimeout(120_000);

const PREFIX = 'gs-watcheq-';

const grafana = proxiedGrafana();

function datasource(uid: string, jsonData: Partial<GridSentinelOptions>) {
  return grafana.datasource(uid, {
    elasticsearchUrl: OS,
    indexPattern: `${PREFIX}events-*`,
    backend: 'js',
    ...jsonData,
  });
}

async function datasourceProbability(ds: GridSentinelDataSource, from: number, to: number) {
  const res = await ds.query({
    targets: [{ refId: 'P', queryType: 'probability' }],
    range: { from: dateTime(from), to: dateTime(to), raw: { from: '', to: '' } },
    scopedVars: {},
  } as unknown as DataQueryRequest<GridSentinelQuery>);
  expect(res.errors).toEqual([]);
  const frame = res.data[0] as DataFrame;
  const times = frame.fields[0].values as number[];
  const p = frame.fields.find((f) => f.name === 'probability')!.values as Array<number | null>;
  return new Map(times.map((t, i) => [t, p[i]]));
}

async function watcherProbability(name: string, model: ModelSource, now: number, batchSteps: number) {
  const w = new Watcher(
    watchConfig(name, PREFIX, {
      model,
      schedule: { stepMs: HOUR, settleMs: 10 * 60_000, maxBackfillMs: 24 * HOUR },
      batchSteps,
      now: () => now,
    })
  );
  const r = await w.cycle();
  expect(r.ok).toBe(true);
  const docs = await scoreDocs(name);
  return new Map(docs.map((d) => [Date.parse(d.hour), d.probability as number | null]));
}

function expectEqual(watcher: Map<number, number | null>, ds: Map<number, number | null>) {
  expect([...watcher.keys()].sort()).toEqual([...ds.keys()].sort());
  let compared = 0;
  for (const [t, p] of watcher) {
    const q = ds.get(t)!;
    if (p === null || q === null) {
      expect([t, p]).toEqual([t, q]);
    } else {
      expect(Math.abs(p - q)).toBeLessThan(1e-6);
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(18);
}

const describeBoth = SERVICES_UP ? describe : describe.skip;
describeBoth('the watcher scores as the datasource does', () => {
  const now = NOW_HOUR - 2 * HOUR + 15 * 60_000;
  const from = NOW_HOUR - 26 * HOUR;
  const to = NOW_HOUR - 2 * HOUR;

  beforeAll(async () => {
    setBackendSrv(grafana.backendSrv);
    setTemplateSrv({ replace: (text: string) => text } as unknown as TemplateSrv);
    await seedEvents(PREFIX, NOW_HOUR - 72 * HOUR, 72, [60]);
  });

  it('a published model: equal within 1e-6, whatever batches the watcher wrote in', async () => {
    const doc = JSON.parse(readFileSync(MODEL_FILE, 'utf8'));
    const watcher = await watcherProbability('eq-published', fileModelSource(MODEL_FILE), now, 5);
    expectEqual(watcher, await datasourceProbability(datasource('eq-pub', { model: doc }), from, to));
  });

  it('the bundled model (re-centred on the fetched range): equal for the same range', async () => {
    const bundled: ModelSource = async () => ({ raw: defaultModel, version: null, origin: 'bundled', bundled: true });
    const watcher = await watcherProbability('eq-bundled', bundled, now, 24);
    expectEqual(watcher, await datasourceProbability(datasource('eq-bun', {}), from, to));
  });
});
