// The hand-written broken-feed fixtures (tests/fixtures/corpus) served over loopback HTTP to the
// running service: every entry a tolerant reader salvages is stored, and a feed that needed
// repairs says so on the source (`warnings` in /api/sources) and in /metrics.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollAll, startFeedServer, startService, testConfig } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';

const corpus = join(import.meta.dirname, '..', 'fixtures', 'corpus');

// fixture, articles stored, repair kinds shown on the source
const CASES: [string, number, string[]][] = [
  ['atom-bare-link.atom', 4, []],
  ['mismatched-tag-late.rss', 5, ['mismatched-tag']],
  ['unclosed-tag-late.rss', 4, ['unclosed-tag']],
  ['prefixed-root.atom', 2, []],
  ['nested-items.rss', 3, []],
  ['gzip-without-content-encoding.rss.gz', 2, ['gzip-sniffed']],
  ['rss-1.1.rss', 2, []],
  ['cdf-channel.cdf', 2, []],
  ['billion-laughs.rss', 2, ['doctype-entities', 'entities']],
  ['untitled-entries.atom', 4, []],
  ['untitled-guid-only-arabic.rss', 2, []],
];
const idOf = (file: string) => file.replace(/[^a-z0-9]+/g, '-');

const CONFIG = `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
${CASES.map(([f]) => `  - { id: ${idOf(f)}, url: "\${BASE}/${f}" }`).join('\n')}
sections:
  - { id: all, title: All, limit: 200 }
`;

interface SourceJson {
  id: string;
  status: string;
  articleCount: number;
  lastError: string | null;
  warnings: string[];
}

describe('broken feeds through the running service', () => {
  let feeds: FeedServer;
  let run: Running;
  let base: string;

  beforeAll(async () => {
    feeds = await startFeedServer();
    for (const [file] of CASES) {
      // Served as a misconfigured server would: the gzip file as the body, no Content-Encoding.
      feeds.routes.set(`/${file}`, {
        type: file.endsWith('.atom') ? 'application/atom+xml' : 'application/xml',
        body: readFileSync(join(corpus, file)),
      });
    }
    run = await startService(testConfig(CONFIG, {}, { BASE: feeds.url }));
    base = run.server!.url;
    await pollAll(
      run,
      CASES.map(([f]) => idOf(f)),
    );
  }, 60_000);

  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  it.each(CASES)(
    '%s: %i entries stored, repairs %j shown on the source',
    async (file, count, kinds) => {
      const r = await fetch(`${base}/api/sources`);
      const { sources } = (await r.json()) as { sources: SourceJson[] };
      const s = sources.find((x) => x.id === idOf(file))!;
      expect(s.lastError).toBeNull();
      expect(s.status).toBe('ok');
      expect(s.articleCount).toBe(count);
      expect(s.warnings.map((w) => /^repaired ([a-z-]+):/.exec(w)?.[1])).toEqual(kinds);
    },
  );

  it('counts repairs by kind in /metrics', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const kind of ['mismatched-tag', 'unclosed-tag', 'gzip-sniffed', 'doctype-entities'])
      expect(text).toMatch(new RegExp(`tributary_feed_repairs_total\\{kind="${kind}"\\} [1-9]`));
  });

  it('publishes untitled entries titled from content, link or "(untitled)" in the feed language', async () => {
    const feed = (await (await fetch(`${base}/feeds/all.json`)).json()) as {
      items: { title: string; url?: string }[];
    };
    const titles = feed.items.map((i) => i.title);
    expect(titles).toContain('(بدون عنوان)');
    expect(titles).toContain('(untitled)');
    expect(titles.some((t) => t.startsWith('The council voted on Tuesday'))).toBe(true);
    expect(titles).toContain('https://untitled.example/posts/42');
    expect(titles).toContain('Second entry, its link element has no attributes');
  });
});
