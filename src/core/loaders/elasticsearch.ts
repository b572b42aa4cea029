/**
 * Loads generated HTCondor events into Elasticsearch/OpenSearch with `_bulk` (fetch only, so it runs
 * in Node and browsers): index template, idempotent ids, retries with backoff on 429/5xx and on
 * per-item 429 rejections, failures reported (never dropped), and a final `_count` check per day.
 */
import type { GeneratedGrid } from '../generator/simulate';
import {
  DEFAULT_INDEX_PREFIX,
  dailyIndex,
  eventIndexTemplate,
  expectedDailyCounts,
  gridDocuments,
  templateNameFor,
  type IndexedDocument,
} from './esDocuments';

export interface EsProgress {
  sent: number;
  total: number;
  elapsedMs: number;
  docsPerSecond: number;
  retriedItems: number;
}

export interface EsSeedOptions {
  /** Base URL, e.g. http://localhost:9200 (user:password@ in the URL becomes Basic auth). */
  url: string;
  indexPrefix?: string;
  templateName?: string;
  templatePriority?: number;
  /** Index settings in the template; default 1 shard, 0 replicas (single-node demo clusters). */
  indexSettings?: Record<string, unknown>;
  /** Documents per _bulk request (default 5000). */
  batchSize?: number;
  /** Parallel _bulk requests (default 2). */
  concurrency?: number;
  /** Retries of one request or of rejected items (default 8). */
  maxRetries?: number;
  /** First backoff; doubles per retry up to 10 s (default 250 ms). */
  backoffMs?: number;
  /** Delete the daily indices of the seeded range first. */
  fresh?: boolean;
  /** Refresh and compare `_count` per day with the generated totals (default true). */
  verify?: boolean;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (p: EsProgress) => void;
  log?: (message: string) => void;
}

export interface EsItemFailure {
  index: string;
  id: string;
  status: number;
  error: string;
}

export interface EsDayCount {
  index: string;
  expected: number;
  actual: number;
}

export interface EsSeedReport {
  documents: number;
  batches: number;
  /** Whole requests retried (HTTP 429/5xx or network errors). */
  retriedRequests: number;
  /** Documents re-sent after a per-item 429. */
  retriedItems: number;
  failedCount: number;
  /** First failures (at most 50). */
  failures: EsItemFailure[];
  days: EsDayCount[];
  mismatches: EsDayCount[];
  verified: boolean;
  elapsedMs: number;
  docsPerSecond: number;
  ok: boolean;
}

export class EsSeedError extends Error {
  constructor(
    message: string,
    readonly report?: EsSeedReport
  ) {
    super(message);
  }
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);
const MAX_FAILURES_KEPT = 50;

interface Client {
  request(
    method: string,
    path: string,
    body?: string,
    contentType?: string
  ): Promise<{ status: number; json: any; text: string }>;
  retriedRequests: number;
}

function makeClient(o: EsSeedOptions, sleep: (ms: number) => Promise<void>): Client {
  const parsed = new URL(o.url);
  const headers: Record<string, string> = { ...o.headers };
  if (parsed.username || parsed.password) {
    // fetch refuses URLs with credentials: move them into a header.
    headers.authorization = `Basic ${btoa(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`)}`;
    parsed.username = '';
    parsed.password = '';
  }
  const base = parsed.toString().replace(/\/+$/, '');
  const doFetch = o.fetch ?? fetch;
  const maxRetries = o.maxRetries ?? 8;
  const client: Client = {
    retriedRequests: 0,
    async request(method, path, body, contentType = 'application/json') {
      for (let attempt = 0; ; attempt++) {
        let res: Response;
        try {
          res = await doFetch(`${base}${path}`, {
            method,
            headers: body === undefined ? headers : { ...headers, 'content-type': contentType },
            body,
          });
        } catch (err) {
          if (attempt >= maxRetries) {
            throw new EsSeedError(
              `${method} ${path}: ${(err as Error).message} (gave up after ${attempt + 1} attempts)`
            );
          }
          client.retriedRequests++;
          await sleep(backoff(o, attempt));
          continue;
        }
        const text = await res.text();
        if (RETRY_STATUS.has(res.status) && attempt < maxRetries) {
          client.retriedRequests++;
          await sleep(backoff(o, attempt));
          continue;
        }
        let json: any = undefined;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        return { status: res.status, json, text };
      }
    },
  };
  return client;
}

function backoff(o: EsSeedOptions, attempt: number): number {
  return Math.min(10_000, (o.backoffMs ?? 250) * 2 ** attempt);
}

function describeError(e: unknown): string {
  if (e && typeof e === 'object') {
    const err = e as { type?: string; reason?: string; caused_by?: { reason?: string } };
    return [err.type, err.reason, err.caused_by?.reason].filter(Boolean).join(': ') || JSON.stringify(e);
  }
  return String(e);
}

function expectOk(r: { status: number; text: string }, what: string, allow404 = false): void {
  if (r.status >= 200 && r.status < 300) {
    return;
  }
  if (allow404 && r.status === 404) {
    return;
  }
  const hint = r.status === 413 ? ' (request too large: lower --batch-size)' : '';
  throw new EsSeedError(`${what} failed: HTTP ${r.status}${hint}: ${r.text.slice(0, 500)}`);
}

/** Creates or replaces the index template for the prefix. */
export async function putEventTemplate(o: EsSeedOptions): Promise<string> {
  const client = makeClient(o, o.sleep ?? defaultSleep);
  return putTemplate(client, o);
}

async function putTemplate(client: Client, o: EsSeedOptions): Promise<string> {
  const prefix = o.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const name = o.templateName ?? templateNameFor(prefix);
  const body = eventIndexTemplate(prefix, { priority: o.templatePriority, settings: o.indexSettings });
  const r = await client.request('PUT', `/_index_template/${encodeURIComponent(name)}`, JSON.stringify(body));
  expectOk(r, `PUT _index_template/${name}`);
  return name;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Daily indices touched by the grid's hours. */
export function gridIndices(g: GeneratedGrid, indexPrefix = DEFAULT_INDEX_PREFIX): string[] {
  const set = new Set<string>();
  for (const t of g.times) {
    set.add(dailyIndex(indexPrefix, t));
  }
  return [...set];
}

/**
 * Loads every document of the grid. Throws EsSeedError (with the report attached) when any document
 * could not be indexed or the final per-day counts differ from the generated ones.
 */
export async function seedElasticsearch(g: GeneratedGrid, o: EsSeedOptions): Promise<EsSeedReport> {
  const t0 = Date.now();
  const sleep = o.sleep ?? defaultSleep;
  const log = o.log ?? (() => undefined);
  const client = makeClient(o, sleep);
  const prefix = o.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const batchSize = o.batchSize ?? 5000;
  const concurrency = Math.max(1, o.concurrency ?? 2);
  const maxRetries = o.maxRetries ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EsSeedError(`batch size must be a positive integer, got ${batchSize}`);
  }
  const expected = expectedDailyCounts(g, prefix);
  const total = [...expected.values()].reduce((a, b) => a + b, 0);

  const template = await putTemplate(client, o);
  log(`index template ${template} → ${prefix}*`);
  if (o.fresh) {
    const indices = gridIndices(g, prefix);
    for (let i = 0; i < indices.length; i += 50) {
      const part = indices.slice(i, i + 50).join(',');
      const r = await client.request('DELETE', `/${part}?ignore_unavailable=true`);
      expectOk(r, `DELETE ${part}`, true);
    }
    log(`deleted ${indices.length} daily indices of the range (--fresh)`);
  }

  const report: EsSeedReport = {
    documents: total,
    batches: 0,
    retriedRequests: 0,
    retriedItems: 0,
    failedCount: 0,
    failures: [],
    days: [],
    mismatches: [],
    verified: false,
    elapsedMs: 0,
    docsPerSecond: 0,
    ok: false,
  };
  let sent = 0;
  const docs = gridDocuments(g, prefix);
  const nextBatch = (): IndexedDocument[] => {
    const batch: IndexedDocument[] = [];
    while (batch.length < batchSize) {
      const r = docs.next();
      if (r.done) {
        break;
      }
      batch.push(r.value);
    }
    return batch;
  };
  const fail = (d: IndexedDocument, status: number, error: string) => {
    report.failedCount++;
    if (report.failures.length < MAX_FAILURES_KEPT) {
      report.failures.push({ index: d.index, id: d.id, status, error });
    }
  };

  const sendBatch = async (batch: IndexedDocument[]) => {
    let pending = batch;
    for (let round = 0; pending.length > 0; round++) {
      const body = pending
        .map(
          (d) =>
            `{"index":{"_index":${JSON.stringify(d.index)},"_id":${JSON.stringify(d.id)}}}\n${JSON.stringify(d.doc)}\n`
        )
        .join('');
      const r = await client.request(
        'POST',
        '/_bulk?filter_path=errors,items.*._id,items.*.status,items.*.error',
        body,
        'application/x-ndjson'
      );
      if (r.status < 200 || r.status >= 300 || !r.json) {
        const hint = r.status === 413 ? ' (request too large: lower the batch size)' : '';
        throw new EsSeedError(`_bulk failed: HTTP ${r.status}${hint}: ${r.text.slice(0, 500)}`, report);
      }
      if (!r.json.errors) {
        return;
      }
      const items: any[] = r.json.items ?? [];
      if (items.length !== pending.length) {
        throw new EsSeedError(`_bulk answered ${items.length} items for ${pending.length} documents`, report);
      }
      const retry: IndexedDocument[] = [];
      items.forEach((item, i) => {
        const res = item.index ?? item.create ?? Object.values(item)[0];
        const status: number = res?.status ?? 0;
        if (status >= 200 && status < 300) {
          return;
        }
        if (status === 429) {
          retry.push(pending[i]);
        } else {
          fail(pending[i], status, describeError(res?.error));
        }
      });
      if (retry.length === 0) {
        return;
      }
      if (round >= maxRetries) {
        for (const d of retry) {
          fail(d, 429, `still rejected (429) after ${maxRetries} retries`);
        }
        return;
      }
      report.retriedItems += retry.length;
      log(`${retry.length} documents rejected with 429, retrying in ${backoff(o, round)} ms`);
      await sleep(backoff(o, round));
      pending = retry;
    }
  };

  let aborted = false;
  const worker = async () => {
    for (;;) {
      if (aborted) {
        return;
      }
      const batch = nextBatch();
      if (batch.length === 0) {
        return;
      }
      await sendBatch(batch);
      report.batches++;
      sent += batch.length;
      const elapsedMs = Date.now() - t0;
      o.onProgress?.({
        sent,
        total,
        elapsedMs,
        docsPerSecond: sent / Math.max(elapsedMs / 1000, 1e-3),
        retriedItems: report.retriedItems,
      });
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: concurrency }, () =>
      worker().catch((err) => {
        // Stop the other workers from taking new batches; the error fails the whole load.
        aborted = true;
        throw err;
      })
    )
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) {
    const err = rejected.reason;
    if (err instanceof EsSeedError) {
      throw new EsSeedError(
        `${err.message}\n(${sent} of ${total} documents were indexed before the failure; rerunning resumes safely)`,
        report
      );
    }
    throw err;
  }
  report.retriedRequests = client.retriedRequests;
  report.elapsedMs = Date.now() - t0;
  report.docsPerSecond = total / Math.max(report.elapsedMs / 1000, 1e-3);

  if (o.verify ?? true) {
    report.days = await countPerDay(client, g, prefix, expected);
    report.mismatches = report.days.filter((d) => d.actual !== d.expected);
    report.verified = true;
  }
  report.ok = report.failedCount === 0 && report.mismatches.length === 0;
  if (!report.ok) {
    throw new EsSeedError(formatEsFailure(report), report);
  }
  return report;
}

/** `_count` per daily index, restricted to the grid's time range so neighbouring data does not count. */
async function countPerDay(
  client: Client,
  g: GeneratedGrid,
  prefix: string,
  expected: Map<string, number>
): Promise<EsDayCount[]> {
  const indices = [...expected.keys()];
  for (let i = 0; i < indices.length; i += 50) {
    const part = indices.slice(i, i + 50).join(',');
    const r = await client.request('POST', `/${part}/_refresh?ignore_unavailable=true&allow_no_indices=true`);
    expectOk(r, `_refresh ${part}`, true);
  }
  const query = JSON.stringify({
    query: {
      range: {
        '@timestamp': {
          gte: new Date(g.start).toISOString(),
          lt: new Date(g.start + g.hours * g.stepMs).toISOString(),
        },
      },
    },
  });
  const out: EsDayCount[] = [];
  for (const index of indices) {
    const r = await client.request('POST', `/${index}/_count?ignore_unavailable=true&allow_no_indices=true`, query);
    let actual = 0;
    if (r.status === 404) {
      actual = 0;
    } else {
      expectOk(r, `_count ${index}`);
      actual = Number(r.json?.count ?? NaN);
    }
    out.push({ index, expected: expected.get(index) ?? 0, actual });
  }
  return out;
}

export function formatEsFailure(r: EsSeedReport): string {
  const lines: string[] = [];
  if (r.failedCount > 0) {
    lines.push(`${r.failedCount} of ${r.documents} documents could not be indexed:`);
    for (const f of r.failures.slice(0, 10)) {
      lines.push(`  ${f.index}/${f.id}: HTTP ${f.status} ${f.error}`);
    }
    if (r.failedCount > 10) {
      lines.push(`  ... and ${r.failedCount - 10} more`);
    }
  }
  if (r.mismatches.length > 0) {
    lines.push(`document counts differ from the generated ones in ${r.mismatches.length} daily index(es):`);
    lines.push(`  ${'index'.padEnd(32)} ${'expected'.padStart(10)} ${'actual'.padStart(10)} ${'diff'.padStart(8)}`);
    for (const m of r.mismatches.slice(0, 20)) {
      lines.push(
        `  ${m.index.padEnd(32)} ${String(m.expected).padStart(10)} ${String(m.actual).padStart(10)} ${String(m.actual - m.expected).padStart(8)}`
      );
    }
    if (r.mismatches.length > 20) {
      lines.push(`  ... and ${r.mismatches.length - 20} more`);
    }
    if (r.mismatches.some((m) => m.actual > m.expected)) {
      lines.push(
        '  (more documents than generated: the range was seeded before with another seed or scale; rerun with --fresh)'
      );
    }
  }
  return lines.join('\n');
}
