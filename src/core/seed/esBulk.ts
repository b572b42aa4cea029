/**
 * `_bulk` indexing with parallel requests. Documents rejected per item with 429 are re-sent with
 * backoff; other item failures are recorded in the report, never dropped silently.
 */
import type { IndexedDocument } from './esDocuments';
import { backoffDelay, type EsClient } from './esHttp';
import { EsSeedError, type EsSeedReport } from './esReport';
import { isRecord } from './json';

export interface BulkIndexOptions {
  batchSize: number;
  concurrency: number;
  /** Rounds of re-sending items rejected with 429. */
  maxRetries: number;
  backoffMs?: number;
  sleep: (ms: number) => Promise<void>;
  /** After each batch, with the documents sent so far. */
  onBatch?: (sent: number) => void;
  /** Some documents were rejected with 429 and are re-sent after `retryInMs`. */
  onItemsRejected?: (count: number, retryInMs: number) => void;
}

const MAX_FAILURES_KEPT = 50;

function describeError(e: unknown): string {
  if (isRecord(e)) {
    const cause = isRecord(e.caused_by) ? e.caused_by.reason : undefined;
    return [e.type, e.reason, cause].filter(Boolean).join(': ') || JSON.stringify(e);
  }
  return String(e);
}

function bulkBody(docs: readonly IndexedDocument[]): string {
  return docs
    .map(
      (d) => `{"index":{"_index":${JSON.stringify(d.index)},"_id":${JSON.stringify(d.id)}}}\n${JSON.stringify(d.doc)}\n`
    )
    .join('');
}

/** Status and error of one `items[]` entry, whatever its action key. */
function itemResult(item: unknown): { status: number; error: unknown } {
  const res = isRecord(item) ? (item.index ?? item.create ?? Object.values(item)[0]) : undefined;
  const r = isRecord(res) ? res : {};
  return { status: typeof r.status === 'number' ? r.status : 0, error: r.error };
}

/**
 * Indexes every document, filling the report's batches, retriedItems and failures. A request that
 * fails for good stops all workers and throws EsSeedError saying how far the load got.
 */
export async function bulkIndex(
  client: EsClient,
  docs: Iterator<IndexedDocument>,
  report: EsSeedReport,
  o: BulkIndexOptions
): Promise<void> {
  const fail = (d: IndexedDocument, status: number, error: string) => {
    report.failedCount++;
    if (report.failures.length < MAX_FAILURES_KEPT) {
      report.failures.push({ index: d.index, id: d.id, status, error });
    }
  };

  const sendBatch = async (batch: IndexedDocument[]) => {
    let pending = batch;
    for (let round = 0; pending.length > 0; round++) {
      const r = await client.request(
        'POST',
        '/_bulk?filter_path=errors,items.*._id,items.*.status,items.*.error',
        bulkBody(pending),
        'application/x-ndjson'
      );
      if (r.status < 200 || r.status >= 300 || !r.json) {
        const hint = r.status === 413 ? ' (request too large: lower the batch size)' : '';
        throw new EsSeedError(`_bulk failed: HTTP ${r.status}${hint}: ${r.text.slice(0, 500)}`, report);
      }
      const answer = isRecord(r.json) ? r.json : {};
      if (!answer.errors) {
        return;
      }
      const items: unknown[] = Array.isArray(answer.items) ? answer.items : [];
      if (items.length !== pending.length) {
        throw new EsSeedError(`_bulk answered ${items.length} items for ${pending.length} documents`, report);
      }
      const retry: IndexedDocument[] = [];
      items.forEach((item, i) => {
        const { status, error } = itemResult(item);
        if (status >= 200 && status < 300) {
          return;
        }
        if (status === 429) {
          retry.push(pending[i]);
        } else {
          fail(pending[i], status, describeError(error));
        }
      });
      if (retry.length === 0) {
        return;
      }
      if (round >= o.maxRetries) {
        for (const d of retry) {
          fail(d, 429, `still rejected (429) after ${o.maxRetries} retries`);
        }
        return;
      }
      report.retriedItems += retry.length;
      const delay = backoffDelay(o.backoffMs, round);
      o.onItemsRejected?.(retry.length, delay);
      await o.sleep(delay);
      pending = retry;
    }
  };

  const nextBatch = (): IndexedDocument[] => {
    const batch: IndexedDocument[] = [];
    while (batch.length < o.batchSize) {
      const r = docs.next();
      if (r.done) {
        break;
      }
      batch.push(r.value);
    }
    return batch;
  };

  let sent = 0;
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
      o.onBatch?.(sent);
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: o.concurrency }, () =>
      worker().catch((err: unknown) => {
        // Stop the other workers from taking new batches; the error fails the whole load.
        aborted = true;
        throw err;
      })
    )
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) {
    const err: unknown = rejected.reason;
    if (err instanceof EsSeedError) {
      throw new EsSeedError(
        `${err.message}\n(${sent} of ${report.documents} documents were indexed before the failure; rerunning resumes safely)`,
        report
      );
    }
    throw err;
  }
}
