/** @jest-environment node */
import { generateGrid, type GeneratedGrid } from '../generator';
import { gridDocuments } from './esDocuments';
import { seedElasticsearch, type EsSeedEvent, type EsSeedOptions } from './elasticsearch';
import { EsHttpError, EsSeedError, hasSurplusDocuments } from './esReport';

const START = '2024-05-30T20:00:00Z'; // crosses a day (and month) boundary

function grid(hours = 30): GeneratedGrid {
  return generateGrid({ start: START, hours, seed: 4, scale: 0.01, outageRatePerWeek: 0, gapRatePerWeek: 0 });
}

/** In-memory stand-in for the few ES endpoints the loader uses, with hooks to inject failures. */
interface StoredDoc {
  '@timestamp': string;
}
interface BulkAction {
  _index: string;
  _id: string;
}
interface CountQuery {
  query: { range: { '@timestamp': { gte: string; lt: string } } };
}

class FakeEs {
  store = new Map<string, Map<string, StoredDoc>>();
  templates = new Map<string, { index_patterns: string[] }>();
  calls: Array<{ method: string; path: string; headers: Record<string, string> }> = [];
  /** Whole-request status to answer for the next N _bulk calls. */
  bulkHttpErrors: number[] = [];
  /** (id, attempt) → item status to answer instead of indexing. */
  itemStatus: (id: string, attempt: number) => number | undefined = () => undefined;
  attempts = new Map<string, number>();
  countSkew = 0;
  networkErrors = 0;
  /** The code Node's fetch puts on the cause of its "fetch failed". */
  networkErrorCode = 'UND_ERR_CONNECT_TIMEOUT';

  fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    this.calls.push({
      method,
      path: url.pathname + url.search,
      headers: (init?.headers ?? {}) as Record<string, string>,
    });
    if (this.networkErrors > 0) {
      this.networkErrors--;
      const cause = Object.assign(new Error(`connect ${this.networkErrorCode}`), { code: this.networkErrorCode });
      throw Object.assign(new TypeError('fetch failed'), { cause });
    }
    const body = init?.body === undefined ? undefined : String(init.body);
    const json = (status: number, obj: unknown) =>
      new Response(JSON.stringify(obj), { status, headers: { 'content-type': 'application/json' } });
    const parts = url.pathname.split('/').filter(Boolean);
    if (method === 'PUT' && parts[0] === '_index_template') {
      this.templates.set(parts[1], JSON.parse(body!) as { index_patterns: string[] });
      return json(200, { acknowledged: true });
    }
    if (method === 'DELETE') {
      for (const idx of parts[0].split(',')) {
        this.store.delete(idx);
      }
      return json(200, { acknowledged: true });
    }
    if (parts[0] === '_bulk') {
      const status = this.bulkHttpErrors.shift();
      if (status) {
        return json(status, { error: { type: 'es_rejected_execution_exception', reason: 'rejected' }, status });
      }
      const lines = body!.split('\n').filter(Boolean);
      const items: unknown[] = [];
      let errors = false;
      for (let i = 0; i < lines.length; i += 2) {
        const action = (JSON.parse(lines[i]) as { index: BulkAction }).index;
        const doc = JSON.parse(lines[i + 1]) as StoredDoc;
        const attempt = this.attempts.get(action._id) ?? 0;
        this.attempts.set(action._id, attempt + 1);
        const forced = this.itemStatus(action._id, attempt);
        if (forced) {
          errors = true;
          items.push({
            index: {
              _id: action._id,
              status: forced,
              error: {
                type: forced === 429 ? 'es_rejected_execution_exception' : 'mapper_parsing_exception',
                reason: 'nope',
              },
            },
          });
          continue;
        }
        if (!this.store.has(action._index)) {
          this.store.set(action._index, new Map());
        }
        this.store.get(action._index)!.set(action._id, doc);
        items.push({ index: { _id: action._id, status: 201 } });
      }
      return json(200, { errors, items });
    }
    if (parts[1] === '_refresh') {
      return json(200, { _shards: {} });
    }
    if (parts[1] === '_count') {
      const q = (JSON.parse(body!) as CountQuery).query.range['@timestamp'];
      const docs = this.store.get(parts[0]);
      let count = 0;
      for (const d of docs?.values() ?? []) {
        if (d['@timestamp'] >= q.gte && d['@timestamp'] < q.lt) {
          count++;
        }
      }
      return json(200, { count: count + this.countSkew });
    }
    return json(400, { error: `unexpected ${method} ${url.pathname}` });
  }) as typeof fetch;

  total(): number {
    let n = 0;
    for (const m of this.store.values()) {
      n += m.size;
    }
    return n;
  }
}

describe('seedElasticsearch', () => {
  const g = grid(30);
  const total = Array.from(g.totals).reduce((a, b) => a + b, 0);
  /** The EsSeedError a load fails with. */
  const failure = async (o: EsSeedOptions): Promise<EsSeedError> => {
    const err: unknown = await seedElasticsearch(g, o).then(
      () => undefined,
      (e: unknown) => e
    );
    if (!(err instanceof EsSeedError)) {
      throw new Error(`expected an EsSeedError, got ${String(err)}`);
    }
    return err;
  };
  const opts = (es: FakeEs, extra: Partial<EsSeedOptions> = {}): EsSeedOptions => ({
    url: 'http://es.test:9200',
    indexPrefix: 'test-',
    batchSize: 100,
    fetch: es.fetch,
    sleep: async () => undefined,
    ...extra,
  });

  it('loads everything, puts the template and verifies the per-day counts', async () => {
    const es = new FakeEs();
    const progress: number[] = [];
    const r = await seedElasticsearch(g, opts(es, { onProgress: (p) => progress.push(p.sent) }));
    expect(r.ok).toBe(true);
    expect(r.documents).toBe(total);
    expect(es.total()).toBe(total);
    expect(es.templates.get('gridsentinel-test')?.index_patterns).toEqual(['test-*']);
    expect(r.days.map((d) => d.index)).toEqual(['test-2024.05.30', 'test-2024.05.31', 'test-2024.06.01']);
    expect(r.days.every((d) => d.expected === d.actual)).toBe(true);
    expect(progress[progress.length - 1]).toBe(total);
    expect(r.batches).toBe(Math.ceil(total / 100));
  });

  it('is idempotent: loading twice leaves the same documents', async () => {
    const es = new FakeEs();
    await seedElasticsearch(g, opts(es));
    const r = await seedElasticsearch(g, opts(es, { concurrency: 3 }));
    expect(r.ok).toBe(true);
    expect(es.total()).toBe(total);
  });

  it('retries whole requests answered 429/503 and network errors', async () => {
    const es = new FakeEs();
    es.bulkHttpErrors = [429, 503];
    es.networkErrors = 1; // hits the template PUT
    const sleeps: number[] = [];
    const r = await seedElasticsearch(g, opts(es, { sleep: async (ms) => void sleeps.push(ms), backoffMs: 100 }));
    expect(r.ok).toBe(true);
    expect(r.retriedRequests).toBe(3);
    expect(es.total()).toBe(total);
    expect(sleeps.slice(0, 2)).toEqual([100, 100]);
  });

  it('fails at once, naming the cause, on a refused connection or an unknown host; retries timeouts with a line each', async () => {
    for (const [code, said] of [
      ['ECONNREFUSED', /connection refused by es\.test:9200 \(ECONNREFUSED\)/],
      ['ENOTFOUND', /unknown host es\.test \(ENOTFOUND\)/],
    ] as const) {
      const es = new FakeEs();
      es.networkErrors = 5;
      es.networkErrorCode = code;
      const sleeps: number[] = [];
      const err = await seedElasticsearch(g, opts(es, { sleep: async (ms) => void sleeps.push(ms) })).catch((e) => e);
      expect(err.message).toMatch(said);
      expect({ calls: es.calls.length, sleeps }).toEqual({ calls: 1, sleeps: [] });
    }
    const es = new FakeEs();
    es.networkErrors = 2;
    es.networkErrorCode = 'UND_ERR_HEADERS_TIMEOUT';
    const events: EsSeedEvent[] = [];
    const r = await seedElasticsearch(g, opts(es, { backoffMs: 100, onEvent: (e) => events.push(e) }));
    expect(r.ok).toBe(true);
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      {
        type: 'retry',
        what: 'PUT /_index_template/gridsentinel-test',
        reason: 'timed out (UND_ERR_HEADERS_TIMEOUT)',
        attempt: 1,
        maxRetries: 8,
        retryInMs: 100,
      },
      {
        type: 'retry',
        what: 'PUT /_index_template/gridsentinel-test',
        reason: 'timed out (UND_ERR_HEADERS_TIMEOUT)',
        attempt: 2,
        maxRetries: 8,
        retryInMs: 200,
      },
    ]);
  });

  it('does not retry HTTP 502 (only 429, 503 and 504 may pass)', async () => {
    const es = new FakeEs();
    es.bulkHttpErrors = [502];
    const err = await seedElasticsearch(g, opts(es, { concurrency: 1 })).catch((e) => e);
    expect(err.message).toMatch(/_bulk failed: HTTP 502/);
    expect(es.calls.filter((c) => c.path.startsWith('/_bulk'))).toHaveLength(1);
  });

  it('backs off exponentially', async () => {
    const es = new FakeEs();
    es.bulkHttpErrors = [429, 429, 429];
    const sleeps: number[] = [];
    await seedElasticsearch(g, opts(es, { concurrency: 1, sleep: async (ms) => void sleeps.push(ms), backoffMs: 100 }));
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('re-sends only the items rejected with 429, never drops them', async () => {
    const es = new FakeEs();
    let rejected = 0;
    es.itemStatus = (id, attempt) => (attempt < 2 && id.endsWith('-0') ? (rejected++, 429) : undefined);
    const r = await seedElasticsearch(g, opts(es));
    expect(rejected).toBeGreaterThan(0);
    expect(r.retriedItems).toBe(rejected);
    expect(r.ok).toBe(true);
    expect(es.total()).toBe(total);
  });

  it('reports items failing for other reasons and fails', async () => {
    const es = new FakeEs();
    es.itemStatus = (id) => (id.endsWith('-3') ? 400 : undefined);
    const err = await failure(opts(es));
    const bad = [...gridDocuments(g, 'test-')].filter((d) => d.id.endsWith('-3')).length;
    expect(err.report!.failedCount).toBe(bad);
    expect(err.report!.failures[0]).toMatchObject({
      status: 400,
      error: expect.stringContaining('mapper_parsing_exception'),
    });
    expect(err.message).toMatch(new RegExp(`${bad} of ${total} documents could not be indexed`));
    // The missing documents also show up in the count check.
    expect(err.report!.mismatches.length).toBeGreaterThan(0);
  });

  it('gives up on items still rejected after maxRetries, and says so', async () => {
    const es = new FakeEs();
    const stuck = [...gridDocuments(g, 'test-')][5].id;
    es.itemStatus = (id) => (id === stuck ? 429 : undefined);
    const err = await failure(opts(es, { maxRetries: 3 }));
    expect(err.report!.failedCount).toBe(1);
    expect(err.report!.failures[0].error).toMatch(/still rejected \(429\) after 3 retries/);
  });

  it('fails with a per-day mismatch report when counts differ', async () => {
    const es = new FakeEs();
    es.countSkew = 2;
    const err = await failure(opts(es));
    expect(err.report!.mismatches).toHaveLength(3);
    expect(err.message).toMatch(/counts differ .* in 3 daily index/);
    expect(err.message).toMatch(/test-2024\.05\.31\s+\d+\s+\d+\s+2/);
    // More documents than generated: the CLI advises --fresh.
    expect(hasSurplusDocuments(err.report!)).toBe(true);
    expect(err.message).not.toMatch(/--/);
  });

  it('fails clearly when a request keeps failing', async () => {
    const es = new FakeEs();
    es.bulkHttpErrors = [503, 503, 503];
    const err = await failure(opts(es, { maxRetries: 2, concurrency: 1 }));
    expect(err.message).toMatch(/_bulk failed: HTTP 503/);
    expect(err.message).toMatch(/rerunning resumes safely/);
  });

  it('fresh deletes the range indices first; credentials in the URL become Basic auth', async () => {
    const es = new FakeEs();
    es.store.set('test-2024.05.31', new Map([['stale', { '@timestamp': '2024-05-31T01:00:00.000Z' }]]));
    const r = await seedElasticsearch(g, opts(es, { fresh: true, url: 'http://elastic:s%40cret@es.test:9200/' }));
    expect(r.ok).toBe(true);
    expect(es.calls.some((c) => c.method === 'DELETE' && c.path.includes('test-2024.05.31'))).toBe(true);
    expect(es.calls[0].headers.authorization).toBe(`Basic ${btoa('elastic:s@cret')}`);
    expect(es.calls.every((c) => !c.path.includes('elastic'))).toBe(true);
  });

  it('reports the template, the deletion and 429 retries as events', async () => {
    const es = new FakeEs();
    es.itemStatus = (id, attempt) => (attempt === 0 && id.endsWith('-1') ? 429 : undefined);
    const events: EsSeedEvent[] = [];
    await seedElasticsearch(g, opts(es, { fresh: true, concurrency: 1, onEvent: (e) => events.push(e) }));
    expect(events[0]).toEqual({ type: 'template', name: 'gridsentinel-test', indexPattern: 'test-*' });
    expect(events[1]).toEqual({ type: 'deleted', indices: 3 });
    expect(events.slice(2).length).toBeGreaterThan(0);
    expect(events.slice(2).every((e) => e.type === 'itemsRejected' && e.count > 0 && e.retryInMs === 250)).toBe(true);
  });

  it('a request other than _bulk answered 413 fails with EsHttpError', async () => {
    const es = new FakeEs();
    const fakeFetch = es.fetch;
    es.fetch = (async (input: RequestInfo | URL, init?: RequestInit) =>
      init?.method === 'PUT' ? new Response('too big', { status: 413 }) : fakeFetch(input, init)) as typeof fetch;
    const err = await failure(opts(es));
    expect(err).toBeInstanceOf(EsHttpError);
    expect(err).toMatchObject({ what: 'PUT _index_template/gridsentinel-test', status: 413, body: 'too big' });
    expect(err.message).toBe('PUT _index_template/gridsentinel-test failed: HTTP 413 (request too large): too big');
  });
});
