/**
 * Why a fetch threw, for the seeder's HTTP (Elasticsearch, graphite-web): Node's fetch says only
 * "fetch failed" and keeps the reason in its cause's code.
 */
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
// A connection that was open and broke (a restarting node, a keep-alive race) may pass too.
const BROKEN_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** The cause in words and whether to retry: timeouts and a broken connection may pass, the rest will not. */
export function describeFetchError(err: unknown, base: string): { reason: string; retry: boolean } {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const c = (cause ?? err) as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof c.code === 'string' ? c.code : undefined;
  const host = /^\w+:\/\/([^/]+)/.exec(base)?.[1] ?? base;
  if (code === 'ECONNREFUSED') {
    return { reason: `connection refused by ${host} (ECONNREFUSED): is it running, and on that port?`, retry: false };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { reason: `unknown host ${host.replace(/:\d+$/, '')} (${code})`, retry: false };
  }
  if ((code && TIMEOUT_CODES.has(code)) || c.name === 'TimeoutError') {
    return { reason: `timed out${code ? ` (${code})` : ''}`, retry: true };
  }
  if (code && BROKEN_CODES.has(code)) {
    return { reason: `connection broken (${code})`, retry: true };
  }
  const message = typeof c.message === 'string' ? c.message : String(cause ?? err);
  return { reason: code && !message.includes(code) ? `${message} (${code})` : message, retry: false };
}
