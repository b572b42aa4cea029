/** @jest-environment node */
import net from 'node:net';

import { CarbonError, parseCarbonAddress, parseHostPort, sendPlaintext } from './carbon';

describe('carbon addresses', () => {
  it('--carbon wants HOST:PORT, IPv6 in brackets', () => {
    expect(parseCarbonAddress('graphite:2003')).toEqual({ host: 'graphite', port: 2003 });
    expect(parseCarbonAddress(' [::1]:2003 ')).toEqual({ host: '::1', port: 2003 });
    for (const bad of ['graphite', 'graphite:0', 'graphite:70000', 'a b:2003', ':2003']) {
      expect(() => parseCarbonAddress(bad)).toThrow(`--carbon must be HOST:PORT with a port 1-65535`);
    }
  });

  it('the seeder defaults the port', () => {
    expect(parseHostPort('[::1]')).toEqual({ host: '::1', port: 2003 });
    expect(() => parseHostPort('')).toThrow(/expected HOST:PORT/);
  });
});

describe('sendPlaintext', () => {
  it('delivers every chunk on one connection and counts the bytes', async () => {
    let received = '';
    const server = net.createServer((s) => s.on('data', (d) => (received += d)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      await expect(sendPlaintext(['a 1 1\n', 'b 2 1\n'], { host: '127.0.0.1', port })).resolves.toEqual({ bytes: 12 });
      await new Promise((r) => setTimeout(r, 50));
      expect(received).toBe('a 1 1\nb 2 1\n');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a receiver that never reads times out with a CarbonError naming host and port', async () => {
    const held: net.Socket[] = [];
    const server = net.createServer((s) => {
      held.push(s);
      s.pause();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      // Large enough to fill the socket buffers, so no progress is made after the first writes.
      const sending = sendPlaintext(['x'.repeat(64 * 1024 * 1024)], { host: '127.0.0.1', port, timeoutMs: 300 });
      await expect(sending).rejects.toThrow(new CarbonError(`carbon 127.0.0.1:${port}: timed out`));
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    }
  });
});
