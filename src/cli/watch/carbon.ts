/** Carbon's plaintext protocol: one TCP connection per batch, resolved once the socket closed cleanly. */
import net from 'node:net';

export interface CarbonAddress {
  host: string;
  port: number;
}

/** "HOST:PORT" (IPv6 in brackets); throws naming what is wrong. */
export function parseCarbonAddress(text: string): CarbonAddress {
  const m = /^\[?([^\]\s]+?)\]?:(\d+)$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`--carbon must be HOST:PORT with a port 1-65535 (carbon's plaintext receiver), got "${text}"`);
  }
  return { host: m[1], port };
}

export function sendCarbon(a: CarbonAddress, text: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) {
        return;
      }
      settled = true;
      if (err) {
        socket.destroy();
        reject(new Error(`carbon ${a.host}:${a.port}: ${err.message}`));
      } else {
        resolve();
      }
    };
    const socket = net.createConnection({ host: a.host, port: a.port });
    socket.setTimeout(timeoutMs, () => finish(new Error(`no progress within ${timeoutMs} ms`)));
    socket.on('error', (err) => finish(err));
    socket.on('close', (hadError) => (hadError ? finish(new Error('connection closed with an error')) : finish()));
    socket.once('connect', () => socket.end(text));
  });
}
