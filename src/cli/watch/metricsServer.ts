/** /metrics (Prometheus text format) and /healthz for the watcher. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { PROMETHEUS_CONTENT_TYPE } from '../../core/scores/prometheus';

export interface Monitored {
  metrics(): string;
  health(): { status: number; body: Record<string, unknown> };
}

export function startMetricsServer(w: Monitored, port: number, host = '0.0.0.0'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      const body = w.metrics();
      res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else if (path === '/healthz') {
      const h = w.health();
      const body = JSON.stringify(h.body);
      res.writeHead(h.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`metrics server on port ${port}: ${err.message}`)));
    server.listen(port, host, () => resolve(server));
  });
}

export function serverPort(s: http.Server): number {
  return (s.address() as AddressInfo).port;
}
