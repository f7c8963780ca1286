// `push` case (issue 12): end-to-end push latency, nothing polling on the way.
//
//   publisher hub (loopback, here) --signed POST--> our callback --queue--> ingest thread
//     --section bump--> our hub --POST--> downstream subscriber (loopback, here)
//                                  \-> webhook receiver (loopback, here)
//
// The bench process plays the publisher: a small real WebSub hub that serves the source feed
// (advertising itself with `Link: rel=hub` and the feed's rel=self), accepts our service's
// subscription, verifies intent by GET with a challenge, and POSTs new feed documents signed
// with the secret we gave. Our service is `tributary start --role all` (built JS, as `npm start`
// runs it). A downstream subscriber subscribes to our hub for the section's topic; a webhook is
// configured for the section. Each push adds one item with a unique marker; its latency is the
// time from the start of the publisher's POST to the downstream (or webhook) receiving a
// document that contains the marker. Pushes go one at a time, spaced, so this is latency, not
// throughput. The source's poll interval is 6 h: the bench fails if it was fetched more than once
// (the initial poll that finds the hub).
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { freePort } from '../src/runtime/redis-server.ts';
import { spawnTributary, waitFor } from './product.ts';
import type { ProductProcess } from './product.ts';
import type { LatencySummary } from './report.ts';
import { createRng } from './prng.ts';

export interface PushLatency {
  /** Publisher POST start -> downstream WebSub subscriber has a document with the item. */
  websub: LatencySummary;
  /** Publisher POST start -> webhook receiver has a delivery with the item. */
  webhook: LatencySummary;
  /** Publisher POST start -> our callback answered (the body ingested, or queued: 202). */
  callback: LatencySummary;
  pushes: number;
  spacingMs: number;
  /** Requests the source feed got (the initial poll only, else the bench fails). */
  sourceFetches: number;
  /** Our callback's answers by status. */
  statuses: Record<string, number>;
  loadAvg: { start: number; end: number };
}

export interface PushBenchOptions {
  tmp: string;
  redisUrl: string;
  prefix: string;
  pushes: number;
  spacingMs: number;
  nodeArgs: string[];
  say(msg: string): void;
}

const SECTION = 'pushed';
const ms = () => performance.now();
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
}

const summary = (xs: number[]): LatencySummary => ({
  p50Ms: percentile(xs, 0.5),
  p99Ms: percentile(xs, 0.99),
  maxMs: Math.max(...xs),
  requests: xs.length,
});

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (s: Server) =>
  new Promise<void>((r) => {
    s.close(() => r());
    s.closeAllConnections();
  });

/** Words that never repeat across items, so no two pushed stories cluster as one. */
function storyText(rand: () => number, words: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: words }, () =>
    Array.from({ length: 4 + Math.floor(rand() * 6) }, () => letters[Math.floor(rand() * 26)]).join(
      '',
    ),
  ).join(' ');
}

interface Item {
  guid: string;
  title: string;
  text: string;
  date: string;
}

function rss(feedUrl: string, hubUrl: string, items: Item[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Bench publisher</title><link>https://publisher.example/</link><description>pushed stories</description><language>en</language>
<atom:link rel="hub" href="${hubUrl}"/><atom:link rel="self" href="${feedUrl}"/>
${items
  .map(
    (i) =>
      `<item><guid isPermaLink="false">${i.guid}</guid><title>${i.title}</title><link>https://publisher.example/${i.guid}</link><pubDate>${new Date(i.date).toUTCString()}</pubDate><description>${i.text}</description></item>`,
  )
  .join('\n')}
</channel></rss>`;
}

/**
 * The publisher: the source feed and its WebSub hub on one loopback server. It verifies our
 * service's subscription (GET with a challenge) and publishes signed documents to its callback.
 */
async function startPublisher() {
  let items: Item[] = [];
  let feedRequests = 0;
  let sub: { callback: string; secret: string | null; topic: string } | null = null;
  const self = { feedUrl: '', hubUrl: '' }; // known once the server listens
  const { server, url } = await listen((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/feed.rss') {
      feedRequests++;
      res.writeHead(200, {
        'Content-Type': 'application/rss+xml; charset=utf-8',
        Link: `<${self.hubUrl}>; rel="hub", <${self.feedUrl}>; rel="self"`,
      });
      res.end(rss(self.feedUrl, self.hubUrl, items));
      return;
    }
    if (req.method === 'POST' && path === '/hub') {
      void readBody(req).then((b) => {
        const form = new URLSearchParams(b.toString('utf8'));
        res.writeHead(202).end();
        const mode = form.get('hub.mode');
        const topic = form.get('hub.topic') ?? '';
        const callback = form.get('hub.callback') ?? '';
        if (mode !== 'subscribe' || topic !== self.feedUrl) return;
        // Verification of intent, after the 202 as hubs do it.
        const challenge = randomBytes(16).toString('hex');
        const v = new URL(callback);
        v.searchParams.set('hub.mode', 'subscribe');
        v.searchParams.set('hub.topic', topic);
        v.searchParams.set('hub.challenge', challenge);
        v.searchParams.set('hub.lease_seconds', form.get('hub.lease_seconds') ?? '86400');
        void fetch(v)
          .then(async (r) => {
            if (r.status === 200 && (await r.text()) === challenge)
              sub = { callback, secret: form.get('hub.secret'), topic };
          })
          .catch(() => undefined);
      });
      return;
    }
    res.writeHead(404).end();
  });
  self.feedUrl = `${url}/feed.rss`;
  self.hubUrl = `${url}/hub`;
  return {
    ...self,
    get feedRequests() {
      return feedRequests;
    },
    get subscribed() {
      return sub !== null;
    },
    setItems(next: Item[]) {
      items = next;
    },
    /** POSTs the current document, signed, to our service's callback; the answer's status. */
    async publish(): Promise<number> {
      if (!sub) throw new Error('bench: the service never subscribed to the publisher hub');
      const body = Buffer.from(rss(self.feedUrl, self.hubUrl, items));
      const headers: Record<string, string> = {
        'content-type': 'application/rss+xml; charset=utf-8',
        link: `<${self.hubUrl}>; rel="hub", <${self.feedUrl}>; rel="self"`,
      };
      if (sub.secret)
        headers['x-hub-signature'] =
          `sha256=${createHmac('sha256', sub.secret).update(body).digest('hex')}`;
      const res = await fetch(sub.callback, { method: 'POST', headers, body });
      await res.arrayBuffer();
      return res.status;
    },
    close: () => close(server),
  };
}

/** Downstream WebSub subscriber and webhook receiver: records when each document arrives. */
async function startReceivers() {
  const arrivals: Record<'websub' | 'webhook', { at: number; text: string }[]> = {
    websub: [],
    webhook: [],
  };
  let verified = false;
  const { server, url } = await listen((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && u.pathname === '/subscriber') {
      // Verification of intent by our hub: echo the challenge.
      verified ||= u.searchParams.get('hub.mode') === 'subscribe';
      res.writeHead(200, { 'content-type': 'text/plain' }).end(u.searchParams.get('hub.challenge'));
      return;
    }
    if (req.method !== 'POST') return void res.writeHead(404).end();
    void readBody(req).then((b) => {
      const at = ms();
      const kind = u.pathname === '/subscriber' ? 'websub' : 'webhook';
      arrivals[kind].push({ at, text: b.toString('utf8') });
      res.writeHead(200).end();
    });
  });
  return {
    url,
    arrivals,
    get verified() {
      return verified;
    },
    close: () => close(server),
  };
}

function writeConfig(o: {
  dir: string;
  port: number;
  feedUrl: string;
  hookUrl: string;
  secretEnv: string;
}): string {
  const file = join(o.dir, 'push.yaml');
  const config = {
    site: { title: 'Tributary push bench', baseUrl: `http://127.0.0.1:${o.port}` },
    fetch: {
      timeout: '10s',
      allowPrivateNetworks: true, // publisher, downstream and webhook are on loopback
      defaultInterval: '6h',
      minInterval: '6h',
      maxInterval: '6h',
    },
    push: { hub: true, subscribe: true, leaseSeconds: 86400 },
    webhooks: [{ id: 'bench', url: o.hookUrl, sections: [SECTION], secretEnv: o.secretEnv }],
    worker: { concurrency: 8, shutdownGrace: '10s' },
    // Polling cannot deliver a pushed item: 6 h between polls, and the bench checks it.
    sources: [
      {
        id: 'publisher',
        url: o.feedUrl,
        title: 'Bench publisher',
        lang: 'en',
        interval: '6h',
        fullText: 'never',
      },
    ],
    tags: [],
    sections: [{ id: SECTION, title: 'Pushed', lang: 'en', limit: 50 }],
  };
  writeFileSync(file, JSON.stringify(config, null, 1));
  return file;
}

export async function runPushBench(o: PushBenchOptions): Promise<PushLatency> {
  const loadStart = loadavg()[0]!;
  const rng = createRng(20_261);
  const rand = () => rng.next();
  const runId = Date.now().toString(36);
  const publisher = await startPublisher();
  const receivers = await startReceivers();
  const secretEnv = 'TRIBUTARY_BENCH_WEBHOOK_SECRET';
  // The child inherits the bench's environment (spawnTributary passes process.env on).
  process.env[secretEnv] = `whsec_${randomBytes(32).toString('base64')}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const configPath = writeConfig({
    dir: o.tmp,
    port,
    feedUrl: publisher.feedUrl,
    hookUrl: `${receivers.url}/hook`,
    secretEnv,
  });
  const start = Date.now();
  let items: Item[] = Array.from({ length: 10 }, (_, k) => ({
    guid: `seed-${runId}-${k}`,
    title: `Earlier story ${k}`,
    text: storyText(rand, 40),
    date: new Date(start - (20 - k) * 60_000).toISOString(),
  }));
  publisher.setItems(items);
  let service: ProductProcess | null = null;
  try {
    service = spawnTributary({
      role: 'all',
      configPath,
      redisUrl: o.redisUrl,
      prefix: o.prefix,
      dataDir: join(o.tmp, 'data-push'),
      logFile: join(o.tmp, 'push.log'),
      port,
      nodeArgs: o.nodeArgs,
    });
    const up = async () => (await fetch(`${base}/healthz`).catch(() => null))?.status === 200;
    await waitFor('the single-process service', up, 60_000, 100);
    o.say('push: service ready; waiting for its initial poll to subscribe to the publisher hub');
    await waitFor(
      'the subscription to the publisher hub',
      async () => publisher.subscribed,
      60_000,
    );
    // The downstream subscriber subscribes to our hub for the section's topic (its rel=self).
    const feedRes = await fetch(`${base}/feeds/${SECTION}.rss`);
    await feedRes.arrayBuffer();
    const link = feedRes.headers.get('link') ?? '';
    const topic = /<([^>]*)>\s*;\s*rel="?self"?/.exec(link)?.[1];
    const hub = /<([^>]*)>\s*;\s*rel="?hub"?/.exec(link)?.[1];
    if (!topic || !hub) throw new Error(`bench: /feeds/${SECTION}.rss has no hub/self Link`);
    const subRes = await fetch(hub, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        'hub.mode': 'subscribe',
        'hub.topic': topic,
        'hub.callback': `${receivers.url}/subscriber`,
      }),
    });
    if (subRes.status !== 202) throw new Error(`bench: our hub answered ${subRes.status}`);
    await waitFor(
      'our hub to verify the downstream subscriber',
      async () => receivers.verified,
      30_000,
    );
    // Let the initial poll's distribution and webhook delivery land before timing.
    await sleep(1_500);
    o.say(`push: ${o.pushes} pushes, ${o.spacingMs} ms apart`);

    const websub: number[] = [];
    const webhook: number[] = [];
    const callback: number[] = [];
    const statuses: Record<string, number> = {};
    for (let k = 0; k < o.pushes; k++) {
      const marker = `pmk${runId}n${k}z`;
      items = [
        ...items.slice(-19),
        {
          guid: `push-${runId}-${k}`,
          title: `Pushed story ${marker}`,
          text: storyText(rand, 40),
          date: new Date().toISOString(),
        },
      ];
      publisher.setItems(items);
      const from = {
        websub: receivers.arrivals.websub.length,
        webhook: receivers.arrivals.webhook.length,
      };
      const t0 = ms();
      const status = await publisher.publish();
      callback.push(ms() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      for (const kind of ['websub', 'webhook'] as const) {
        const arrived = async () =>
          receivers.arrivals[kind].slice(from[kind]).find((r) => r.text.includes(marker)) ?? false;
        await waitFor(`${kind} delivery of push ${k}`, async () => !!(await arrived()), 10_000, 2);
        const hit = (await arrived()) as { at: number };
        (kind === 'websub' ? websub : webhook).push(hit.at - t0);
      }
      await sleep(o.spacingMs);
    }
    if (publisher.feedRequests > 1)
      throw new Error(
        `bench: the source was fetched ${publisher.feedRequests} times: a poll may have delivered pushed items`,
      );
    return {
      websub: summary(websub),
      webhook: summary(webhook),
      callback: summary(callback),
      pushes: o.pushes,
      spacingMs: o.spacingMs,
      sourceFetches: publisher.feedRequests,
      statuses,
      loadAvg: { start: loadStart, end: loadavg()[0]! },
    };
  } finally {
    await service?.stop(15_000);
    await publisher.close();
    await receivers.close();
  }
}
