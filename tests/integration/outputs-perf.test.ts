// The cached feed path, by structure rather than by timing (a shared 2-core machine makes timing
// assertions flaky): a feed is rendered once per section version, and every repeat, plain, gzip,
// brotli or conditional, is answered from that one rendering. The req/s figures against a bare
// node:http server are `npm run bench` (`serve.*`, bench/README.md), not this test.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { request } from 'node:http';
import { testConfig, startService, pollAll, startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';

const items = Array.from({ length: 100 }, (_, i) => ({
  guid: `p-${i}`,
  title: `Story ${i}: a headline of ordinary length for a news item`,
  link: `https://perf.example/story/${i}`,
  date: new Date(Date.now() - (i + 1) * 600_000).toISOString(),
  content: `<p>${'A paragraph of body text with some words in it. '.repeat(20)}</p>`,
}));

/** A raw GET (fetch would decompress): status, headers and the body bytes as sent. */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/** Render-cache hits / lookups from the server's own /metrics. */
async function hitRatio(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^tributary_feed_cache_hit_ratio (\S+)$/m.exec(text);
  if (!m) throw new Error('no tributary_feed_cache_hit_ratio in /metrics');
  return Number(m[1]);
}

describe('cached feed path', () => {
  let feeds: FeedServer;
  let run: Running;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/p.rss', { body: rssFeed('Perf', items) });
    run = await startService(
      testConfig(
        `
site: { title: Perf, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources: [ { id: perf, url: "\${BASE}/p.rss", lang: en } ]
sections: [ { id: perf, title: Perf, lang: en, limit: 100 } ]
`,
        {},
        { BASE: feeds.url },
      ),
    );
    await pollAll(run, ['perf']);
  }, 60_000);

  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  it('renders a 100-item section once and answers 200 repeats (plain, gzip, br, 304) from that rendering', async () => {
    const base = run.server!.url;
    const url = `${base}/feeds/perf.rss`;
    const first = await get(url);
    expect(first.status).toBe(200);
    expect(first.body.length).toBeGreaterThan(50_000);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"/);
    const ratio0 = await hitRatio(base); // one miss so far: the first rendering

    const N = 50;
    for (let i = 0; i < N; i++) {
      const plain = await get(url);
      expect(plain.status).toBe(200);
      expect(plain.body.equals(first.body)).toBe(true);
      const gz = await get(url, { 'accept-encoding': 'gzip' });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.body).equals(first.body)).toBe(true);
      const br = await get(url, { 'accept-encoding': 'br, gzip' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.body).equals(first.body)).toBe(true);
      const notModified = await get(url, { 'if-none-match': etag });
      expect(notModified.status).toBe(304);
      expect(notModified.body.length).toBe(0);
      expect(notModified.headers.etag).toBe(etag);
    }
    // 4N more lookups, every one a hit: no rendering per request.
    expect(ratio0).toBe(0);
    const ratio = await hitRatio(base);
    expect(ratio).toBeCloseTo((4 * N) / (4 * N + 1), 6);
  }, 60_000);
});
