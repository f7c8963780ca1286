// The desk's add and edit source forms without JavaScript: plain form POSTs over real HTTP to
// the running server (role server), a loopback feed that answers only with its API key. Preview
// renders the add form again with what was typed and the feed's first items, storing nothing; a
// form with problems is a 400 with each message at its field and the typed values kept; the edit
// form never carries a stored secret, and saving it with the secret left empty keeps it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testConfig, startService, rssFeed } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';

const TOKEN = 'desk-forms-token-0123456789';
const KEY = 'k-loopback-7f3a9c';
const CONFIG = `
site: { title: Test, baseUrl: "http://desk.test" }
fetch: { allowPrivateNetworks: true, timeout: 3s }
tags:
  - { id: economy, label: اقتصاد, keywords: [الخبز] }
sections:
  - { id: arabic, title: أخبار, lang: ar }
  - { id: world, title: World, lang: en }
`;

const items = [
  {
    guid: 'a1',
    title: 'ارتفاع أسعار الخبز في دمشق',
    link: 'https://x.example/1',
    date: new Date().toISOString(),
  },
  {
    guid: 'a2',
    title: 'افتتاح مدرسة في حلب',
    link: 'https://x.example/2',
    date: new Date().toISOString(),
  },
];

let feed: Server;
let feedUrl: string;
let run: Running;
let base: string;
const seen: (string | undefined)[] = [];

/** The desk's session cookie and a CSRF token, by logging in with plain requests. */
async function login(): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${base}/desk/login`, {
    method: 'POST',
    body: new URLSearchParams({ token: TOKEN }),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(`${base}/desk`, { headers: { cookie } })).text();
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]! };
}

async function post(path: string, s: { cookie: string; csrf: string }, fields: [string, string][]) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { cookie: s.cookie },
    body: new URLSearchParams([['csrf', s.csrf], ...fields]),
    redirect: 'manual',
  });
}

/** The value attribute of the input with this id (HTML-decoded), or null. */
const valueOf = (html: string, id: string) => {
  const m = new RegExp(`<input[^>]*id="${id}"[^>]*>`).exec(html);
  const v = m && /value="([^"]*)"/.exec(m[0]);
  return v
    ? v[1]!
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&')
    : null;
};
/** The field block (`<div class="field…">…</div>`) holding the control with this id. */
const fieldOf = (html: string, id: string) =>
  new RegExp(`<div class="([^"]*)"><label for="${id}">(?:(?!</div>).)*</div>`, 's').exec(html);

beforeAll(async () => {
  feed = createServer((req, res) => {
    seen.push(req.headers['x-api-key'] as string | undefined);
    if (req.headers['x-api-key'] !== KEY) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('key needed');
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' })
      .end(rssFeed('عنب بلدي', items, 'ar'));
  });
  await new Promise<void>((r) => feed.listen(0, '127.0.0.1', () => r()));
  feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/feed.rss`;
  run = await startService(testConfig(CONFIG, { adminToken: TOKEN }), 'server');
  base = run.server!.url;
}, 60_000);

afterAll(async () => {
  await run?.stop();
  await new Promise<void>((r) => feed?.close(() => r()));
});

describe('desk source forms without JavaScript', () => {
  it('previews a feed with its own header: the add form again, values kept, items below, nothing stored', async () => {
    const s = await login();
    const res = await post('/desk/sources/preview', s, [
      ['url', feedUrl],
      ['title', 'عنب'],
      ['sections', 'arabic'],
      ['sections', 'world'],
      ['header-name-0', 'X-Api-Key'],
      ['header-value-0', KEY],
      ['include', 'الخبز\nمدرسة'],
    ]);
    expect(res.status).toBe(200);
    const html = await res.text();
    // The feed's items, Arabic titles with their own direction and language, tagged.
    expect(html).toMatch(
      /<ol class="preview-items"><li><a href="https:\/\/x.example\/1" class="title" dir="auto" lang="ar"[^>]*>ارتفاع أسعار الخبز في دمشق<\/a>/,
    );
    expect(html).toContain('افتتاح مدرسة في حلب');
    expect(html).toContain('<span class="tag">economy</span>');
    expect(html).toContain('The first 2 of 2 items');
    // The form as typed (a new source's header value is shown again: nothing is stored yet).
    expect(valueOf(html, 'f-url')).toBe(feedUrl);
    expect(valueOf(html, 'f-title')).toBe('عنب');
    expect(valueOf(html, 'f-header-name-0')).toBe('X-Api-Key');
    expect(valueOf(html, 'f-header-value-0')).toBe(KEY);
    expect(html).toMatch(/<option value="arabic" selected="" lang="ar" dir="auto">/);
    expect(html).toMatch(/<option value="world" selected="" lang="en" dir="auto">/);
    expect(html).toMatch(/<textarea id="f-include"[^>]*>الخبز\nمدرسة<\/textarea>/);
    // The loopback feed got the key; nothing was stored.
    expect(seen.at(-1)).toBe(KEY);
    expect(await run.store.sources.listRuntime()).toEqual([]);

    // htmx asks for the preview area only: that is all it gets (no table, no form).
    const area = await fetch(`${base}/desk/sources/preview`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'HX-Request': 'true', 'HX-Target': 'source-preview' },
      body: new URLSearchParams([
        ['csrf', s.csrf],
        ['url', feedUrl],
        ['header-name-0', 'X-Api-Key'],
        ['header-value-0', KEY],
      ]),
    });
    expect(area.status).toBe(200);
    const areaHtml = await area.text();
    expect(areaHtml).toMatch(/^<div id="source-preview"/);
    expect(areaHtml).toContain('افتتاح مدرسة في حلب');
    expect(areaHtml).not.toContain('<form');

    // Without the key: the feed's refusal at the URL field, the values kept, still nothing stored.
    const bad = await post('/desk/sources/preview', s, [
      ['url', feedUrl],
      ['title', 'عنب'],
    ]);
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(fieldOf(badHtml, 'f-url')![1]).toBe('field invalid');
    expect(fieldOf(badHtml, 'f-url')![0]).toMatch(/role="alert">[^<]*401/);
    expect(badHtml).toMatch(/<div id="source-preview"[^>]*><p role="alert" class="alert">[^<]*401/);
    expect(valueOf(badHtml, 'f-title')).toBe('عنب');
    expect(await run.store.sources.listRuntime()).toEqual([]);
  });

  it('answers a form with problems with 400, each message at its field, the typed values kept', async () => {
    const s = await login();
    const res = await post('/desk/sources', s, [
      ['url', feedUrl],
      ['title', 'عنوان مكتوب'],
      ['id', 'kept-id'],
      ['interval', 'soon'],
      ['charset', 'klingon-8'],
      ['header-name-0', 'Authorization'],
      ['header-value-0', 'Bearer x'],
      ['header-name-1', 'Accept-Language'],
      ['header-value-1', 'ar'],
      ['authKind', 'bearer'],
      ['authEnv', 'not a name'],
      ['fullText', 'never'],
      ['push', 'off'],
      ['exclude', 'إعلان'],
    ]);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Please correct the marked fields.');
    for (const id of ['f-interval', 'f-charset', 'f-authEnv']) {
      const f = fieldOf(html, id);
      expect(f?.[1], id).toBe('field invalid');
      expect(f![0], id).toMatch(/class="field-error"[^>]*role="alert">/);
    }
    expect(fieldOf(html, 'f-charset')![0]).toContain('unknown charset');
    // The reserved header's row is marked, with the reason; the other row is not.
    expect(html).toMatch(
      /<div class="header-row invalid">(?:(?!<\/div>).)*Authorization: is set by Tributary/s,
    );
    expect(html).toMatch(/<div class="header-row"><label for="f-header-name-1"/);
    // Every value as typed.
    expect(valueOf(html, 'f-title')).toBe('عنوان مكتوب');
    expect(valueOf(html, 'f-id')).toBe('kept-id');
    expect(valueOf(html, 'f-interval')).toBe('soon');
    expect(valueOf(html, 'f-charset')).toBe('klingon-8');
    expect(valueOf(html, 'f-header-value-1')).toBe('ar');
    expect(valueOf(html, 'f-authEnv')).toBe('not a name');
    expect(html).toMatch(/<option value="never" selected="">/);
    expect(html).toMatch(/<option value="off" selected="">/);
    expect(html).toMatch(/<option value="bearer" selected="">/);
    expect(html).toMatch(/<textarea id="f-exclude"[^>]*>إعلان<\/textarea>/);
    // The settings stay open, so the marked fields are visible.
    expect(html).toMatch(/<details class="settings" open="">/);
    expect(await run.store.sources.listRuntime()).toEqual([]);
  });

  it('adds a source with its settings; its edit form never carries the secret, and saving keeps it', async () => {
    const s = await login();
    const added = await post('/desk/sources', s, [
      ['url', feedUrl],
      ['id', 'enab'],
      ['sections', 'arabic'],
      ['tags', 'economy'],
      ['priority', '5'],
      ['header-name-0', 'X-Api-Key'],
      ['header-value-0', KEY],
      ['header-name-1', 'Accept-Language'],
      ['header-value-1', 'ar'],
      ['fullText', 'never'],
      ['push', 'off'],
      ['include', 'الخبز'],
    ]);
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/desk?done=added');
    const stored = () =>
      run.store.sources.listRuntime().then((l) => l.find((x) => x.id === 'enab')!);
    expect(await stored()).toMatchObject({
      title: 'عنب بلدي',
      sections: ['arabic'],
      tags: ['economy'],
      priority: 5,
      fetch: { headers: { 'X-Api-Key': KEY, 'Accept-Language': 'ar' } },
      fullText: 'never',
      push: false,
      include: { keywords: ['الخبز'] },
    });

    const edit = await (
      await fetch(`${base}/desk/sources/enab/edit`, { headers: { cookie: s.cookie } })
    ).text();
    expect(edit).not.toContain(KEY);
    expect(valueOf(edit, 'f-header-name-0')).toBe('X-Api-Key');
    expect(valueOf(edit, 'f-header-value-0')).toBe('');
    expect(edit).toMatch(/id="f-header-value-0"[^>]*placeholder="unchanged \(empty keeps it\)"/);
    expect(valueOf(edit, 'f-header-value-1')).toBe('ar'); // not a credential: shown
    expect(edit).toMatch(/<option value="never" selected="">/);
    expect(edit).toMatch(/<textarea id="f-include"[^>]*>الخبز<\/textarea>/);

    // Saved with the key left empty, a second section and the header changed: the key stays.
    const saved = await post('/desk/sources/enab', s, [
      ['url', feedUrl],
      ['sections', 'arabic'],
      ['sections', 'world'],
      ['tags', 'economy'],
      ['header-name-0', 'X-Api-Key'],
      ['header-value-0', ''],
      ['header-name-1', 'Accept-Language'],
      ['header-value-1', 'en'],
      ['fullText', 'auto'],
      ['push', 'on'],
    ]);
    expect(saved.status).toBe(303);
    expect(await stored()).toMatchObject({
      sections: ['arabic', 'world'],
      fetch: { headers: { 'X-Api-Key': KEY, 'Accept-Language': 'en' } },
      fullText: 'auto',
      push: true,
    });
    expect((await stored()).include).toBeUndefined();

    // A 400 on the edit form does not show a secret typed into it either.
    const bad = await post('/desk/sources/enab', s, [
      ['url', feedUrl],
      ['interval', 'soon'],
      ['header-name-0', 'X-Api-Key'],
      ['header-value-0', 'k-typed-new-secret'],
    ]);
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).not.toContain('k-typed-new-secret');
    expect(valueOf(badHtml, 'f-interval')).toBe('soon');
    expect(fieldOf(badHtml, 'f-interval')![1]).toBe('field invalid');
    expect((await stored()).fetch?.headers?.['X-Api-Key']).toBe(KEY);
  });

  it('sorts and filters the table by plain links and a GET form', async () => {
    const s = await login();
    const html = await (
      await fetch(`${base}/desk?section=arabic&sort=title&dir=desc`, {
        headers: { cookie: s.cookie },
      })
    ).text();
    // Header links keep the filter, flip the direction of the active column, and swap the
    // table only with htmx.
    expect(html).toContain(
      '<th scope="col" aria-sort="descending"><a href="/desk?section=arabic&amp;sort=title&amp;dir=asc" class="sort"',
    );
    expect(html).toMatch(
      /<a href="\/desk\?section=arabic&amp;sort=articles&amp;dir=asc" class="sort" title="Sort by Articles" hx-get="\/desk\?section=arabic&amp;sort=articles&amp;dir=asc" hx-target="#sources-table" hx-select="#sources-table" hx-swap="outerHTML" hx-push-url="true">/,
    );
    expect(html).toMatch(/<option value="arabic" selected="" lang="ar" dir="auto">أخبار<\/option>/);
    expect(html).toContain('<input type="hidden" name="sort" value="title"/>');
    expect((html.match(/<tr id="source-/g) ?? []).length).toBe(1);
    const none = await (
      await fetch(`${base}/desk?q=nothing-matches`, { headers: { cookie: s.cookie } })
    ).text();
    expect((none.match(/<tr id="source-/g) ?? []).length).toBe(0);
  });
});
