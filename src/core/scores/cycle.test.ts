import { HOUR_MS } from '../time';
import type { SourceHttp } from '../sources/sourceHttp';
import {
  cycleLogRecord,
  modelEventFault,
  planCycle,
  SourceFault,
  taggedHttp,
  toFault,
  type CycleResult,
} from './cycle';

const T = Date.UTC(2026, 0, 10, 0);
const w = { fromMs: T, toMs: T + 4 * HOUR_MS };
const model = { id: 'abc', version: 2, origin: 'grafana:x' };

describe('planCycle', () => {
  it('scores what either store lacks, once, oldest first', () => {
    const p = planCycle(w, HOUR_MS, {
      elasticsearch: new Set([T, T + HOUR_MS]),
      graphite: new Set([T + 2 * HOUR_MS, T]),
    });
    expect(p.pending).toEqual({
      elasticsearch: [T + 2 * HOUR_MS, T + 3 * HOUR_MS],
      graphite: [T + HOUR_MS, T + 3 * HOUR_MS],
    });
    expect(p.steps).toEqual([T + HOUR_MS, T + 2 * HOUR_MS, T + 3 * HOUR_MS]);
  });

  it('a store whose state is unknown owes nothing (it is not written this cycle)', () => {
    const p = planCycle(w, HOUR_MS, { elasticsearch: null, graphite: new Set([T]) });
    expect(p.pending.elasticsearch).toBeNull();
    expect(p.steps).toEqual([T + HOUR_MS, T + 2 * HOUR_MS, T + 3 * HOUR_MS]);
    expect(planCycle(w, HOUR_MS, { elasticsearch: null, graphite: null }).steps).toEqual([]);
  });
});

describe('faults', () => {
  it('a model that is unavailable or refused is a fault; kept or switched is not', () => {
    expect(modelEventFault({ kind: 'unavailable', reason: 'HTTP 401' })).toEqual({
      source: 'model',
      operation: 'read',
      message: 'HTTP 401',
    });
    expect(modelEventFault({ kind: 'refused', reason: 'bad', candidate: model })).toMatchObject({
      operation: 'refused',
    });
    expect(modelEventFault({ kind: 'kept' })).toBeNull();
    expect(modelEventFault({ kind: 'switched', from: null, to: model })).toBeNull();
  });

  it('a failed request is tagged with its source and path (no query); other errors take the fallback', async () => {
    const failing: SourceHttp = async () => {
      throw new Error('HTTP 503');
    };
    const err = await taggedHttp(failing)({ source: 'graphite', path: '/render?format=json' }).catch((e) => e);
    expect(err).toBeInstanceOf(SourceFault);
    expect(toFault(err, 'carbon', 'write scores')).toEqual({
      source: 'graphite',
      operation: 'write scores: /render',
      message: 'HTTP 503',
    });
    expect(toFault(new Error('refused'), 'carbon', 'write scores')).toEqual({
      source: 'carbon',
      operation: 'write scores',
      message: 'refused',
    });
    expect(toFault('text', 'elasticsearch', 'fetch features').message).toBe('text');
    const ok: SourceHttp = async <U>() => 42 as U;
    await expect(taggedHttp(ok)({ source: 'elasticsearch', path: '/' })).resolves.toBe(42);
  });
});

describe('cycleLogRecord', () => {
  const result: CycleResult = {
    ok: false,
    durationMs: 1500,
    window: w,
    pending: { elasticsearch: 2, graphite: null },
    written: { elasticsearch: 2, graphite: 0 },
    remaining: { elasticsearch: 0, graphite: null },
    last: { elasticsearch: T + 3 * HOUR_MS, graphite: null },
    model,
    modelEvent: { kind: 'kept' },
    faults: [{ source: 'graphite', operation: 'read state: /render', message: 'down' }],
    stopped: false,
  };

  it('times as ISO strings, the model event only when it switched or refused', () => {
    const r = cycleLogRecord('grid', result, T + 5 * HOUR_MS);
    expect(r).toEqual({
      time: '2026-01-10T05:00:00.000Z',
      event: 'cycle',
      name: 'grid',
      ok: false,
      durationMs: 1500,
      window: { from: '2026-01-10T00:00:00.000Z', to: '2026-01-10T04:00:00.000Z' },
      pending: result.pending,
      written: result.written,
      remaining: result.remaining,
      lastHour: { elasticsearch: '2026-01-10T03:00:00.000Z', graphite: null },
      model,
      faults: result.faults,
    });
  });

  it('names a switch, a refusal and a stop', () => {
    const switched = cycleLogRecord('g', { ...result, modelEvent: { kind: 'switched', from: null, to: model } }, T);
    expect(switched.modelSwitched).toEqual({ from: null, to: model });
    const refused = cycleLogRecord(
      'g',
      { ...result, modelEvent: { kind: 'refused', reason: 'r', candidate: model }, stopped: true },
      T
    );
    expect(refused).toMatchObject({ modelRefused: { candidate: model, reason: 'r' }, stopping: true });
    expect(refused).not.toHaveProperty('modelSwitched');
  });
});
