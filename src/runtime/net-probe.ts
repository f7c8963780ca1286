// Loopback probes: a free port, a raw RESP PING, and whether a port can be listened on.
import { connect, createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** One RESP PING over a raw socket; resolves true on +PONG. */
export function respPing(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((done) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = '';
    const finish = (ok: boolean) => {
      sock.destroy();
      done(ok);
    };
    sock.setTimeout(timeoutMs, () => finish(false));
    sock.on('error', () => finish(false));
    sock.on('connect', () => sock.write('*1\r\n$4\r\nPING\r\n'));
    sock.on('data', (b) => {
      buf += b.toString();
      if (buf.includes('\r\n')) finish(buf.startsWith('+PONG'));
    });
  });
}

/** Whether `host:port` can be listened on right now (port 0 always can). */
export function canListen(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((done) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => done(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => done(true)));
  });
}
