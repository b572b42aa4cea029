/**
 * What an Elasticsearch load reports, the errors it throws, and the failure text. Flag-free: callers
 * add their own advice (the CLI names --fresh and --batch-size).
 */

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

/** A request other than _bulk answered an error status; kept apart so callers can advise on 413. */
export class EsHttpError extends EsSeedError {
  constructor(
    /** e.g. `PUT _index_template/<name>` */
    readonly what: string,
    readonly status: number,
    /** Start of the response body. */
    readonly body: string
  ) {
    super(`${what} failed: HTTP ${status}${status === 413 ? ' (request too large)' : ''}: ${body}`);
  }
}

/** More documents than generated in some day: the range was seeded before with another seed or scale. */
export function hasSurplusDocuments(r: EsSeedReport): boolean {
  return r.mismatches.some((m) => m.actual > m.expected);
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
  }
  return lines.join('\n');
}
