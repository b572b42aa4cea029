/**
 * Direct HTTP for the watcher: the same SourceHttp the datasource gets from Grafana's data proxy, with
 * the auth the proxy would add (basic auth for both sources, or an Elasticsearch API key) and an
 * optional CA file for TLS. Answers are parsed JSON; transport errors and non-2xx reject.
 */
import http from 'node:http';
import https from 'node:https';

import type { SourceHttp, SourceName, SourceRequest } from '../../core/sources/sourceHttp';

export interface Endpoint {
  url: string;
  /** Value of the Authorization header, if any. */
  authorization?: string;
}

export interface HttpOptions {
  /** PEM CA certificates for https URLs (the contents of --ca-file). */
  ca?: string;
  timeoutMs?: number;
}

/** A failed request; `status` is 0 when the server was not reached. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message);
  }
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function requestJson<T = unknown>(
  url: string,
  o: HttpOptions & { method?: string; body?: string; contentType?: string; authorization?: string }
): Promise<T> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
  if (!lib) {
    return Promise.reject(new HttpError(`${url}: only http and https URLs are supported`, 0));
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (o.authorization) {
    headers.authorization = o.authorization;
  }
  if (o.body !== undefined) {
    headers['content-type'] = o.contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(o.body));
  }
  const where = `${o.method ?? 'GET'} ${u.origin}${u.pathname}`;
  return new Promise<T>((resolve, reject) => {
    const req = lib.request(
      u,
      { method: o.method ?? 'GET', headers, ...(u.protocol === 'https:' && o.ca ? { ca: o.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new HttpError(`${where}: ${err.message}`, 0)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(new HttpError(`${where}: HTTP ${status} ${text.slice(0, 300)}`, status));
            return;
          }
          try {
            resolve((text === '' ? null : JSON.parse(text)) as T);
          } catch {
            reject(new HttpError(`${where}: answer is not JSON: ${text.slice(0, 200)}`, status));
          }
        });
      }
    );
    req.setTimeout(o.timeoutMs ?? 60_000, () => req.destroy(new Error(`no answer within ${o.timeoutMs ?? 60_000} ms`)));
    req.on('error', (err) => reject(new HttpError(`${where}: ${err.message}`, 0)));
    if (o.body !== undefined) {
      req.write(o.body);
    }
    req.end();
  });
}

/** SourceHttp over direct HTTP; a source without an endpoint fails with a clear error. */
export function directSourceHttp(endpoints: Partial<Record<SourceName, Endpoint>>, o: HttpOptions = {}): SourceHttp {
  return <T>(req: SourceRequest): Promise<T> => {
    const e = endpoints[req.source];
    if (!e) {
      return Promise.reject(new HttpError(`${req.source} URL is not configured`, 0));
    }
    return requestJson<T>(e.url.replace(/\/+$/, '') + req.path, {
      ...o,
      method: req.method ?? 'GET',
      body: req.body,
      contentType: req.contentType,
      authorization: e.authorization,
    });
  };
}
