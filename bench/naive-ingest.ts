// The ingest baseline: what a naive script does with the same feeds and the same concurrency —
// fetch, parse with rss-parser, and pipeline one HSET per item into Redis. No conditional
// requests, sanitizing, language detection, tagging, dedupe, indexes or queue.
// Run as a child process: node --import tsx bench/naive-ingest.ts '<json options>'
// Prints one JSON line: { items, feeds, ms }.
import { Redis } from 'ioredis';
import Parser from 'rss-parser';

interface Options {
  urls: string[];
  redisUrl: string;
  prefix: string;
  concurrency: number;
}

async function main() {
  const o = JSON.parse(process.argv[2] ?? '{}') as Options;
  const redis = new Redis(o.redisUrl);
  await redis.ping();
  const parser = new Parser();
  let next = 0;
  let items = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < o.urls.length) {
      const url = o.urls[next++]!;
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      const feed = await parser.parseString(await res.text());
      const pipe = redis.pipeline();
      for (const it of feed.items) {
        pipe.hset(`${o.prefix}:item:${it.guid ?? it.link}`, {
          title: it.title ?? '',
          link: it.link ?? '',
          published: it.isoDate ?? '',
          author: it.creator ?? '',
          categories: (it.categories ?? []).join(','),
          summary: it.contentSnippet ?? '',
          content: (it as { 'content:encoded'?: string })['content:encoded'] ?? it.content ?? '',
          feed: url,
        });
      }
      await pipe.exec();
      items += feed.items.length;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, lane));
  const ms = performance.now() - t0;
  await redis.quit();
  process.stdout.write(`${JSON.stringify({ items, feeds: o.urls.length, ms })}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`naive-ingest: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
