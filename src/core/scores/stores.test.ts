import { HOUR_MS } from '../time';
import {
  bulkBody,
  parseBulkResponse,
  parseWrittenSteps,
  scoreDocument,
  scoreDocumentId,
  scoreIndexName,
  scoreIndexTemplate,
  writtenStepsQuery,
} from './elasticsearch';
import { carbonLines, parseWrittenMarkers, writtenStepsRender } from './graphite';
import { renderPrometheus } from './prometheus';
import type { StepScore } from './records';

const T = Date.UTC(2026, 2, 31, 23);
const model = { id: '0123456789abcdef', version: 4, origin: 'grafana:x' };

function step(timeMs: number, probability: number | null): StepScore {
  return {
    timeMs,
    probability,
    surprise: probability === null ? null : 1.5,
    source: probability === null ? null : 'classifier',
    topFeatures: probability === null ? [] : ['jobs.held'],
    features: { SubmitEvent: probability === null ? null : 12, 'jobs.held': probability === null ? null : 3 },
    featureSurprise: { SubmitEvent: probability === null ? null : 0.5, 'jobs.held': null },
    noData: probability === null,
  };
}

/** A step at or above the threshold, with its where (core/scores/where.ts). */
const alarming = (timeMs: number): StepScore => ({
  ...step(timeMs, 0.8),
  where: {
    text: 'JobHeldEvent +40 over typical, on jobsub02.fnal.gov +40; VO mu2e +40',
    schedd: 'jobsub02.fnal.gov',
    experiment: 'mu2e',
  },
});

describe('Elasticsearch score documents', () => {
  it('stores where (text, top schedd and VO) with the hours that have one only', () => {
    expect(scoreDocument('gp', HOUR_MS, alarming(T), model, T)).toMatchObject({
      where: 'JobHeldEvent +40 over typical, on jobsub02.fnal.gov +40; VO mu2e +40',
      whereSchedd: 'jobsub02.fnal.gov',
      whereExperiment: 'mu2e',
    });
    expect(Object.keys(scoreDocument('gp', HOUR_MS, step(T, 0.2), model, T))).not.toContain('where');
    const unavailable = scoreDocument(
      'gp',
      HOUR_MS,
      { ...step(T, 0.9), where: { text: 'unavailable (HTTP 503)' } },
      model,
      T
    );
    expect([unavailable.where, unavailable.whereSchedd, unavailable.whereExperiment]).toEqual([
      'unavailable (HTTP 503)',
      undefined,
      undefined,
    ]);
  });

  it('one monthly index per name, an id from name + hour + model version', () => {
    expect(scoreIndexName('gp', T)).toBe('gridsentinel-scores-gp-2026.03');
    expect(scoreIndexName('gp', T + HOUR_MS)).toBe('gridsentinel-scores-gp-2026.04');
    expect(scoreDocumentId('gp', T, model)).toBe('gp:2026-03-31T23:00:00.000Z:v4');
    expect(scoreDocumentId('gp', T, { ...model, version: null })).toBe('gp:2026-03-31T23:00:00.000Z:0123456789abcdef');
  });

  it('writes no data as null and feature names as field-safe keys', () => {
    const d = scoreDocument('gp', HOUR_MS, step(T, null), model, T + 2 * HOUR_MS);
    expect(d).toMatchObject({ hour: '2026-03-31T23:00:00.000Z', probability: null, surprise: null, noData: true });
    expect(d.features).toEqual({ SubmitEvent: null, jobs_held: null });
    expect(d.writtenAt).toBe('2026-04-01T01:00:00.000Z');
    const body = bulkBody([d, scoreDocument('gp', HOUR_MS, step(T + HOUR_MS, 0.25), model, T)], model).split('\n');
    expect(body).toHaveLength(5);
    expect(JSON.parse(body[0])).toEqual({
      index: { _index: 'gridsentinel-scores-gp-2026.03', _id: 'gp:2026-03-31T23:00:00.000Z:v4' },
    });
    expect(JSON.parse(body[3]).probability).toBe(0.25);
    expect(body[4]).toBe('');
  });

  it('counts only acknowledged items as written', () => {
    const docs = [step(T, 0.1), step(T + HOUR_MS, 0.2)].map((s) => scoreDocument('gp', HOUR_MS, s, model, T));
    const r = parseBulkResponse(docs, {
      items: [{ index: { status: 201 } }, { index: { status: 429, error: { type: 'es_rejected', reason: 'busy' } } }],
    });
    expect(r.written).toEqual([T]);
    expect(r.failed).toEqual([{ timeMs: T + HOUR_MS, reason: 'es_rejected: busy' }]);
    expect(() => parseBulkResponse(docs, { items: [] })).toThrow(/0 items for 2 documents/);
  });

  it('reads the written hours back from a date histogram, none when the index does not exist', () => {
    const q = writtenStepsQuery('gp', T, T + 5 * HOUR_MS, HOUR_MS) as {
      query: { bool: { filter: unknown[] } };
      aggs: { steps: { date_histogram: { fixed_interval: string } } };
    };
    expect(q.query.bool.filter[0]).toEqual({ term: { name: 'gp' } });
    expect(q.aggs.steps.date_histogram.fixed_interval).toBe('3600s');
    expect(parseWrittenSteps({ aggregations: { steps: { buckets: [{ key: T, doc_count: 2 }] } } })).toEqual(
      new Set([T])
    );
    expect(parseWrittenSteps({ hits: { total: { value: 0 } } })).toEqual(new Set());
    expect(() => parseWrittenSteps({ error: 'x' })).toThrow(/no aggregations/);
  });
});

describe('the score index template', () => {
  // Field path -> leaf value (or mapping), nested objects flattened.
  const leaves = (o: object, nested: (v: Record<string, unknown>) => unknown, prefix = ''): Array<[string, unknown]> =>
    Object.entries(o).flatMap(([k, v]) => {
      const inner = v !== null && typeof v === 'object' && !Array.isArray(v) ? nested(v) : undefined;
      return inner ? leaves(inner as object, nested, `${prefix}${k}.`) : [[`${prefix}${k}`, v]];
    });

  it('maps every field of a document by its kind; feature values and surprise as double', () => {
    const t = scoreIndexTemplate() as { index_patterns: string[]; template: { mappings: Record<string, unknown> } };
    expect(t.index_patterns).toEqual(['gridsentinel-scores-*']);
    const mapped = new Map(leaves(t.template.mappings.properties as object, (v) => v.properties));
    const { features, featureSurprise, ...plain } = scoreDocument('grid', HOUR_MS, alarming(T), model, T);
    expect(Object.keys(features).length + Object.keys(featureSurprise).length).toBeGreaterThan(0);
    const kinds: Record<string, string> = { keyword: 'string', date: 'string', integer: 'number', double: 'number' };
    const fields = leaves(plain, (v) => v);
    expect([...mapped.keys()].sort()).toEqual(fields.map(([k]) => k).sort());
    for (const [k, v] of fields) {
      const type = (mapped.get(k) as { type: string }).type;
      expect([k, kinds[type] ?? type]).toEqual([k, typeof (Array.isArray(v) ? v[0] : v)]);
    }
    expect([mapped.get('hour'), mapped.get('writtenAt')]).toEqual([{ type: 'date' }, { type: 'date' }]);
    expect(t.template.mappings.dynamic_templates).toEqual([
      { feature_values: { path_match: 'features.*', mapping: { type: 'double' } } },
      { feature_surprise: { path_match: 'featureSurprise.*', mapping: { type: 'double' } } },
    ]);
  });
});

describe('Graphite lines', () => {
  it('writes the values, then the scored marker last; no probability point for no data', () => {
    const text = carbonLines('gp', [step(T, null), step(T + HOUR_MS, 0.25)]);
    const ts = T / 1000;
    expect(text.split('\n')).toEqual([
      `gridsentinel.gp.scored 1 ${ts}`,
      `gridsentinel.gp.probability 0.25 ${ts + 3600}`,
      `gridsentinel.gp.surprise 1.5 ${ts + 3600}`,
      `gridsentinel.gp.features.SubmitEvent.surprise 0.5 ${ts + 3600}`,
      `gridsentinel.gp.scored 1 ${ts + 3600}`,
      '',
    ]);
  });

  it("writes 1 under the where's schedd and VO of an hour that has one, before the marker", () => {
    const lines = carbonLines('gp', [alarming(T)]).split('\n');
    expect(lines.slice(-4)).toEqual([
      `gridsentinel.gp.where.schedd.jobsub02_fnal_gov 1 ${T / 1000}`,
      `gridsentinel.gp.where.experiment.mu2e 1 ${T / 1000}`,
      `gridsentinel.gp.scored 1 ${T / 1000}`,
      '',
    ]);
  });

  it('reads markers back through the render API summarized to the step', () => {
    const params = new URLSearchParams(writtenStepsRender('gp', T, T + 3 * HOUR_MS, HOUR_MS));
    expect(params.get('target')).toBe('alias(summarize(gridsentinel.gp.scored,"3600s","max",true),"scored")');
    const got = parseWrittenMarkers(
      [
        {
          target: 'scored',
          datapoints: [
            [1, T / 1000],
            [null, T / 1000 + 3600],
            [1, T / 1000 + 7200],
          ],
        },
      ],
      HOUR_MS
    );
    expect(got).toEqual(new Set([T, T + 2 * HOUR_MS]));
    expect(parseWrittenMarkers([], HOUR_MS)).toEqual(new Set());
    expect(() => parseWrittenMarkers({}, HOUR_MS)).toThrow(/not a JSON array/);
  });
});

describe('Prometheus text', () => {
  it('one HELP and TYPE per family, escaped labels, trailing newline', () => {
    const text = renderPrometheus([
      { name: 'a_seconds', help: 'A\nB', type: 'gauge', samples: [{ labels: { store: 'x"y' }, value: 1.5 }] },
      { name: 'b_total', help: 'B', type: 'counter', samples: [{ value: NaN }] },
    ]);
    expect(text).toBe(
      '# HELP a_seconds A\\nB\n# TYPE a_seconds gauge\na_seconds{store="x\\"y"} 1.5\n' +
        '# HELP b_total B\n# TYPE b_total counter\nb_total NaN\n'
    );
    expect(() => renderPrometheus([{ name: 'bad-name', help: '', type: 'gauge', samples: [] }])).toThrow(/invalid/);
  });
});
