// Binds the Hono app to a port with the Node adapter.
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  port: number;
  url: string;
  close(): Promise<void>;
}

export function listen(
  app: Hono,
  opts: {
    port: number;
    host: string;
    fast?: (req: IncomingMessage, res: ServerResponse) => boolean;
  },
): Promise<Listening> {
  const hono = getRequestListener(app.fetch);
  const fast = opts.fast;
  const server = createServer(fast ? (req, res) => void (fast(req, res) || hono(req, res)) : hono);
  return new Promise((resolve, reject) => {
    server.listen(opts.port, opts.host, () => {
      const info = server.address() as AddressInfo;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({
        port: info.port,
        url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${info.port}`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}
