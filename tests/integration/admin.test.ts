// The admin API against the real service: auth, sources (add with discovery, SSRF refusal, pause,
// read-only config sources, delete, refresh), curation (pins, hides, manual tags) visible in the
// outputs at once, OPML round trip, limits and validation, the OpenAPI document, the queue
// dashboard, and runtime sources surviving a restart.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testConfig, startService, startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import type { Config } from '../../src/domain/types.ts';

const TOKEN = 'test-admin-token-0123456789';

const CONFIG = `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: cfg, url: "\${BASE}/c.rss", title: Config source, lang: en }
tags:
  - { id: featured, label: Featured, keywords: [zzzfeatured] }
sections:
  - { id: all, title: All, lang: en }
  - { id: featured, title: Featured, lang: en, include: { tags: [featured] } }
`;

const alphaItems = [
  {
    guid: 'a-1',
    title: 'Alpha one',
    link: 'https://alpha.example/1',
    date: '2024-05-01T10:00:00Z',
  },
  {
    guid: 'a-2',
    title: 'Alpha two',
    link: 'https://alpha.example/2',
    date: '2024-05-02T10:00:00Z',
  },
  {
    guid: 'a-3',
    title: 'Alpha three',
    link: 'https://alpha.example/3',
    date: '2024-05-03T10:00:00Z',
  },
];
const betaItems = [
  { guid: 'b-1', title: 'Beta one', link: 'https://beta.example/1', date: '2024-03-01T10:00:00Z' },
];
const cfgItems = [
  { guid: 'c-1', title: 'Config one', link: 'https://cfg.example/1', date: '2024-04-01T10:00:00Z' },
];

interface JsonFeed {
  items: { id: string; title: string }[];
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function client(base: string, token: string | null = TOKEN) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= typeof body === 'string' ? 'text/plain' : 'application/json';
    }
    const res = await fetch(`${base}${path}`, {
      method,
      headers: h,
      body: payload,
      redirect: 'manual',
    });
    const text = await res.text();
    let json: any = null; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

describe('admin API', () => {
  let feeds: FeedServer;
  let run: Running;
  let config: Config;
  let base: string;
  let api: ReturnType<typeof client>;
  const titles = async (section: string) =>
    ((await (await fetch(`${base}/feeds/${section}.json`)).json()) as JsonFeed).items.map(
      (i) => i.title,
    );
  const idOf = async (section: string, title: string) => {
    const feed = (await (
      await fetch(`${base}/feeds/${section}.json?limit=200`)
    ).json()) as JsonFeed;
    const item = feed.items.find((i) => i.title === title);
    if (!item) throw new Error(`no "${title}" in ${section}`);
    return decodeURIComponent(item.id.replace('urn:tributary:article:', ''));
  };
  const refreshAndWait = async (id: string) => {
    const since = Date.now() - 1;
    const r = await api('POST', `/admin/api/sources/${id}/refresh`);
    expect(r.status).toBe(202);
    await waitFor(`poll of ${id}`, async () => {
      const st = await run.store.sources.getState(id);
      return st.lastFetch !== null && Date.parse(st.lastFetch) >= since;
    });
  };

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/a.rss', { body: rssFeed('Alpha', alphaItems) });
    feeds.routes.set('/b.rss', { body: rssFeed('Beta', betaItems) });
    feeds.routes.set('/c.rss', { body: rssFeed('Config', cfgItems) });
    feeds.routes.set('/page.html', {
      type: 'text/html; charset=utf-8',
      body: '<!doctype html><html><head><title>Beta news</title><link rel="alternate" type="application/rss+xml" title="Beta" href="/b.rss"></head><body>Hi</body></html>',
    });
    feeds.routes.set('/nofeed.html', {
      type: 'text/html',
      body: '<!doctype html><html><head><title>x</title></head><body>none</body></html>',
    });
    config = testConfig(CONFIG, { adminToken: TOKEN }, { BASE: feeds.url });
    run = await startService(config);
    base = run.server!.url;
    api = client(base);
  });

  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  it('refuses a missing or wrong token with 401 JSON and WWW-Authenticate, accepts the right one', async () => {
    const none = await client(base, null)('GET', '/admin/api/sources');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.json.error.code).toBe('unauthorized');
    const wrong = await client(base, `${TOKEN}x`)('GET', '/admin/api/sources');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const short = await client(base, 'x')('POST', '/admin/api/hides', { articleId: 'a' });
    expect(short.status).toBe(401);
    const ok = await api('GET', '/admin/api/sources');
    expect(ok.status).toBe(200);
    const cfg = ok.json.sources.find((s: { id: string }) => s.id === 'cfg');
    expect(cfg).toMatchObject({ id: 'cfg', origin: 'config', readOnly: true, paused: false });
    expect(cfg.health).toHaveProperty('status');
  });

  it('serves an OpenAPI 3.1 document listing every route', async () => {
    const r = await client(base, null)('GET', '/admin/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.1.0');
    const paths = Object.keys(r.json.paths);
    for (const p of [
      '/admin/api/sources',
      '/admin/api/sources/{id}',
      '/admin/api/sources/{id}/pause',
      '/admin/api/sources/{id}/resume',
      '/admin/api/sources/{id}/refresh',
      '/admin/api/sections/{id}/pins',
      '/admin/api/sections/{id}/pins/{articleId}',
      '/admin/api/sections/{id}/hides',
      '/admin/api/sections/{id}/hides/{articleId}',
      '/admin/api/hides',
      '/admin/api/articles/{id}',
      '/admin/api/articles/{id}/tags',
      '/admin/api/opml',
      '/admin/queues',
      '/admin/login',
    ])
      expect(paths).toContain(p);
    expect(Object.keys(r.json.paths['/admin/api/sources'])).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
  });

  it('validates bodies: 400 with zod issues, 400 on bad JSON, 413 when too large', async () => {
    const bad = await api('POST', '/admin/api/sources', {
      id: 'Bad ID',
      url: 'ftp://example.org/feed',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('bad-request');
    const paths = bad.json.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'url']));
    const notJson = await api('POST', '/admin/api/sources', '{"id": ', {
      'content-type': 'application/json',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.message).toMatch(/not JSON/);
    const unknownTag = await api('POST', '/admin/api/sources', {
      id: 'x',
      url: `${feeds.url}/a.rss`,
      tags: ['nope'],
    });
    expect(unknownTag.status).toBe(400);
    const big = await api('POST', '/admin/api/sources', {
      id: 'big',
      url: `${feeds.url}/a.rss`,
      title: 'x'.repeat(1_100_000),
    });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('payload-too-large');
    const notFeed = await api('POST', '/admin/api/sources', {
      id: 'nofeed',
      url: `${feeds.url}/nofeed.html`,
    });
    expect(notFeed.status).toBe(422);
    expect(notFeed.json.error.code).toBe('no-feed-found');
  });

  it('adds a runtime source, refreshes it, and its articles reach the section', async () => {
    const r = await api('POST', '/admin/api/sources', {
      id: 'alpha',
      url: `${feeds.url}/a.rss`,
      tags: [],
      interval: '30m',
    });
    expect(r.status).toBe(201);
    expect(r.json.source).toMatchObject({
      id: 'alpha',
      url: `${feeds.url}/a.rss`,
      title: 'Alpha',
      origin: 'runtime',
      interval: 1_800_000,
    });
    expect(r.json.feed).toEqual({ discoveredFrom: null, items: 3 });
    const dup = await api('POST', '/admin/api/sources', { id: 'alpha', url: `${feeds.url}/b.rss` });
    expect(dup.status).toBe(409);
    // The scheduler follows at once.
    const schedulers = await run.queue.getJobSchedulers(0, -1, true);
    expect(schedulers.map((s) => s.key)).toContain('poll:alpha');
    await refreshAndWait('alpha');
    await refreshAndWait('cfg');
    expect(await titles('all')).toEqual(['Alpha three', 'Alpha two', 'Alpha one', 'Config one']);
  });

  it('finds the feed behind an HTML page (autodiscovery)', async () => {
    const r = await api('POST', '/admin/api/sources', {
      id: 'beta',
      url: `${feeds.url}/page.html`,
    });
    expect(r.status).toBe(201);
    expect(r.json.source.url).toBe(`${feeds.url}/b.rss`);
    expect(r.json.feed.discoveredFrom).toBe(`${feeds.url}/page.html`);
    await refreshAndWait('beta');
    expect(await titles('all')).toEqual([
      'Alpha three',
      'Alpha two',
      'Alpha one',
      'Config one',
      'Beta one',
    ]);
  });

  it('keeps config sources read-only (409) but lets runtime sources change', async () => {
    const patch = await api('PATCH', '/admin/api/sources/cfg', { title: 'New' });
    expect(patch.status).toBe(409);
    expect(patch.json.error.code).toBe('conflict');
    expect((await api('DELETE', '/admin/api/sources/cfg')).status).toBe(409);
    const ok = await api('PATCH', '/admin/api/sources/beta', { title: 'Beta desk', priority: 5 });
    expect(ok.status).toBe(200);
    expect(ok.json.source).toMatchObject({
      title: 'Beta desk',
      priority: 5,
      url: `${feeds.url}/b.rss`,
    });
    // push: false (never subscribe to the source's WebSub hub) is kept and shown.
    const noPush = await api('PATCH', '/admin/api/sources/beta', { push: false });
    expect(noPush.status).toBe(200);
    expect(noPush.json.source.push).toBe(false);
    expect((await run.store.sources.listRuntime()).find((s) => s.id === 'beta')!.push).toBe(false);
    expect((await api('PATCH', '/admin/api/sources/beta', {})).status).toBe(400);
    expect((await api('PATCH', '/admin/api/sources/nope', { title: 'x' })).status).toBe(404);
  });

  it("PATCH of sections or tags applies to the source's stored articles at once and says how many", async () => {
    expect(await titles('featured')).not.toContain('Beta one');
    const toSection = await api('PATCH', '/admin/api/sources/beta', { sections: ['featured'] });
    expect(toSection.status).toBe(200);
    expect(toSection.json.applied).toEqual({ articles: 1, replaced: 1 });
    // No retag, no re-poll: the feed shows it now.
    expect(await titles('featured')).toContain('Beta one');
    const back = await api('PATCH', '/admin/api/sources/beta', { sections: [] });
    expect(back.json.applied).toEqual({ articles: 1, replaced: 1 });
    expect(await titles('featured')).not.toContain('Beta one');
    // A source tag that a section includes does the same.
    const tagged = await api('PATCH', '/admin/api/sources/beta', { tags: ['featured'] });
    expect(tagged.json.applied).toEqual({ articles: 1, replaced: 1 });
    expect(await titles('featured')).toContain('Beta one');
    const untagged = await api('PATCH', '/admin/api/sources/beta', { tags: [] });
    expect(untagged.json.applied).toEqual({ articles: 1, replaced: 1 });
    expect(await titles('featured')).not.toContain('Beta one');
    // A change of something else re-places nothing and says nothing about it.
    const title = await api('PATCH', '/admin/api/sources/beta', { title: 'Beta desk' });
    expect(title.json.applied).toBeUndefined();
  });

  it('pauses and resumes config and runtime sources, and the schedulers follow', async () => {
    const keys = async () => (await run.queue.getJobSchedulers(0, -1, true)).map((s) => s.key);
    for (const id of ['cfg', 'alpha']) {
      const p = await api('POST', `/admin/api/sources/${id}/pause`);
      expect(p.status).toBe(200);
      expect(p.json.source).toMatchObject({ id, enabled: false, paused: true });
      expect(p.json.source.health.status).toBe('paused');
      expect(await keys()).not.toContain(`poll:${id}`);
      const pub = (await (await fetch(`${base}/api/sources`)).json()) as {
        sources: { id: string; enabled: boolean }[];
      };
      expect(pub.sources.find((s) => s.id === id)?.enabled).toBe(false);
      expect((await api('POST', `/admin/api/sources/${id}/refresh`)).status).toBe(409);
      const r = await api('POST', `/admin/api/sources/${id}/resume`);
      expect(r.status).toBe(200);
      expect(r.json.source).toMatchObject({ enabled: true, paused: false });
      expect(r.json.source.health.status).toBe('ok');
      expect(await keys()).toContain(`poll:${id}`);
    }
  });

  it('a pin shows first at once, an unpin restores the order; pins can expire', async () => {
    const before = await titles('all'); // also fills the render cache
    expect(before[0]).toBe('Alpha three');
    const id = await idOf('all', 'Alpha one');
    const pin = await api('POST', '/admin/api/sections/all/pins', { articleId: id });
    expect(pin.status).toBe(201);
    expect(pin.json.pins.map((p: { articleId: string }) => p.articleId)).toEqual([id]);
    expect(await titles('all')).toEqual([
      'Alpha one',
      'Alpha three',
      'Alpha two',
      'Config one',
      'Beta one',
    ]);
    const rss = await (await fetch(`${base}/feeds/all.rss`)).text();
    expect(rss.indexOf('Alpha one')).toBeLessThan(rss.indexOf('Alpha three'));
    // A second pin goes above the first.
    const id2 = await idOf('all', 'Config one');
    expect((await api('POST', '/admin/api/sections/all/pins', { articleId: id2 })).status).toBe(
      201,
    );
    expect(await titles('all')).toEqual([
      'Config one',
      'Alpha one',
      'Alpha three',
      'Alpha two',
      'Beta one',
    ]);
    // Paging: pins lead the head page only; the next page holds the rest without repeating pins.
    const head = (await (await fetch(`${base}/feeds/all.json?limit=3`)).json()) as JsonFeed & {
      next_url?: string;
    };
    expect(head.items.map((i) => i.title)).toEqual(['Config one', 'Alpha one', 'Alpha three']);
    const rest = (await (
      await fetch(head.next_url!.replace(/^https?:\/\/[^/]+/, base))
    ).json()) as JsonFeed;
    expect(rest.items.map((i) => i.title)).toEqual(['Alpha two', 'Beta one']);
    // A head page that only pins fill: the next page starts at the top of the flow, skipping nothing.
    const pinsOnly = (await (await fetch(`${base}/feeds/all.json?limit=2`)).json()) as JsonFeed & {
      next_url?: string;
    };
    expect(pinsOnly.items.map((i) => i.title)).toEqual(['Config one', 'Alpha one']);
    const flow = (await (
      await fetch(pinsOnly.next_url!.replace(/^https?:\/\/[^/]+/, base))
    ).json()) as JsonFeed;
    expect(flow.items.map((i) => i.title)).toEqual(['Alpha three', 'Alpha two']);
    expect((await api('DELETE', `/admin/api/sections/all/pins/${id2}`)).status).toBe(200);
    expect((await api('DELETE', `/admin/api/sections/all/pins/${id}`)).status).toBe(200);
    expect(await titles('all')).toEqual(before);
    expect((await api('DELETE', `/admin/api/sections/all/pins/${id}`)).status).toBe(404);
    expect(
      (await api('POST', '/admin/api/sections/all/pins', { articleId: 'no-such-article' })).status,
    ).toBe(404);
    expect((await api('POST', '/admin/api/sections/nope/pins', { articleId: id })).status).toBe(
      404,
    );
    const past = await api('POST', '/admin/api/sections/all/pins', {
      articleId: id,
      until: '2001-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);

    // A timed pin leaves the (cached) feed by itself once it expires.
    const until = new Date(Date.now() + 1500).toISOString();
    expect(
      (await api('POST', '/admin/api/sections/all/pins', { articleId: id, until })).status,
    ).toBe(201);
    expect((await titles('all'))[0]).toBe('Alpha one');
    await waitFor(
      'the pin to expire',
      async () => (await titles('all'))[0] === 'Alpha three',
      12_000,
    );
    const state = await api('GET', '/admin/api/sections/all');
    expect(state.json.pins).toEqual([]);
  }, 30_000);

  it('a hide removes the item at once from RSS, Atom and JSON; a global hide from every section', async () => {
    const id = await idOf('all', 'Alpha two');
    const outputs = async (section: string) =>
      Promise.all(
        ['rss', 'atom', 'json'].map(async (f) =>
          (await fetch(`${base}/feeds/${section}.${f}`)).text(),
        ),
      );
    for (const body of await outputs('all')) expect(body).toContain('Alpha two');
    expect((await api('POST', '/admin/api/sections/all/hides', { articleId: id })).status).toBe(
      201,
    );
    for (const body of await outputs('all')) {
      expect(body).not.toContain('Alpha two');
      expect(body).toContain('Alpha three');
    }
    expect((await api('DELETE', `/admin/api/sections/all/hides/${id}`)).status).toBe(200);
    for (const body of await outputs('all')) expect(body).toContain('Alpha two');

    // Global: also put it in the featured section first (manual tag), then hide it everywhere.
    expect(
      (await api('POST', `/admin/api/articles/${id}/tags`, { add: ['featured'] })).status,
    ).toBe(200);
    expect(await titles('featured')).toEqual(['Alpha two']);
    const g = await api('POST', '/admin/api/hides', { articleId: id });
    expect(g.status).toBe(201);
    expect(g.json.hides).toEqual([id]);
    for (const section of ['all', 'featured'])
      for (const body of await outputs(section)) expect(body).not.toContain('Alpha two');
    expect((await api('DELETE', `/admin/api/hides/${id}`)).status).toBe(200);
    expect(await titles('featured')).toEqual(['Alpha two']);
    expect(
      (await api('POST', `/admin/api/articles/${id}/tags`, { remove: ['featured'] })).status,
    ).toBe(200);
    expect(await titles('featured')).toEqual([]);
  });

  it('manual tags put an article into a tag-based section at once and are kept apart', async () => {
    const id = await idOf('all', 'Alpha three');
    expect(await titles('featured')).not.toContain('Alpha three');
    const r = await api('POST', `/admin/api/articles/${id}/tags`, { add: ['featured'] });
    expect(r.status).toBe(200);
    expect(r.json.tags).toContain('featured');
    expect(r.json.sections).toEqual(['all', 'featured']);
    expect(await titles('featured')).toContain('Alpha three');
    const json = (await (await fetch(`${base}/feeds/featured.json`)).json()) as {
      items: { title: string; tags?: string[] }[];
    };
    expect(json.items.find((i) => i.title === 'Alpha three')?.tags).toContain('featured');
    const art = await api('GET', `/admin/api/articles/${id}`);
    expect(art.status).toBe(200);
    expect(art.json.article).toMatchObject({ id, title: 'Alpha three' });
    expect(art.json.article.tags).toContain('featured');
    expect(art.json.manualTags).toEqual({ add: ['featured'], remove: [] });
    expect(art.json.sections).toEqual(['all', 'featured']);
    const both = await api('POST', `/admin/api/articles/${id}/tags`, {
      add: ['featured'],
      remove: ['featured'],
    });
    expect(both.status).toBe(400);
    expect((await api('GET', '/admin/api/articles/nope')).status).toBe(404);
  });

  it('exports OPML and imports it (round trip), skipping known URLs', async () => {
    const exp = await api('GET', '/admin/api/opml');
    expect(exp.status).toBe(200);
    expect(exp.headers.get('content-type')).toMatch(/opml/);
    for (const u of ['/a.rss', '/b.rss', '/c.rss'])
      expect(exp.text).toContain(`xmlUrl="${feeds.url}${u}"`);
    // Importing our own export changes nothing: every URL is already a source.
    const again = await api('POST', '/admin/api/opml', exp.text, { 'content-type': 'text/x-opml' });
    expect(again.status).toBe(200);
    expect(again.json.added).toEqual([]);
    expect(again.json.skipped).toHaveLength(3);
    feeds.routes.set('/g.rss', { body: rssFeed('Gamma', betaItems) });
    const opml = `<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
      <outline text="Gamma &amp; Co" title="Gamma &amp; Co" type="rss" xmlUrl="${feeds.url}/g.rss"/>
      <outline text="Alpha again" xmlUrl="${feeds.url}/a.rss"/></body></opml>`;
    const imp = await api('POST', '/admin/api/opml?section=featured', opml, {
      'content-type': 'text/x-opml',
    });
    expect(imp.status).toBe(201);
    expect(imp.json.added).toEqual(['gamma-co']);
    expect(imp.json.skipped).toEqual([{ url: `${feeds.url}/a.rss`, reason: 'already a source' }]);
    const g = await api('GET', '/admin/api/sources/gamma-co');
    expect(g.json.source).toMatchObject({
      url: `${feeds.url}/g.rss`,
      title: 'Gamma & Co',
      sections: ['featured'],
      origin: 'runtime',
    });
    expect((await api('GET', '/admin/api/opml')).text).toContain('title="Gamma &amp; Co"');
    expect((await api('POST', '/admin/api/opml?section=nope', opml)).status).toBe(404);
    expect((await api('POST', '/admin/api/opml', 'not xml at all')).status).toBe(400);
  });

  it('OPML import checks each feed like POST /admin/api/sources and reports each; ?verify=false skips the check', async () => {
    const opml = `<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
      <outline text="Gone" xmlUrl="${feeds.url}/gone.rss"/>
      <outline text="A page" xmlUrl="${feeds.url}/nofeed.html"/>
      <outline text="Delta page" xmlUrl="${feeds.url}/page.html"/>
      <outline text="Not http" xmlUrl="ftp://x.example/f"/></body></opml>`;
    const before = (await api('GET', '/admin/api/sources')).json.sources.length;
    const imp = await api('POST', '/admin/api/opml', opml, { 'content-type': 'text/x-opml' });
    expect(imp.json.feeds).toHaveLength(4);
    const [gone, page, found, ftp] = imp.json.feeds;
    expect(gone).toMatchObject({ url: `${feeds.url}/gone.rss`, outcome: 'skipped' });
    expect(gone.reason).toMatch(/404/);
    expect(page).toMatchObject({ outcome: 'skipped' });
    expect(page.reason).toMatch(/HTML page that announces no feed/);
    expect(ftp).toMatchObject({ outcome: 'skipped', reason: 'not an http(s) URL' });
    // An HTML page that announces a feed: the feed is saved, as POST /admin/api/sources does —
    // unless that feed is a source already.
    if (found.outcome === 'added') {
      expect(found.feedUrl).not.toBe(found.url);
      await api('DELETE', `/admin/api/sources/${found.id}`);
    } else expect(found.reason).toMatch(/already a source/);
    // Nothing refused was saved.
    const after = (await api('GET', '/admin/api/sources')).json.sources as { url: string }[];
    expect(after.map((s) => s.url)).not.toContain(`${feeds.url}/gone.rss`);
    expect(after.map((s) => s.url)).not.toContain(`${feeds.url}/nofeed.html`);
    expect(after.length).toBe(before);

    const unchecked = await api(
      'POST',
      '/admin/api/opml?verify=false',
      `<opml version="2.0"><body><outline text="Gone later" xmlUrl="${feeds.url}/gone2.rss"/></body></opml>`,
      { 'content-type': 'text/x-opml' },
    );
    expect(unchecked.status).toBe(201);
    expect(unchecked.json.feeds).toEqual([
      { url: `${feeds.url}/gone2.rss`, outcome: 'added', id: 'gone-later' },
    ]);
    await api('DELETE', '/admin/api/sources/gone-later');
    expect((await api('POST', '/admin/api/opml?verify=maybe', opml)).status).toBe(400);
  });

  it('deletes a runtime source', async () => {
    expect((await api('DELETE', '/admin/api/sources/gamma-co')).status).toBe(200);
    expect((await api('GET', '/admin/api/sources/gamma-co')).status).toBe(404);
    expect((await api('DELETE', '/admin/api/sources/gamma-co')).status).toBe(404);
    const pub = (await (await fetch(`${base}/api/sources`)).json()) as {
      sources: { id: string }[];
    };
    expect(pub.sources.map((s) => s.id)).not.toContain('gamma-co');
    expect((await run.queue.getJobSchedulers(0, -1, true)).map((s) => s.key)).not.toContain(
      'poll:gamma-co',
    );
  });

  it('guards the queue dashboard with the token or a signed session from the POST login form', async () => {
    const anon = await fetch(`${base}/admin/queues`, { redirect: 'manual' });
    expect(anon.status).toBe(401);
    const withBearer = await api('GET', '/admin/queues');
    expect(withBearer.status).toBe(200);
    expect(withBearer.headers.get('content-type')).toMatch(/text\/html/);
    const form = await fetch(`${base}/admin/login`);
    expect(form.status).toBe(200);
    expect(await form.text()).toMatch(/<form method="post" action="\/admin\/login">/);
    // The token never travels in a URL.
    const inUrl = await fetch(`${base}/admin/login?token=${TOKEN}`, { redirect: 'manual' });
    expect(inUrl.status).toBe(400);
    expect(inUrl.headers.get('set-cookie')).toBeNull();
    const post = (token: string) =>
      fetch(`${base}/admin/login`, {
        method: 'POST',
        body: new URLSearchParams({ token }),
        redirect: 'manual',
      });
    const wrong = await post('nope');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const login = await post(TOKEN);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/admin/queues');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/tributary_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Max-Age=43200/i);
    // The cookie holds a signed expiry, not the token.
    expect(cookie).not.toContain(TOKEN);
    expect(cookie).not.toContain(encodeURIComponent(TOKEN));
    const jar = cookie.split(';')[0]!;
    // A forged or tampered cookie is refused; so is the raw token as a cookie.
    const [payload, sig] = jar.split('=')[1]!.split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: 'admin', exp: Date.now() + 365 * 86_400_000 }),
    ).toString('base64url');
    for (const bad of [
      `tributary_session=${forged}.${sig}`,
      `tributary_session=${payload}.x`,
      `tributary_session=${TOKEN}`,
      `tributary_admin=${TOKEN}`,
    ]) {
      expect((await fetch(`${base}/admin/queues`, { headers: { cookie: bad } })).status).toBe(401);
    }
    const page = await fetch(`${base}/admin/queues`, { headers: { cookie: jar } });
    expect(page.status).toBe(200);
    // Its static files are served too (bull-board's UI package through the node serveStatic).
    const script = /src="(static\/js\/[^"]+\.js)"/.exec(await page.text())?.[1];
    expect(script).toBeTruthy();
    const js = await fetch(`${base}/admin/queues/${script}`, { headers: { cookie: jar } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${base}/admin/queues/${script}`)).status).toBe(401);
    const queues = await fetch(`${base}/admin/queues/api/queues`, { headers: { cookie: jar } });
    expect(queues.status).toBe(200);
    const body = (await queues.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name)).toContain('poll');
    // The API itself takes only the bearer header.
    const apiWithCookie = await fetch(`${base}/admin/api/sources`, { headers: { cookie: jar } });
    expect(apiWithCookie.status).toBe(401);
  });

  it('keeps runtime sources across a restart (same Redis prefix)', async () => {
    await run.stop();
    run = await startService(config);
    base = run.server!.url;
    api = client(base);
    const r = await api('GET', '/admin/api/sources');
    const ids = r.json.sources.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['cfg', 'alpha', 'beta']));
    expect(r.json.sources.find((s: { id: string }) => s.id === 'beta')).toMatchObject({
      title: 'Beta desk',
      priority: 5,
      origin: 'runtime',
    });
    expect((await run.queue.getJobSchedulers(0, -1, true)).map((s) => s.key)).toEqual(
      expect.arrayContaining(['poll:alpha', 'poll:beta', 'poll:cfg']),
    );
    expect(await titles('featured')).toContain('Alpha three');
  });
});

describe('admin API without a token, and with private networks refused', () => {
  let feeds: FeedServer;
  const runs: Running[] = [];

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/a.rss', { body: rssFeed('Alpha', alphaItems) });
  });

  afterAll(async () => {
    await Promise.all(runs.map((r) => r.stop()));
    await feeds?.close();
  });

  it('answers 404 JSON on every admin route when ADMIN_TOKEN is unset', async () => {
    const run = await startService(
      testConfig(CONFIG, { adminToken: null }, { BASE: feeds.url }),
      'server',
    );
    runs.push(run);
    const base = run.server!.url;
    for (const [method, path] of [
      ['GET', '/admin/api/sources'],
      ['POST', '/admin/api/sources'],
      ['GET', '/admin/api/openapi.json'],
      ['GET', '/admin/queues'],
      ['GET', `/admin/login?token=${TOKEN}`],
      ['POST', '/admin/login'],
      ['DELETE', '/admin/api/hides/x'],
      ['GET', '/admin'],
    ] as const) {
      const r = await client(base)(method, path);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.json.error.code).toBe('not-found');
    }
  });

  it('refuses to add a source on a private address unless allowPrivateNetworks', async () => {
    const yaml = CONFIG.replace('allowPrivateNetworks: true', 'allowPrivateNetworks: false');
    const run = await startService(
      testConfig(yaml, { adminToken: TOKEN }, { BASE: feeds.url }),
      'server',
    );
    runs.push(run);
    const api = client(run.server!.url);
    const r = await api('POST', '/admin/api/sources', { id: 'local', url: `${feeds.url}/a.rss` });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('blocked-address');
    expect((await api('GET', '/admin/api/sources/local')).status).toBe(404);
    const loopbackName = await api('POST', '/admin/api/sources', {
      id: 'local',
      url: `http://localhost:${feeds.port}/a.rss`,
    });
    expect(loopbackName.status).toBe(400);
    expect(feeds.requests).toHaveLength(0);
  });
});
