// The scale bench's feed server: answers /s/{n}.rss for any n < max on the fly (scale-feeds.ts),
// with an ETag per version; a conditional request for the current version gets a 304. It keeps
// two counters per source (polls, version) and the time of the last change, so 100,000 sources
// cost about 2 MB. GET /stats gives the totals. Run it as its own process so it does not share an
// event loop with the bench: `node --import tsx bench/scale-fixture.ts MAX` prints "port N".
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { changesOnPoll, feedEtag, scaleFeedXml } from './scale-feeds.ts';

export interface ScaleFixtureStats {
  requests: number;
  /** 200s with a body (first polls, changes, unconditional requests). */
  full: number;
  notModified: number;
  /** Polls that found a new item. */
  changed: number;
  /** Distinct sources polled at least once. */
  polled: number;
}

export function createScaleFixture(max: number, now: () => number = Date.now) {
  const polls = new Uint32Array(max);
  const versions = new Uint32Array(max);
  const changedAt = new Float64Array(max);
  const stats: ScaleFixtureStats = { requests: 0, full: 0, notModified: 0, changed: 0, polled: 0 };
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stats));
      return;
    }
    const m = /^\/s\/(\d+)\.rss$/.exec(url.split('?')[0]!);
    const n = m ? Number(m[1]) : -1;
    if (n < 0 || n >= max) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    stats.requests++;
    const k = ++polls[n]!;
    if (k === 1) stats.polled++;
    if (changesOnPoll(n, k)) {
      versions[n]!++;
      changedAt[n] = now();
      stats.changed++;
    }
    const v = versions[n]!;
    const etag = feedEtag(n, v);
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim() === etag)) {
      stats.notModified++;
      res.writeHead(304, { ETag: etag }).end();
      return;
    }
    stats.full++;
    const last = changedAt[n] || now();
    const body = scaleFeedXml(n, v, base, (j) => last - (v - j) * 60_000);
    res.writeHead(200, {
      ETag: etag,
      'Content-Type': 'application/rss+xml; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  });
  server.keepAliveTimeout = 30_000;
  return {
    stats,
    async listen(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return base;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fixture = createScaleFixture(Number(process.argv[2] ?? 100_000));
  const base = await fixture.listen();
  process.stdout.write(`port ${new URL(base).port}\n`);
  process.on('SIGTERM', () => void fixture.close().then(() => process.exit(0)));
}
