/**
 * HTTP to Elasticsearch/OpenSearch with fetch only (Node and browsers): credentials in the URL become
 * Basic auth. Only what passes is retried, with exponential backoff: HTTP 429, 503 and 504, timeouts and
 * a broken connection; a refused connection or an unknown host fails at once, naming the cause.
 */
import { EsHttpError, EsSeedError } from './esReport';
import { describeFetchError } from './fetchErrors';

export interface EsHttpOptions {
  /** Base URL, e.g. http://localhost:9200 (user:password@ in the URL becomes Basic auth). */
  url: string;
  /** Retries of one request or of rejected items (default 8). */
  maxRetries?: number;
  /** First backoff; doubles per retry up to 10 s (default 250 ms). */
  backoffMs?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** Before each wait for a retry, so a caller can say why it waits. */
  onRetry?: (r: EsRetry) => void;
}

export interface EsRetry {
  /** "POST /_bulk" */
  what: string;
  /** "HTTP 503", "timed out (UND_ERR_HEADERS_TIMEOUT)" */
  reason: string;
  /** 1-based number of this retry. */
  attempt: number;
  maxRetries: number;
  retryInMs: number;
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

const RETRY_STATUS = new Set([429, 503, 504]);

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
        const wait = async (reason: string) => {
          client.retriedRequests++;
          const retryInMs = backoffDelay(o.backoffMs, attempt);
          o.onRetry?.({ what: `${method} ${path}`, reason, attempt: attempt + 1, maxRetries, retryInMs });
          await sleep(retryInMs);
        };
        let res: Response;
        let text: string;
        try {
          res = await doFetch(`${base}${path}`, {
            method,
            headers: body === undefined ? headers : { ...headers, 'content-type': contentType },
            body,
          });
          text = await res.text();
        } catch (err) {
          const { reason, retry } = describeFetchError(err, base);
          if (!retry) {
            throw new EsSeedError(`${method} ${path}: ${reason}`);
          }
          if (attempt >= maxRetries) {
            throw new EsSeedError(`${method} ${path}: ${reason} (gave up after ${attempt + 1} attempts)`);
          }
          await wait(reason);
          continue;
        }
        if (RETRY_STATUS.has(res.status) && attempt < maxRetries) {
          await wait(`HTTP ${res.status}`);
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
