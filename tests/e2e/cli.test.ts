// The `tributary` command as a user runs it: a real child process.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tributary.mjs');

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const seed = readFileSync(
  join(import.meta.dirname, '..', 'fixtures', 'seed-article-ar.txt'),
  'utf8',
);
const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-'));

describe('tributary CLI', () => {
  let feeds: FeedServer;
  let config: string;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/ar.rss', {
      body: rssFeed(
        'عنب بلدي',
        [
          {
            guid: 'seed',
            title: seed.split('\n')[0]!,
            link: 'https://www.enabbaladi.net/archives/420000?utm_campaign=x',
            date: '2020-10-19T14:04:00Z',
            content:
              seed
                .split('\n')
                .slice(1)
                .filter(Boolean)
                .map((p) => `<p>${p}</p>`)
                .join('') + '<img src="/wp/a.jpg"><script>x()</script>',
            categories: ['سوريا'],
          },
        ],
        'ar',
      ),
    });
    feeds.routes.set('/page.html', {
      type: 'text/html; charset=utf-8',
      body: `<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/ar.rss"></head><body>hi</body></html>`,
    });
    config = join(dir, 'cli.yaml');
    writeFileSync(
      config,
      `fetch: { allowPrivateNetworks: true }
retention: { maxAge: 3650d } # the 2020 item is not too old (preview would mark it)
tags:
  - { id: syria, label: Syria, keywords: [سوريا, سوري] }
  - { id: karabakh, label: Karabakh, keywords: [كاراباخ] }
  - { id: azerbaijan, label: Azerbaijan, keywords: [أذربيجان] }
sections:
  - { id: syria, title: سوريا, lang: ar, include: { tags: [syria] } }
`,
    );
  });
  afterAll(async () => {
    await feeds.close();
  });

  it('preview --json prints the processed articles and stores nothing', async () => {
    const r = await run(['preview', `${feeds.url}/ar.rss`, '--json', '--config', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const articles = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(articles).toHaveLength(1);
    const a = articles[0]!;
    expect(Object.keys(a).sort()).toEqual(
      [
        'id',
        'url',
        'title',
        'published',
        'updated',
        'author',
        'summary',
        'contentHtml',
        'image',
        'enclosures',
        'lang',
        'tags',
        'sourceCategories',
      ].sort(),
    );
    expect(a.url).toBe('https://www.enabbaladi.net/archives/420000');
    expect(a.lang).toBe('ar');
    expect(a.published).toBe('2020-10-19T14:04:00.000Z');
    expect(a.tags).toEqual(expect.arrayContaining(['syria', 'karabakh', 'azerbaijan']));
    expect(a.contentHtml).not.toContain('<script');
    expect(a.contentHtml).toContain('https://www.enabbaladi.net/wp/a.jpg');
    expect((a.summary as string).length).toBeLessThanOrEqual(300);
    expect(a.sourceCategories).toEqual(['سوريا']);
  });

  it('preview follows feed links on an HTML page', async () => {
    const r = await run(['preview', `${feeds.url}/page.html`, '--json', '--config', config]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
  });

  it('preview fails with a one-line reason', async () => {
    const r = await run(['preview', `${feeds.url}/missing.rss`, '--json', '--config', config]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/404/);
  });

  it('preview of an address without a scheme suggests the https URL', async () => {
    const r = await run(['preview', 'www.example.org/feed']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe(
      'tributary preview: not a URL: www.example.org/feed (did you mean https://www.example.org/feed?)\n',
    );
  });

  it('check-config accepts the shipped configs and names file, line, key and problem on error', async () => {
    for (const f of ['config/default.yaml', 'config/demo.yaml']) {
      const ok = await run(['check-config', join(import.meta.dirname, '..', '..', f)]);
      expect(ok.code, ok.stderr).toBe(0);
    }
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'fetch:\n  timeout: soon\nsources:\n  - { id: x, url: "ftp://nope" }\n');
    const r = await run(['check-config', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(/line 2: fetch\.timeout: not a duration/);
    expect(r.stderr).toMatch(/line 4: sources\[0\]\.url: must be an absolute http\(s\) URL/);
  });

  it('import-opml adds runtime sources to Redis', async () => {
    const opml = join(dir, 'subs.opml');
    writeFileSync(
      opml,
      `<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
<outline text="News"><outline type="rss" text="Levant Wire" title="Levant Wire" xmlUrl="https://levant.example/feed.xml"/>
<outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/></outline></body></opml>`,
    );
    const prefix = uniquePrefix('cli');
    // --no-verify: levant.example is not fetched (the checked import is in first-hour-cli.test.ts).
    const r = await run(
      ['import-opml', opml, '--config', config, '--section', 'syria', '--no-verify'],
      {
        REDIS_URL: testRedisUrl(),
        TRIBUTARY_REDIS_PREFIX: prefix,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/imported 1 of 2 feeds/);
    const redis = createRedis(parseRedisTarget(testRedisUrl()));
    try {
      const runtime = await createStore(redis, { prefix, unhealthyAfter: 3 }).sources.listRuntime();
      expect(runtime.map((s) => [s.id, s.url, s.sections])).toEqual([
        ['levant-wire', 'https://levant.example/feed.xml', ['syria']],
      ]);
    } finally {
      await closeRedis(redis);
    }
  });

  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-v']) {
      const r = await run([flag]);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, `tributary ${version}\n`, '']);
    }
  });

  it('unknown commands print usage and exit non-zero', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Usage: tributary/);
  });
});
