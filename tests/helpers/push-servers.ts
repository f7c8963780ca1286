// Real loopback servers on the other end of push: a WebSub subscriber (answers verification GETs
// and receives distributions) and a webhook receiver. Tests set how each path answers.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  method: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export interface Behaviour {
  /** Verification: echo the challenge (default), answer something else, or wait this many ms. */
  verify?: 'echo' | 'wrong' | { delayMs: number };
  /** Statuses to answer POSTs with, in turn from when this was set; the last repeats (default 200). */
  post?: number[];
  /** POSTs answered under this behaviour so far. */
  posted?: number;
}

export interface PushPeer {
  url: string;
  received: Received[];
  behave: Map<string, Behaviour>;
  /** Waits until `pred` holds for some received request, returns it. */
  waitFor(pred: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): Promise<void>;
}

export async function startPushPeer(): Promise<PushPeer> {
  const received: Received[] = [];
  const behave = new Map<string, Behaviour>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r: Received = {
        path: u.pathname,
        method: req.method ?? '',
        query: u.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      received.push(r);
      let b = behave.get(u.pathname);
      if (!b) behave.set(u.pathname, (b = {}));
      if (req.method === 'GET') {
        const challenge = u.searchParams.get('hub.challenge') ?? '';
        const v = b.verify ?? 'echo';
        if (v === 'wrong') return void res.writeHead(200).end('not the challenge');
        if (typeof v === 'object')
          return void setTimeout(() => res.writeHead(200).end(challenge), v.delayMs).unref();
        return void res.writeHead(200, { 'content-type': 'text/plain' }).end(challenge);
      }
      const n = b.posted ?? 0;
      b.posted = n + 1;
      const statuses = b.post ?? [200];
      res.writeHead(statuses[Math.min(n, statuses.length - 1)]!).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    behave,
    async waitFor(pred, timeoutMs = 10_000) {
      const t0 = Date.now();
      for (;;) {
        const hit = received.find(pred);
        if (hit) return hit;
        if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting for a push request');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
