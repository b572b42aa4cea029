/**
 * Loads generated HTCondor events into Elasticsearch/OpenSearch: index template, optional deletion of
 * the range's daily indices, `_bulk` with idempotent ids, then a `_count` check per day. Fetch only,
 * so it runs in Node and browsers.
 */
import type { GeneratedGrid } from '../generator/simulate';
import { bulkIndex } from './esBulk';
import { DEFAULT_INDEX_PREFIX, expectedDailyCounts, gridDocuments, gridIndices } from './esDocuments';
import { DEFAULT_MAX_RETRIES, defaultSleep, expectOk, makeEsClient, type EsHttpOptions, type EsRetry } from './esHttp';
import { EsSeedError, formatEsFailure, type EsSeedReport } from './esReport';
import { putTemplate, templateNameFor } from './esTemplate';
import { countPerDay } from './esVerify';

export interface EsProgress {
  sent: number;
  total: number;
  elapsedMs: number;
  docsPerSecond: number;
  retriedItems: number;
}

/** What the load reports along the way; the caller words it. */
export type EsSeedEvent =
  | { type: 'template'; name: string; indexPattern: string }
  | { type: 'deleted'; indices: number }
  | { type: 'itemsRejected'; count: number; retryInMs: number }
  | ({ type: 'retry' } & EsRetry);

export interface EsSeedOptions extends EsHttpOptions {
  indexPrefix?: string;
  templateName?: string;
  templatePriority?: number;
  /** Index settings in the template; default 1 shard, 0 replicas (single-node demo clusters). */
  indexSettings?: Record<string, unknown>;
  /** Documents per _bulk request (default 5000). */
  batchSize?: number;
  /** Parallel _bulk requests (default 2). */
  concurrency?: number;
  /** Delete the daily indices of the seeded range first. */
  fresh?: boolean;
  /** Refresh and compare `_count` per day with the generated totals (default true). */
  verify?: boolean;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (p: EsProgress) => void;
  onEvent?: (e: EsSeedEvent) => void;
}

/**
 * Loads every document of the grid. Throws EsSeedError (with the report attached) when any document
 * could not be indexed or the final per-day counts differ from the generated ones.
 */
export async function seedElasticsearch(g: GeneratedGrid, o: EsSeedOptions): Promise<EsSeedReport> {
  const t0 = Date.now();
  const sleep = o.sleep ?? defaultSleep;
  const client = makeEsClient(
    {
      ...o,
      onRetry: (r) => {
        o.onRetry?.(r);
        o.onEvent?.({ type: 'retry', ...r });
      },
    },
    sleep
  );
  const prefix = o.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const batchSize = o.batchSize ?? 5000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EsSeedError(`batch size must be a positive integer, got ${batchSize}`);
  }
  const expected = expectedDailyCounts(g, prefix);
  const total = [...expected.values()].reduce((a, b) => a + b, 0);

  const template = await putTemplate(client, prefix, o.templateName ?? templateNameFor(prefix), {
    priority: o.templatePriority,
    settings: o.indexSettings,
  });
  o.onEvent?.({ type: 'template', name: template, indexPattern: `${prefix}*` });
  if (o.fresh) {
    const indices = gridIndices(g, prefix);
    for (let i = 0; i < indices.length; i += 50) {
      const part = indices.slice(i, i + 50).join(',');
      const r = await client.request('DELETE', `/${part}?ignore_unavailable=true`);
      expectOk(r, `DELETE ${part}`, true);
    }
    o.onEvent?.({ type: 'deleted', indices: indices.length });
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
  await bulkIndex(client, gridDocuments(g, prefix), report, {
    batchSize,
    concurrency: Math.max(1, o.concurrency ?? 2),
    maxRetries: o.maxRetries ?? DEFAULT_MAX_RETRIES,
    backoffMs: o.backoffMs,
    sleep,
    onBatch: (sent) => {
      const elapsedMs = Date.now() - t0;
      o.onProgress?.({
        sent,
        total,
        elapsedMs,
        docsPerSecond: sent / Math.max(elapsedMs / 1000, 1e-3),
        retriedItems: report.retriedItems,
      });
    },
    onItemsRejected: (count, retryInMs) => o.onEvent?.({ type: 'itemsRejected', count, retryInMs }),
  });
  report.retriedRequests = client.retriedRequests;
  report.elapsedMs = Date.now() - t0;
  report.docsPerSecond = total / Math.max(report.elapsedMs / 1000, 1e-3);

  if (o.verify ?? true) {
    report.days = await countPerDay(client, g, expected);
    report.mismatches = report.days.filter((d) => d.actual !== d.expected);
    report.verified = true;
  }
  report.ok = report.failedCount === 0 && report.mismatches.length === 0;
  if (!report.ok) {
    throw new EsSeedError(formatEsFailure(report), report);
  }
  return report;
}
