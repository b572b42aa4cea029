/** @jest-environment node */
import { EsHttpError, EsSeedError, type EsSeedReport } from '../../core/seed/esReport';
import { describeEsEvent, esFailureText } from './seed';

function report(days: Array<[number, number]>): EsSeedReport {
  const counts = days.map(([expected, actual], i) => ({ index: `x-2024.01.0${i + 1}`, expected, actual }));
  return {
    documents: 10,
    batches: 1,
    retriedRequests: 0,
    retriedItems: 0,
    failedCount: 0,
    failures: [],
    days: counts,
    mismatches: counts.filter((d) => d.actual !== d.expected),
    verified: true,
    elapsedMs: 1,
    docsPerSecond: 1,
    ok: false,
  };
}

describe('seed command wording', () => {
  it('names --fresh when a day holds more documents than generated', () => {
    const text = esFailureText(new EsSeedError('document counts differ', report([[5, 7]])));
    expect(text).toBe(
      'document counts differ\n' +
        '  (more documents than generated: the range was seeded before with another seed or scale; rerun with --fresh)'
    );
    expect(esFailureText(new EsSeedError('document counts differ', report([[5, 3]])))).toBe('document counts differ');
  });

  it('names --batch-size when a request is too large', () => {
    expect(esFailureText(new EsHttpError('PUT _index_template/t', 413, 'body'))).toBe(
      'PUT _index_template/t failed: HTTP 413 (request too large: lower --batch-size): body'
    );
    expect(esFailureText(new EsHttpError('_count x', 500, 'oops'))).toBe('_count x failed: HTTP 500: oops');
  });

  it('words the loader events as before', () => {
    expect(describeEsEvent({ type: 'template', name: 'gridsentinel-x', indexPattern: 'x-*' })).toBe(
      'index template gridsentinel-x → x-*'
    );
    expect(describeEsEvent({ type: 'deleted', indices: 3 })).toBe('deleted 3 daily indices of the range (--fresh)');
    expect(describeEsEvent({ type: 'itemsRejected', count: 4, retryInMs: 500 })).toBe(
      '4 documents rejected with 429, retrying in 500 ms'
    );
  });
});
