// Per-source settings through the running service, against real loopback servers that record what
// they received: a source's user agent, headers and credentials (read from environment variables)
// reach its feed's origin and never another host, redirects included; wrong credentials show as
// the source's 401/403 while the other sources poll on; `charset` overrides what HTTP and the
// document say; include/exclude keywords decide what is stored; the API never shows a secret.
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollAll, rssFeed, startService, testConfig } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import { testRedisUrl } from '../helpers/redis.ts';

const PASS = 'pa55-w0rd-never-shown';
const TOKEN_SECRET = 'bearer-t0ken-never-shown';
const ADMIN = 'admin-token-for-settings';
process.env.TRIB_TEST_DESK_PASS = PASS;
process.env.TRIB_TEST_WRONG_PASS = 'not-the-password';
process.env.TRIB_TEST_BEARER = TOKEN_SECRET;
delete process.env.TRIB_TEST_UNSET;

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
}
interface Host {
  url: string;
  seen: Seen[];
  server: Server;
}

/** A news page whose article is long enough to replace a teaser. */
const ARTICLE_PAGE = (words: string) =>
  `<!doctype html><html><head><title>p</title></head><body><nav><a href="/">Home</a></nav><article><h1>${words}</h1>${Array.from(
    { length: 8 },
    (_, i) =>
      `<p>${words}: paragraph ${i + 1} of the full article, long enough that a reader would rather have it than the teaser.</p>`,
  ).join('')}</article></body></html>`;

const BASIC = `Basic ${Buffer.from(`reader:${PASS}`).toString('base64')}`;
const item = (guid: string, title: string, description = title) => ({
  guid,
  title,
  link: `https://news.example/${guid}`,
  date: '2026-11-30T10:00:00Z',
  description,
});

/** A loopback host; `routes(path, req)` answers. */
interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

async function host(routes: (path: string, req: IncomingMessage) => Answer): Promise<Host> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen.push({ path, headers: req.headers });
    const r = routes(path, req);
    res.writeHead(r.status, { 'Content-Type': 'application/rss+xml', ...r.headers });
    res.end(r.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

// windows-1256 bytes served as UTF-8 by HTTP and by the XML declaration: only the source's
// `charset` can read them.
const AR_TITLE = 'انتخابات محلية في حلب';
const w1256 = (guid: string) =>
  iconv.encode(
    `<?xml version="1.0" encoding="utf-8"?>\n${rssFeed('عربي', [item(guid, AR_TITLE)], 'ar').replace(/^<\?xml[^>]*>\n/, '')}`,
    'windows-1256',
  );

describe('per-source settings through the running service', () => {
  let a: Host;
  let b: Host;
  let run: Running;
  let base: string;
  /** Requests host A had seen before `ft-open` was polled. */
  let beforeOpen = 0;

  beforeAll(async () => {
    b = await host((path): Answer =>
      path === '/moved.rss'
        ? { status: 200, body: rssFeed('Moved', [item('m1', 'Moved item')]) }
        : path === '/ft-page.html'
          ? {
              status: 200,
              headers: { 'Content-Type': 'text/html' },
              body: ARTICLE_PAGE('Elsewhere'),
            }
          : path === '/ft-open.rss'
            ? {
                status: 200,
                body: rssFeed('Open teasers', [
                  { ...item('fo1', 'Open teaser'), link: `${a.url}/ft-page.html` },
                ]),
              }
            : path === '/perm.rss'
              ? { status: 200, body: rssFeed('Perm', [item('pm1', 'Moved for good')]) }
              : { status: 404 },
    );
    a = await host((path, req): Answer => {
      const auth = req.headers.authorization;
      switch (path) {
        case '/basic.rss':
        case '/admin-added.rss':
          return auth === BASIC
            ? { status: 200, body: rssFeed('Basic', [item(`${path}-1`, 'Behind basic auth')]) }
            : { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="desk"' } };
        case '/bearer.rss':
        case '/opml-1.rss':
          return auth === `Bearer ${TOKEN_SECRET}`
            ? { status: 200, body: rssFeed('Bearer', [item('b1', 'Behind a token')]) }
            : { status: 403 };
        case '/plain.rss':
          return { status: 200, body: rssFeed('Plain', [item('p1', 'Open to all')]) };
        case '/redirect.rss':
          return { status: 302, headers: { Location: `${b.url}/moved.rss` } };
        case '/perm.rss':
          return { status: 301, headers: { Location: `${b.url}/perm.rss` } };
        case '/ft.rss':
          return auth === BASIC
            ? {
                status: 200,
                body: rssFeed('Teasers', [
                  { ...item('ft1', 'Same-origin teaser'), link: `${a.url}/ft-page.html` },
                  { ...item('ft2', 'Other-origin teaser'), link: `${b.url}/ft-page.html` },
                ]),
              }
            : { status: 401 };
        case '/ft-page.html':
          return auth === BASIC
            ? {
                status: 200,
                headers: { 'Content-Type': 'text/html' },
                body: ARTICLE_PAGE('Behind the login'),
              }
            : { status: 401 };
        case '/w1256.rss':
        case '/w1256-raw.rss':
          return {
            status: 200,
            headers: { 'Content-Type': 'application/rss+xml; charset=utf-8' },
            body: w1256(path.slice(1, -4)),
          };
        case '/filtered.rss':
          return {
            status: 200,
            body: rssFeed(
              'Filtered',
              [
                item('f1', 'قصف على ريف إدلب', 'أخبار من سوريا اليوم'),
                item('f2', 'وصول قافلة مساعدات إلى السوريين', 'في سوريا: قافلة جديدة'),
                item('f3', 'إعلان: خصومات', 'إعلان تجاري عن سوريا'),
                item('f4', 'أخبار الطقس في مصر', 'أمطار غزيرة'),
              ],
              'ar',
            ),
          };
        default:
          return { status: 404 };
      }
    });
    const config = testConfig(
      `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - id: basic
    url: "\${A}/basic.rss"
    fetch:
      userAgent: "DeskBot/1.0 (+https://desk.example)"
      headers: { X-Api-Key: key-123 }
      auth: { basic: { user: reader, passwordEnv: TRIB_TEST_DESK_PASS } }
  - { id: wrong, url: "\${A}/basic.rss", fetch: { auth: { basic: { user: reader, passwordEnv: TRIB_TEST_WRONG_PASS } } } }
  - { id: bearer, url: "\${A}/bearer.rss", fetch: { auth: { bearerEnv: TRIB_TEST_BEARER } } }
  - { id: unset, url: "\${A}/bearer.rss", fetch: { auth: { bearerEnv: TRIB_TEST_UNSET } } }
  - { id: plain, url: "\${A}/plain.rss" }
  - id: redirected
    url: "\${A}/redirect.rss"
    fetch:
      headers: { X-Api-Key: key-456 }
      auth: { basic: { user: reader, passwordEnv: TRIB_TEST_DESK_PASS } }
  - { id: ft, url: "\${A}/ft.rss", fetch: { auth: { basic: { user: reader, passwordEnv: TRIB_TEST_DESK_PASS } } } }
  - { id: perm, url: "\${A}/perm.rss", fetch: { auth: { bearerEnv: TRIB_TEST_BEARER } } }
  - { id: w1256, url: "\${A}/w1256.rss", lang: ar, fetch: { charset: windows-1256 } }
  - { id: w1256-raw, url: "\${A}/w1256-raw.rss", lang: ar }
  - id: filtered
    url: "\${A}/filtered.rss"
    lang: ar
    include: { keywords: [سوريا] }
    exclude: { keywords: [إعلان] }
    fullText: never
    push: false
sections:
  - { id: all, title: All, limit: 200 }
`,
      { adminToken: ADMIN },
      { A: a.url },
    );
    run = await startService(config);
    base = run.server!.url;
    await pollAll(run, [
      'basic',
      'wrong',
      'bearer',
      'unset',
      'plain',
      'redirected',
      'perm',
      'ft',
      'w1256',
      'w1256-raw',
      'filtered',
    ]);
    // After `ft` cached the page it fetched with its login: a source without one links it too.
    // Added only now, so it runs strictly after `ft` cached the page.
    beforeOpen = a.seen.length;
    const added = await fetch(`${base}/admin/api/sources`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'ft-open', url: `${b.url}/ft-open.rss` }),
    });
    if (!added.ok) throw new Error(`adding ft-open: ${added.status} ${await added.text()}`);
    await pollAll(run, ['ft-open']);
  }, 60_000);

  afterAll(async () => {
    await run?.stop();
    for (const h of [a, b]) {
      h?.server.closeAllConnections();
      await new Promise((r) => h?.server.close(r));
    }
  });

  const sources = async () => {
    const r = await fetch(`${base}/api/sources`);
    return (
      (await r.json()) as {
        sources: {
          id: string;
          status: string;
          lastError: string | null;
          lastHttpStatus: number | null;
          articleCount: number;
        }[];
      }
    ).sources;
  };
  const source = async (id: string) => (await sources()).find((s) => s.id === id)!;
  const titles = async (id: string) => {
    const r = await fetch(`${base}/feeds/all.json?limit=200`);
    const doc = (await r.json()) as { items: { title: string; _tributary: { source: string } }[] };
    return doc.items.filter((i) => i._tributary.source === id).map((i) => i.title);
  };

  it('sends the source’s user agent, headers and basic credentials to its feed', async () => {
    const req = a.seen.find((s) => s.path === '/basic.rss' && s.headers['x-api-key'] === 'key-123');
    expect(req?.headers['user-agent']).toBe('DeskBot/1.0 (+https://desk.example)');
    expect(req?.headers.authorization).toBe(BASIC);
    expect(await titles('basic')).toEqual(['Behind basic auth']);
    const s = await source('basic');
    expect(s.lastHttpStatus).toBe(200);
    expect(s.lastError).toBeNull();
    // Sources without settings send neither.
    const plain = a.seen.find((x) => x.path === '/plain.rss')!;
    expect(plain.headers.authorization).toBeUndefined();
    expect(plain.headers['x-api-key']).toBeUndefined();
    expect(plain.headers['user-agent']).toMatch(/^Tributary\//);
  });

  it('sends a bearer token from its environment variable', async () => {
    expect(await titles('bearer')).toEqual(['Behind a token']);
    expect((await source('bearer')).lastHttpStatus).toBe(200);
  });

  it('wrong credentials: the source shows 401 as its last error, the others are unaffected', async () => {
    const s = await source('wrong');
    expect(s.status).toBe('error');
    expect(s.lastHttpStatus).toBe(401);
    expect(s.lastError).toMatch(/401/);
    expect(s.articleCount).toBe(0);
    for (const ok of ['basic', 'bearer', 'plain']) expect((await source(ok)).status).toBe('ok');
  });

  it('an unset credentials variable is a clear error on that source, and nothing is fetched without it', async () => {
    const s = await source('unset');
    expect(s.status).toBe('error');
    expect(s.lastError).toContain('TRIB_TEST_UNSET');
    expect(s.lastHttpStatus).toBeNull();
    // Only the bearer source's own requests reached /bearer.rss, each with its token.
    for (const r of a.seen.filter((x) => x.path === '/bearer.rss'))
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN_SECRET}`);
  });

  it('a redirect to another origin carries neither the credentials nor the headers', async () => {
    const first = a.seen.find((s) => s.path === '/redirect.rss')!;
    expect(first.headers.authorization).toBe(BASIC);
    expect(first.headers['x-api-key']).toBe('key-456');
    const moved = b.seen.filter((s) => s.path === '/moved.rss');
    expect(moved.length).toBeGreaterThan(0);
    for (const m of moved) {
      expect(m.headers.authorization).toBeUndefined();
      expect(m.headers['x-api-key']).toBeUndefined();
      expect(m.headers['user-agent']).toMatch(/^Tributary\//);
    }
    expect(await titles('redirected')).toEqual(['Moved item']);
  });

  it('a source moved permanently to another host does not send its credentials there', async () => {
    await pollAll(run, ['perm']); // the second poll goes straight to the new URL
    const atA = a.seen.filter((s) => s.path === '/perm.rss');
    const atB = b.seen.filter((s) => s.path === '/perm.rss');
    expect(atA.length).toBeGreaterThan(0);
    for (const r of atA) expect(r.headers.authorization).toBe(`Bearer ${TOKEN_SECRET}`);
    expect(atB.length).toBeGreaterThan(atA.length);
    for (const r of atB) expect(r.headers.authorization).toBeUndefined();
    expect(await titles('perm')).toEqual(['Moved for good']);
  });

  it('full text: a linked page on the feed’s origin gets the credentials, one elsewhere does not', async () => {
    const same = a.seen.slice(0, beforeOpen).filter((s) => s.path === '/ft-page.html');
    const other = b.seen.filter((s) => s.path === '/ft-page.html');
    expect(same.length).toBeGreaterThan(0);
    for (const r of same) expect(r.headers.authorization).toBe(BASIC);
    expect(other.length).toBeGreaterThan(0);
    for (const r of other) expect(r.headers.authorization).toBeUndefined();
    const r = await fetch(`${base}/feeds/all.json?limit=200`);
    const doc = (await r.json()) as { items: { title: string; content_html?: string }[] };
    const content = (t: string) => doc.items.find((i) => i.title === t)?.content_html ?? '';
    expect(content('Same-origin teaser')).toContain('Behind the login: paragraph 8');
    expect(content('Other-origin teaser')).toContain('Elsewhere: paragraph 8');
  });

  it('full text: a page fetched with one source’s login is not served to a source without it', async () => {
    const pageHits = a.seen.filter((s) => s.path === '/ft-page.html');
    const opened = a.seen.slice(beforeOpen).filter((s) => s.path === '/ft-page.html');
    expect(opened.length).toBeGreaterThan(0);
    // `ft-open` asked for the page itself, without credentials (and got 401), instead of reading
    // the copy `ft` cached with its login.
    expect(pageHits.some((s) => s.headers.authorization === BASIC)).toBe(true);
    expect(pageHits.some((s) => s.headers.authorization === undefined)).toBe(true);
  });

  it('charset overrides HTTP and the XML declaration (a windows-1256 body served as UTF-8)', async () => {
    expect(await titles('w1256')).toEqual([AR_TITLE]);
    // The same bytes without the override are not read as this Arabic text.
    const raw = await titles('w1256-raw');
    expect(raw).toHaveLength(1);
    expect(raw[0]).not.toBe(AR_TITLE);
  });

  it('include/exclude keywords decide what is stored (Arabic clitics and suffixes as in tags)', async () => {
    // f1: "سوريا" in the summary; f2: "السوريين" does not match the keyword "سوريا" but the
    // summary has "سوريا:"; f3 is an ad (excluded); f4 does not mention Syria (not included).
    expect((await titles('filtered')).sort()).toEqual(
      ['قصف على ريف إدلب', 'وصول قافلة مساعدات إلى السوريين'].sort(),
    );
    expect((await source('filtered')).articleCount).toBe(2);
  });

  it('the admin API shows settings without secrets, and adds a source with credentials', async () => {
    const h = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' };
    const list = await (await fetch(`${base}/admin/api/sources`, { headers: h })).text();
    expect(list).not.toContain(PASS);
    expect(list).not.toContain(TOKEN_SECRET);
    expect(list).not.toContain('key-123');
    const basic = (JSON.parse(list) as { sources: Record<string, unknown>[] }).sources.find(
      (s) => s.id === 'basic',
    )!;
    expect(basic.fetch).toEqual({
      userAgent: 'DeskBot/1.0 (+https://desk.example)',
      headers: ['X-Api-Key'],
      charset: null,
      auth: 'basic',
    });
    const filtered = (JSON.parse(list) as { sources: Record<string, unknown>[] }).sources.find(
      (s) => s.id === 'filtered',
    )!;
    expect(filtered).toMatchObject({
      include: { keywords: ['سوريا'] },
      exclude: { keywords: ['إعلان'] },
      fullText: 'never',
      push: false,
    });

    // Added at runtime: discovery fetches with the credentials; Redis keeps the variable's name only.
    const res = await fetch(`${base}/admin/api/sources`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({
        id: 'admin-added',
        url: `${a.url}/admin-added.rss`,
        fetch: { auth: { basic: { user: 'reader', passwordEnv: 'TRIB_TEST_DESK_PASS' } } },
        fullText: 'always',
      }),
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(text).not.toContain(PASS);
    expect(JSON.parse(text)).toMatchObject({
      source: { id: 'admin-added', fetch: { auth: 'basic' }, fullText: 'always' },
    });
    const bad = await fetch(`${base}/admin/api/sources`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({
        id: 'admin-bad',
        url: `${a.url}/plain.rss`,
        fetch: { auth: { basic: { user: 'reader', password: 'inline' } } },
      }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/password/);

    await pollAll(run, ['admin-added']);
    expect(await titles('admin-added')).toEqual(['Behind basic auth']);
    const redis = new Redis(testRedisUrl());
    try {
      const prefix = run.config.env.redisPrefix;
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) {
        const type = await redis.type(k);
        const dump =
          type === 'string'
            ? ((await redis.getBuffer(k)) ?? Buffer.alloc(0)).toString('latin1')
            : type === 'hash'
              ? JSON.stringify(await redis.hgetall(k))
              : '';
        expect(dump.includes(PASS), k).toBe(false);
        expect(dump.includes(TOKEN_SECRET), k).toBe(false);
      }
      const runtime = JSON.stringify(
        await redis.hgetall(keys.find((k) => k.endsWith(':sources:{runtime}')) ?? `${prefix}:none`),
      );
      expect(runtime).toContain('TRIB_TEST_DESK_PASS');
    } finally {
      redis.disconnect();
    }
    // PATCH: null clears a setting, others stay.
    const patched = await fetch(`${base}/admin/api/sources/admin-added`, {
      method: 'PATCH',
      headers: h,
      body: JSON.stringify({ fetch: null, include: { keywords: ['x'] } }),
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { source: unknown }).source).toMatchObject({
      fetch: null,
      include: { keywords: ['x'] },
      fullText: 'always',
    });
  });

  it('OPML import takes the same settings (a `tributary` attribute), and refuses bad ones with the reason', async () => {
    const h = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'text/x-opml' };
    const settings = JSON.stringify({
      fetch: { charset: 'windows-1256', auth: { bearerEnv: 'TRIB_TEST_BEARER' } },
      include: { keywords: ['سوريا'] },
      fullText: 'never',
    }).replace(/"/g, '&quot;');
    const opml = `<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
      <outline text="With settings" xmlUrl="${a.url}/opml-1.rss" tributary="${settings}"/>
      <outline text="Bad settings" xmlUrl="${a.url}/opml-2.rss" tributary='{"fetch":{"auth":{"bearer":"inline-secret"}}}'/>
      <outline text="Not JSON" xmlUrl="${a.url}/opml-3.rss" tributary="fullText=always"/>
    </body></opml>`;
    const res = await fetch(`${base}/admin/api/opml`, { method: 'POST', headers: h, body: opml });
    const body = (await res.json()) as {
      added: string[];
      skipped: { url: string; reason: string }[];
    };
    // The feed is checked as the source will poll it: with its bearer token (else 403).
    expect(body.added).toEqual(['with-settings']);
    expect(body.skipped.map((x) => x.url)).toEqual([`${a.url}/opml-2.rss`, `${a.url}/opml-3.rss`]);
    expect(body.skipped[0]!.reason).toMatch(/fetch\.auth/);
    expect(body.skipped[1]!.reason).toMatch(/not JSON/);
    const view = (await (
      await fetch(`${base}/admin/api/sources/with-settings`, {
        headers: { Authorization: `Bearer ${ADMIN}` },
      })
    ).json()) as { source: Record<string, unknown> };
    expect(view.source).toMatchObject({
      fetch: { charset: 'windows-1256', auth: 'bearer', headers: [], userAgent: null },
      include: { keywords: ['سوريا'] },
      fullText: 'never',
    });
  });
});
