/**
 * Carbon's plaintext protocol over TCP, for the seeder (`seed --graphite`) and the watcher (`watch --carbon`):
 * address parsing and one client that writes chunks on one connection and settles once.
 */
import net from 'node:net';

/** Carbon could not be reached or the connection broke; the message names host and port. */
export class CarbonError extends Error {
  constructor(
    message: string,
    /** A timeout or a broken connection, which may pass; a refused connection or unknown host will not. */
    readonly transient = false
  ) {
    super(message);
  }
}

const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export interface CarbonTarget {
  host: string;
  port: number;
  /** Connect/idle timeout (default 30 s). */
  timeoutMs?: number;
}

const validPort = (port: number) => Number.isInteger(port) && port >= 1 && port <= 65535;

/** "host:port" → target (the port defaults to `defaultPort`); throws on anything else. */
export function parseHostPort(s: string, defaultPort = 2003): CarbonTarget {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(s.trim());
  if (!m || m[1] === '') {
    throw new Error(`expected HOST:PORT, got "${s}"`);
  }
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!validPort(port)) {
    throw new Error(`invalid port in "${s}"`);
  }
  return { host: m[1], port };
}

/** "HOST:PORT" with the port required (IPv6 in brackets), for `watch --carbon`; throws naming what is wrong. */
export function parseCarbonAddress(text: string): CarbonTarget {
  const m = /^\[?([^\]\s]+?)\]?:(\d+)$/.exec(text.trim());
  if (!m || !validPort(Number(m[2]))) {
    throw new Error(`--carbon must be HOST:PORT with a port 1-65535 (carbon's plaintext receiver), got "${text}"`);
  }
  return { host: m[1], port: Number(m[2]) };
}

/**
 * Writes chunks to carbon's line receiver on one connection, honouring backpressure; resolves once the
 * socket closed cleanly, rejects with a CarbonError on a connection error or timeout.
 */
export function sendPlaintext(chunks: Iterable<string>, target: CarbonTarget): Promise<{ bytes: number }> {
  return new Promise((resolve, reject) => {
    const it = chunks[Symbol.iterator]();
    const where = `carbon ${target.host}:${target.port}`;
    let bytes = 0;
    let settled = false;
    const done = (err?: Error) => {
      if (settled) {
        return;
      }
      settled = true;
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve({ bytes });
      }
    };
    const socket = net.createConnection({ host: target.host, port: target.port });
    socket.setTimeout(target.timeoutMs ?? 30_000);
    socket.on('timeout', () => done(new CarbonError(`${where}: timed out`, true)));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      done(new CarbonError(`${where}: ${err.message}`, BROKEN.has(err.code ?? '')))
    );
    socket.on('close', (hadError) =>
      done(hadError ? new CarbonError(`${where}: connection closed with an error`, true) : undefined)
    );
    const pump = () => {
      for (;;) {
        const r = it.next();
        if (r.done) {
          socket.end();
          return;
        }
        bytes += Buffer.byteLength(r.value);
        if (!socket.write(r.value)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.once('connect', pump);
  });
}
