// The single-process service (`--role all`, what `npm start` runs) keeps answering while it
// ingests (issue 17): ingest runs on its own thread, so the server's event loop stays free. The
// service ingests a big batch of loopback feeds while readers poll /healthz and a cached section
// feed; every answer must come back, and quickly enough that a server blocked for seconds fails.
// Timing bounds are generous (the machine is shared); the structural checks (ingest on another
// thread, the HTTP thread mostly idle while ingest works) are what the old design fails.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { threadId } from 'node:worker_threads';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { performance } from 'node:perf_hooks';
import { testConfig, startService, startFeedServer, rssFeed } from '../helpers/service.ts';
import { startTributary } from '../../src/runtime/start.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import { INGEST_NICE, startIngestThread } from '../../src/runtime/ingest-thread.ts';
import type { IngestThreadRole } from '../../src/runtime/ingest-thread.ts';
import { createStore } from '../../src/store/index.ts';
import { testRedisUrl } from '../helpers/redis.ts';
import { enqueueRefresh } from '../../src/queues/queues.ts';
import { canListen, freePort } from '../../src/runtime/net-probe.ts';

const FEEDS = 30;
const ITEMS = 40;
/** Every answer under ingest must come back within this (a blocked server takes seconds). */
const BOUND_MS = 2_000;

/** A seeded pick (the feeds are the same every run). */
function picker(seed: number) {
  let a = seed;
  return <T>(xs: readonly T[]): T => {
    a = (Math.imul(a, 1_103_515_245) + 12_345) >>> 0;
    return xs[(a >>> 16) % xs.length]!;
  };
}

function feedBody(f: number, pick: ReturnType<typeof picker>, words: string[]): string {
  const sentence = (n: number) => Array.from({ length: n }, () => pick(words)).join(' ');
  const now = Date.now();
  return rssFeed(
    `Feed ${f}`,
    Array.from({ length: ITEMS }, (_, i) => ({
      guid: `f${f}-i${i}`,
      title: sentence(9),
      link: `https://news${f}.example/story/${i}`,
      date: new Date(now - (f * ITEMS + i) * 60_000).toISOString(),
      content: Array.from({ length: 6 }, () => `<p>${sentence(60)}.</p>`).join('\n'),
    })),
  );
}

describe('serving while ingesting (npm start mode)', () => {
  let feeds: FeedServer;
  let run: Running;
  let base: string;

  beforeAll(async () => {
    const pick = picker(17);
    const letters = [...'abcdefghijklmnoprstuvwy'];
    const words = Array.from({ length: 4000 }, () =>
      Array.from({ length: pick([3, 4, 5, 6, 7, 8]) }, () => pick(letters)).join(''),
    );
    feeds = await startFeedServer();
    const sources: string[] = [];
    for (let f = 0; f < FEEDS; f++) {
      feeds.routes.set(`/f${f}.rss`, { body: feedBody(f, pick, words) });
      sources.push(`  - { id: f${f}, url: "\${BASE}/f${f}.rss", lang: en }`);
    }
    const config = testConfig(
      `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 10s, perHostConcurrency: 64 }
worker: { concurrency: 8 }
sources:
${sources.join('\n')}
sections:
  - { id: all, title: Everything, lang: en, limit: 50 }
`,
      {},
      { BASE: feeds.url },
    );
    run = await startService(config);
    base = run.server!.url;
  }, 120_000);

  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  it('answers /healthz and a cached section feed within the bound while a big batch ingests, ingest on its own thread', async () => {
    const ingest = run.worker as IngestThreadRole;
    expect(ingest.threadId).not.toBeNull();
    expect(ingest.threadId).not.toBe(threadId);
    // On Linux the ingest thread also yields the CPU to this one (a higher nice value).
    if (process.platform === 'linux') {
      const nice = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      const tid = ingest.os!.tid;
      expect(nice(readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8'))).toBe(
        Math.min(19, nice(readFileSync(`/proc/${process.pid}/stat`, 'utf8')) + INGEST_NICE),
      );
    }
    expect((await fetch(`${base}/feeds/all.atom`)).status).toBe(200); // cached from here on

    const elu0 = performance.eventLoopUtilization();
    let ingesting = true;
    const samples: Record<string, { ms: number; status: number }[]> = { health: [], feed: [] };
    const read = async (name: string, url: string) => {
      while (ingesting) {
        const t0 = performance.now();
        const res = await fetch(url);
        await res.arrayBuffer();
        samples[name]!.push({ ms: performance.now() - t0, status: res.status });
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const readers = [read('health', `${base}/healthz`), read('feed', `${base}/feeds/all.atom`)];
    const t0 = Date.now();
    for (let f = 0; f < FEEDS; f++) await enqueueRefresh(run.queue, `f${f}`);
    while ((await run.store.articles.total()) < FEEDS * ITEMS) {
      if (Date.now() - t0 > 150_000) throw new Error('ingest did not finish in 150 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ingestMs = Date.now() - t0;
    ingesting = false;
    await Promise.all(readers);
    const elu = performance.eventLoopUtilization(elu0);

    for (const [name, xs] of Object.entries(samples)) {
      expect(xs.length, `${name} requests during a ${ingestMs} ms ingest`).toBeGreaterThanOrEqual(
        5,
      );
      expect(xs.filter((x) => x.status !== 200)).toEqual([]);
      expect(Math.max(...xs.map((x) => x.ms)), `slowest ${name}`).toBeLessThan(BOUND_MS);
    }
    // Ingest CPU is on the ingest thread, not on this (the HTTP) thread, which also runs this
    // test's feed server, readers and re-renders of the changing section feed: measured 0.47 with
    // the ingest thread and 0.97 with ingest on this thread (2 cores, load average ~12).
    expect(elu.utilization, 'HTTP thread event-loop utilization during ingest').toBeLessThan(0.8);

    // Reports cross from the thread: the poll counters in /metrics count every poll. A poll's
    // report is recorded after its articles are stored, so the last few polls' counts may still
    // be on their way when the article total is reached: wait (bounded) for them.
    const okFetches = async () => {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const xs = [...metrics.matchAll(/^tributary_fetches_total\{outcome="ok"[^}]*\} (\d+)/gm)];
      return xs.reduce((n, m) => n + Number(m[1]), 0);
    };
    const t1 = Date.now();
    let counted = await okFetches();
    while (counted < FEEDS && Date.now() - t1 < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
      counted = await okFetches();
    }
    expect(counted).toBeGreaterThanOrEqual(FEEDS);
  }, 180_000);

  it('starts a new ingest thread when the thread dies, and polls again with it', async () => {
    const ingest = run.worker as IngestThreadRole;
    const before = ingest.threadId;
    await ingest.thread!.terminate(); // as if it crashed
    const t0 = Date.now();
    while (ingest.threadId === null || ingest.threadId === before) {
      if (Date.now() - t0 > 60_000) throw new Error('no new ingest thread within 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(ingest.restarts).toBe(1);
    // The new thread consumes jobs: a changed feed is polled and its new item stored.
    feeds.routes.set('/f0.rss', {
      body: rssFeed('Feed 0', [
        {
          guid: 'after-restart',
          title: 'Polled by the restarted thread',
          link: 'https://news0.example/story/after-restart',
          date: new Date().toISOString(),
        },
      ]),
    });
    const since = Date.now() - 1;
    await enqueueRefresh(run.queue, 'f0');
    for (;;) {
      const state = await run.store.sources.getState('f0');
      if (state.lastFetch && Date.parse(state.lastFetch) >= since) break;
      if (Date.now() - t0 > 90_000) throw new Error('f0 not polled after the restart');
      await new Promise((r) => setTimeout(r, 100));
    }
    const json = await (await fetch(`${base}/feeds/all.json`)).text();
    expect(json).toContain('Polled by the restarted thread');
  }, 120_000);
});

describe('the ingest thread in the npm start mode: stop and restarts', () => {
  it('stop() lets the thread finish its active jobs within the shutdown grace; its logs and the first-poll summary reach the main logger', async () => {
    // Feeds that answer after 1.5 s, so jobs are active when stop() is called.
    const slow = createServer((req, res) => {
      const id = (req.url ?? '').replace(/\D/g, '');
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
        res.end(
          rssFeed(`Slow ${id}`, [
            {
              guid: `slow-${id}`,
              title: `Slow item ${id}`,
              link: `https://slow.example/${id}`,
              date: new Date().toISOString(),
            },
          ]),
        );
      }, 1_500);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const ids = Array.from({ length: 4 }, (_, i) => `s${i}`);
    // The main thread's logger, captured: the thread's lines come through it.
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const run = await startTributary({
      log,
      role: 'all',
      port: 0,
      config: testConfig(
        `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 10s, perHostConcurrency: 64 }
worker: { concurrency: 8, shutdownGrace: 20s }
sources:
${ids.map((id) => `  - { id: ${id}, url: "${url}/${id}.rss", lang: en }`).join('\n')}
sections:
  - { id: all, title: Everything, lang: en }
`,
      ),
    });
    try {
      for (const id of ids) await enqueueRefresh(run.queue, id);
      const t0 = Date.now();
      while (((await run.queue.getJobCounts('active')).active ?? 0) < ids.length) {
        if (Date.now() - t0 > 20_000) throw new Error('jobs never all active');
        await new Promise((r) => setTimeout(r, 20));
      }
      const stopAt = Date.now();
      await run.stop();
      expect(Date.now() - stopAt).toBeLessThan(20_000);
      // Every active job finished in the thread before it ended: its item is stored.
      const redis = new Redis(testRedisUrl());
      try {
        const store = createStore(redis, { prefix: run.config.env.redisPrefix, unhealthyAfter: 3 });
        expect(await store.articles.total()).toBe(ids.length);
        for (const id of ids) expect((await store.sources.getState(id)).lastFetch).not.toBeNull();
      } finally {
        redis.disconnect();
      }
      // The thread's poll lines reach the main logger, marked; the first-poll summary still comes.
      const records = lines.map((l) => JSON.parse(l) as { msg: string; thread?: string });
      for (const id of ids)
        expect(records).toContainEqual(
          expect.objectContaining({ thread: 'ingest', msg: `poll ${id}: ok, 1 new, 0 updated` }),
        );
      expect(records.map((r) => r.msg)).toContain(`first poll done: all ${ids.length} sources ok`);
    } finally {
      await run.stop();
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  }, 90_000);

  it('restarts a dead thread at most maxRestarts times, then says it stays down', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const config = testConfig(`
site: { title: Test, baseUrl: http://feeds.test }
sources: []
`);
    const ingest = await startIngestThread({
      config,
      redisUrl: testRedisUrl(),
      log,
      onReport: () => undefined,
      maxRestarts: 1,
      backoffMs: 10,
    });
    try {
      const first = ingest.threadId;
      await ingest.thread!.terminate();
      const t0 = Date.now();
      while (ingest.threadId === null || ingest.threadId === first) {
        if (Date.now() - t0 > 60_000) throw new Error('not restarted within 60 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(ingest.restarts).toBe(1);
      await ingest.thread!.terminate();
      await new Promise((r) => setTimeout(r, 500));
      expect(ingest.threadId).toBeNull();
      expect(ingest.restarts).toBe(1);
      expect(lines.join('')).toContain('not restarting it');
    } finally {
      await ingest.close(1_000);
    }
  }, 120_000);
});

describe('start-up of the npm start mode: the server does not wait for the ingest thread', () => {
  const config = () =>
    testConfig(`
site: { title: Test, baseUrl: http://feeds.test }
sources: []
`);
  const healthy = async (port: number) =>
    (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === 200;
  const until = async (what: string, check: () => Promise<boolean>) => {
    const t0 = Date.now();
    while (!(await check())) {
      if (Date.now() - t0 > 30_000) throw new Error(`${what} not within 30 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('answers /healthz while the ingest thread is still starting, and resolves once it is ready', async () => {
    const port = await freePort();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let threadStarted = false;
    const starting = startTributary({
      config: config(),
      role: 'all',
      log: pino({ level: 'silent' }),
      port,
      // The real thread, its readiness held until the test has seen the server answer.
      startIngestThread: async (o) => {
        const role = await startIngestThread(o);
        threadStarted = true;
        await held;
        return role;
      },
    });
    let resolved = false;
    void starting.then(() => (resolved = true)).catch(() => undefined);
    try {
      // Waiting for the thread before listening (the old order) never gets here.
      await until('/healthz while the ingest thread is held', () => healthy(port));
      expect(resolved).toBe(false);
    } finally {
      release();
    }
    const run = await starting;
    try {
      expect(threadStarted).toBe(true);
      expect((run.worker as IngestThreadRole).threadId).not.toBeNull();
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('a thread that fails to start: start-up fails with its error and the port is free again', async () => {
    const port = await freePort();
    const starting = startTributary({
      config: config(),
      role: 'all',
      log: pino({ level: 'silent' }),
      port,
      // Fails once the server is up, so the server has to be stopped again.
      startIngestThread: async () => {
        await until('/healthz before the thread fails', () => healthy(port));
        throw new Error('ingest thread failed to start (test)');
      },
    });
    await expect(starting).rejects.toThrow('ingest thread failed to start (test)');
    expect(await canListen('127.0.0.1', port)).toBe(true);
  }, 60_000);
});
