import type { ModelDocument } from './modelDocument';
import {
  MODEL_HISTORY_CAP,
  appendHistory,
  historyEntry,
  nextHistoryVersion,
  modelInUse,
  readModelHistory,
  type ModelHistoryEntry,
} from './modelHistory';

// Only the fields history reads; the weights must never reach an entry.
const doc = (over: { enabled?: boolean; ap?: number; events?: number } = {}) =>
  ({
    features: ['jobs_idle', 'jobs_held'],
    weights: { data: 'AAAA' },
    classifier: { enabled: over.enabled ?? true, anomalyEvents: 3 },
    training: { anomalyEvents: over.events ?? 7, metrics: { validationAp: over.ap } },
  }) as unknown as ModelDocument;

const entry = (version: number): ModelHistoryEntry => ({
  version,
  publishedAt: '2026-01-01T00:00:00.000Z',
  publishedBy: 'admin',
  features: [],
  source: 'surprise',
});

describe('historyEntry', () => {
  it('keeps metadata only: who, when, features, AP, incidents, probability source', () => {
    const e = historyEntry(doc({ ap: 0.8 }), {
      version: 4,
      publishedAt: new Date(Date.UTC(2026, 10, 25, 15, 0)),
      publishedBy: 'admin',
    });
    expect(e).toEqual({
      version: 4,
      publishedAt: '2026-11-25T15:00:00.000Z',
      publishedBy: 'admin',
      features: ['jobs_idle', 'jobs_held'],
      validationAp: 0.8,
      anomalyEvents: 7,
      source: 'classifier',
    });
    expect(JSON.stringify(e)).not.toContain('AAAA');
  });

  it('omits a missing AP, names the surprise source and marks rollbacks', () => {
    const e = historyEntry(doc({ enabled: false }), {
      version: 1,
      publishedAt: '2026-01-01T00:00:00Z',
      publishedBy: 'ops',
      rollback: true,
    });
    expect(e.validationAp).toBeUndefined();
    expect('validationAp' in e).toBe(false);
    expect(e.source).toBe('surprise');
    expect(e.rollback).toBe(true);
  });
});

describe('appendHistory', () => {
  it('puts the newest first and drops the oldest beyond the cap', () => {
    let h: ModelHistoryEntry[] = [];
    for (let v = 1; v <= MODEL_HISTORY_CAP + 5; v++) {
      h = appendHistory(h, entry(nextHistoryVersion(h)));
    }
    expect(h).toHaveLength(MODEL_HISTORY_CAP);
    expect(h[0].version).toBe(MODEL_HISTORY_CAP + 5);
    expect(h[h.length - 1].version).toBe(6);
  });

  it('honours a smaller cap', () => {
    expect(appendHistory([entry(1), entry(2)], entry(3), 2).map((e) => e.version)).toEqual([3, 1]);
  });
});

describe('readModelHistory', () => {
  it('returns [] for missing or non-array values', () => {
    expect(readModelHistory(undefined)).toEqual([]);
    expect(readModelHistory({})).toEqual([]);
  });

  it('drops malformed entries and cleans fields of hand-edited settings', () => {
    const h = readModelHistory([
      null,
      { version: 'x', publishedAt: '2026' },
      { version: 2, publishedAt: '2026-01-01', features: ['a', 3], validationAp: 'high', source: 'classifier' },
    ]);
    expect(h).toEqual([
      {
        version: 2,
        publishedAt: '2026-01-01',
        publishedBy: '',
        features: ['a'],
        validationAp: undefined,
        anomalyEvents: undefined,
        source: 'classifier',
      },
    ]);
  });

  it('numbers the next version after the highest stored one', () => {
    expect(nextHistoryVersion([])).toBe(1);
    expect(nextHistoryVersion([entry(3), entry(9), entry(5)])).toBe(10);
  });
});

describe('modelInUse', () => {
  it('names the bundled default when no model is published', () => {
    expect(modelInUse({})).toEqual({ kind: 'default', features: [], hasPrevious: false });
    expect(modelInUse(undefined).kind).toBe('default');
    expect(modelInUse({ model: null, modelPrevious: null }).kind).toBe('default');
  });

  it('summarises a published model and whether a rollback is possible', () => {
    const u = modelInUse({ model: doc({ ap: 0.5, enabled: false }), modelPrevious: doc() });
    expect(u).toMatchObject({ kind: 'published', features: ['jobs_idle', 'jobs_held'], validationAp: 0.5 });
    expect(u.source).toBe('surprise');
    expect(u.hasPrevious).toBe(true);
  });
});
