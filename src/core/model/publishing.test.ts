import defaultModel from '../../datasource/model/default-model.json';
import type { ModelDocument } from './modelDocument';
import { MODEL_HISTORY_CAP, type ModelHistoryEntry } from './modelHistory';
import { JSON_DATA_LIMIT, publishedJsonData, publishedModel } from './publishing';

const bundled = defaultModel as unknown as ModelDocument;
/** Two distinguishable documents (the history only reads metadata). */
const docA: ModelDocument = {
  ...bundled,
  classifier: { ...bundled.classifier, enabled: false },
  training: { ...bundled.training, anomalyEvents: 3, metrics: { validationAp: 0.25 } },
};
const docB: ModelDocument = {
  ...bundled,
  features: bundled.features.slice(0, 2),
  classifier: { ...bundled.classifier, enabled: true, withSurprise: false },
  training: { ...bundled.training, anomalyEvents: 7, metrics: { validationAp: 0.5 } },
};
const by = { publishedBy: 'alice', publishedAt: new Date('2026-03-04T05:06:07.000Z') };

describe('publishedJsonData: publish', () => {
  it('puts the model in use, keeps the other settings and records version 1', () => {
    const stored = { elasticsearchUrl: 'http://es:9200', stepSeconds: 3600 };
    const out = publishedJsonData(stored, { kind: 'publish', doc: docA }, by);
    expect(out).toEqual({
      elasticsearchUrl: 'http://es:9200',
      stepSeconds: 3600,
      model: docA,
      modelPrevious: null,
      modelHistory: [
        {
          version: 1,
          publishedAt: '2026-03-04T05:06:07.000Z',
          publishedBy: 'alice',
          features: docA.features,
          validationAp: 0.25,
          anomalyEvents: 3,
          source: 'surprise',
        },
      ],
    });
    // The stored settings are not modified in place.
    expect(stored).toEqual({ elasticsearchUrl: 'http://es:9200', stepSeconds: 3600 });
  });

  it('keeps the replaced model as the previous one and numbers the next version', () => {
    const first = publishedJsonData({}, { kind: 'publish', doc: docA }, by);
    const second = publishedJsonData(
      first,
      { kind: 'publish', doc: docB },
      { publishedBy: 'bob', publishedAt: new Date('2026-03-05T00:00:00Z') }
    );
    expect(second.model).toBe(docB);
    expect(second.modelPrevious).toBe(docA);
    const history = second.modelHistory as ModelHistoryEntry[];
    expect(history.map((e) => [e.version, e.publishedBy, e.source, e.features.length])).toEqual([
      [2, 'bob', 'classifier', 2],
      [1, 'alice', 'surprise', 13],
    ]);
    expect(history[0].rollback).toBeUndefined();
  });

  it('continues after the highest stored version and caps the history, dropping the oldest', () => {
    const stored = {
      model: docA,
      // Newest first, versions 30 down to 11 (20 entries), plus junk that is dropped.
      modelHistory: [
        ...Array.from({ length: MODEL_HISTORY_CAP }, (_, i) => ({
          version: 30 - i,
          publishedAt: '2026-01-01T00:00:00Z',
          publishedBy: 'x',
          features: [],
          source: 'surprise',
        })),
        { version: 'nope' },
      ],
    };
    const out = publishedJsonData(stored, { kind: 'publish', doc: docB }, by);
    const history = out.modelHistory as ModelHistoryEntry[];
    expect(MODEL_HISTORY_CAP).toBe(20);
    expect(history).toHaveLength(20);
    expect(history[0].version).toBe(31);
    expect(history[19].version).toBe(12);
  });

  it('refuses settings that would exceed 64 KiB', () => {
    const stored = { model: docA, notes: 'x'.repeat(JSON_DATA_LIMIT - 2 * JSON.stringify(docA).length + 2000) };
    // The stored settings themselves fit; the second model does not.
    expect(JSON.stringify(stored).length).toBeLessThan(JSON_DATA_LIMIT);
    expect(() => publishedJsonData(stored, { kind: 'publish', doc: docB }, by)).toThrow(
      'the settings with two models exceed 64 KiB, which some Grafana databases cannot store'
    );
    // Just under the limit is fine.
    const fits = { notes: 'x'.repeat(JSON_DATA_LIMIT - JSON.stringify(docB).length - 1000) };
    expect(() => publishedJsonData(fits, { kind: 'publish', doc: docB }, by)).not.toThrow();
  });
});

describe('publishedJsonData: rollback', () => {
  it('swaps the previous model back in and records a rollback entry', () => {
    const v1 = publishedJsonData({}, { kind: 'publish', doc: docA }, by);
    const v2 = publishedJsonData(v1, { kind: 'publish', doc: docB }, by);
    const back = publishedJsonData(
      v2,
      { kind: 'rollback' },
      { publishedBy: 'carol', publishedAt: new Date('2026-03-06T00:00:00Z') }
    );
    expect(back.model).toBe(docA);
    expect(back.modelPrevious).toBe(docB);
    const history = back.modelHistory as ModelHistoryEntry[];
    expect(history[0]).toEqual({
      version: 3,
      publishedAt: '2026-03-06T00:00:00.000Z',
      publishedBy: 'carol',
      features: docA.features,
      validationAp: 0.25,
      anomalyEvents: 3,
      source: 'surprise',
      rollback: true,
    });
    expect(history).toHaveLength(3);
  });

  it('fails clearly when there is nothing to roll back to', () => {
    const message = 'there is no previous model to roll back to (jsonData.modelPrevious is empty)';
    expect(() => publishedJsonData({}, { kind: 'rollback' }, by)).toThrow(message);
    expect(() => publishedJsonData({ model: docA, modelPrevious: null }, { kind: 'rollback' }, by)).toThrow(message);
    expect(() => publishedJsonData({ model: docA, modelPrevious: 'x' }, { kind: 'rollback' }, by)).toThrow(message);
  });
});

describe('publishedModel', () => {
  it('is null when no model is published (the bundled one is used)', () => {
    expect(publishedModel(undefined)).toBeNull();
    expect(publishedModel({})).toBeNull();
    expect(publishedModel({ model: null, modelPrevious: docA })).toBeNull();
    expect(publishedModel({ model: 'not an object' })).toBeNull();
  });

  it('gives the model and the newest history version', () => {
    const v2 = publishedJsonData(
      publishedJsonData({}, { kind: 'publish', doc: docA }, by),
      {
        kind: 'publish',
        doc: docB,
      },
      by
    );
    expect(publishedModel(v2)).toEqual({ model: docB, version: 2 });
  });

  it('has no version for a model put in by hand, without history', () => {
    expect(publishedModel({ model: docA })).toEqual({ model: docA, version: null });
  });
});
