/**
 * HTTP to Elasticsearch/OpenSearch with fetch only (Node and browsers): credentials in the URL become
 * Basic auth, and 429/502/503/504 or network errors are retried with exponential backoff.
 */
import { EsHttpError, EsSeedError } from './esReport';

export interface EsHttpOptions {
  /** Base URL, e.g. http://localhost:9200 (user:password@ in the URL becomes Basic auth). */
  url: string;
  /** Retries of one request or of rejected items (default 8). */
  maxRetries?: number;
  /** First backoff; doubles per retry up to 10 s (default 250 ms). */
  backoffMs?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export interface EsResponse {
  status: number;
  /** Parsed body; undefined when empty or not JSON. */
  json: unknown;
  text: string;
}

export interface EsClient {
  request(method: string, path: string, body?: string, contentType?: string): Promise<EsResponse>;
  /** Whole requests retried so far. */
  retriedRequests: number;
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);

export const DEFAULT_MAX_RETRIES = 8;

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Delay before retry number `attempt` (0-based). */
export function backoffDelay(backoffMs: number | undefined, attempt: number): number {
  return Math.min(10_000, (backoffMs ?? 250) * 2 ** attempt);
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export function makeEsClient(o: EsHttpOptions, sleep: (ms: number) => Promise<void>): EsClient {
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
  const maxRetries = o.maxRetries ?? DEFAULT_MAX_RETRIES;
  const client: EsClient = {
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
            const reason = err instanceof Error ? err.message : String(err);
            throw new EsSeedError(`${method} ${path}: ${reason} (gave up after ${attempt + 1} attempts)`);
          }
          client.retriedRequests++;
          await sleep(backoffDelay(o.backoffMs, attempt));
          continue;
        }
        const text = await res.text();
        if (RETRY_STATUS.has(res.status) && attempt < maxRetries) {
          client.retriedRequests++;
          await sleep(backoffDelay(o.backoffMs, attempt));
          continue;
        }
        return { status: res.status, json: parseJson(text), text };
      }
    },
  };
  return client;
}

/** Throws EsHttpError unless 2xx (or 404 when allowed: deleting or counting absent indices). */
export function expectOk(r: EsResponse, what: string, allow404 = false): void {
  if (r.status >= 200 && r.status < 300) {
    return;
  }
  if (allow404 && r.status === 404) {
    return;
  }
  throw new EsHttpError(what, r.status, r.text.slice(0, 500));
}
