// Section rules and tag keywords saved at runtime (admin API, shared with the desk) against the
// real service: Redis, the queues, and ingest in its own thread (which reads the saved rules from
// Redis, not from the server's memory). A save moves the stored articles in the background (the
// retag job reports "N entered, M left"), a new article polled afterwards lands per the new rules,
// the section feed follows, and a reset brings the config file's rules back. Validation: 400s
// naming the field, 404s, 401.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testConfig, startService, startFeedServer, rssFeed, pollAll } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import { createRulesView } from '../../src/catalog/rules.ts';
import { createStore } from '../../src/store/index.ts';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';

const TOKEN = 'rules-test-token-0123456789';

const CONFIG = `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: ar, url: "\${BASE}/ar.rss", title: عنب بلدي, lang: ar }
  - { id: en, url: "\${BASE}/en.rss", title: Wire, lang: en }
tags:
  - { id: syria, label: سوريا, keywords: [سوريا] }
  - { id: caucasus, label: Caucasus, keywords: [zzz-none] }
sections:
  - { id: syria, title: سوريا, lang: ar, include: { tags: [syria] } }
  - { id: caucasus, title: القوقاز, lang: ar, include: { tags: [caucasus] } }
  - { id: english, title: English, lang: en, include: { langs: [en] } }
`;

const day = (d: number) => `2026-01-${String(d).padStart(2, '0')}T10:00:00Z`;
const arItems = [
  { guid: 'ar-1', title: 'اشتباكات جديدة بأذربيجان', link: 'https://ar.example/1', date: day(1) },
  { guid: 'ar-2', title: 'ارتفاع الأسعار في سوريا', link: 'https://ar.example/2', date: day(2) },
];
const enItems = [
  { guid: 'en-1', title: 'Markets steady', link: 'https://en.example/1', date: day(1) },
  { guid: 'en-2', title: 'Rain in London', link: 'https://en.example/2', date: day(2) },
];

interface JsonFeed {
  items: { id: string; title: string }[];
}
interface RetagStatus {
  state: string;
  version: number;
  entered: number;
  left: number;
  total: number;
}

describe('rules saved at runtime', () => {
  let feeds: FeedServer;
  let run: Running;
  let base: string;

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${base}/admin/api${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  const send = (method: string, path: string, body?: unknown) =>
    api(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const titles = async (section: string) =>
    ((await (await fetch(`${base}/feeds/${section}.json`)).json()) as JsonFeed).items
      .map((i) => i.title)
      .sort();
  /** Waits until the retag of `path`'s last save is done; returns its status. */
  const retagDone = async (path: string, version: number): Promise<RetagStatus> => {
    const t0 = Date.now();
    for (;;) {
      const body = (await (await api(path)).json()) as { retag: RetagStatus | null };
      if (body.retag && body.retag.version >= version && body.retag.state === 'done')
        return body.retag;
      if (Date.now() - t0 > 20_000) throw new Error(`retag not done: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const eventually = async (fn: () => Promise<unknown>) => {
    const t0 = Date.now();
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (Date.now() - t0 > 5_000) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const rules = (over: {
    include?: Record<string, string[]>;
    exclude?: Record<string, string[]>;
  }) => ({
    include: { tags: [], sources: [], langs: [], ...over.include },
    exclude: { tags: [], sources: [], langs: [], keywords: [], ...over.exclude },
  });

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/ar.rss', { body: rssFeed('عنب بلدي', arItems, 'ar') });
    feeds.routes.set('/en.rss', { body: rssFeed('Wire', enItems) });
    run = await startService(testConfig(CONFIG, { adminToken: TOKEN }, { BASE: feeds.url }));
    base = run.server!.url;
    await pollAll(run, ['ar', 'en']);
  }, 60_000);

  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  it('saved section rules move stored articles, apply to new polls (ingest thread), and reset to the config', async () => {
    expect(await titles('english')).toEqual(['Markets steady', 'Rain in London']);
    const before = (await (await api('/sections/english/rules')).json()) as {
      overridden: boolean;
    };
    expect(before.overridden).toBe(false);

    const saved = await send(
      'PUT',
      '/sections/english/rules',
      rules({ include: { langs: ['en'] }, exclude: { keywords: ['market'] } }),
    );
    expect(saved.status).toBe(200);
    const state = (await saved.json()) as {
      overridden: boolean;
      rules: { exclude: { keywords: string[] } };
      retag: RetagStatus;
    };
    expect(state.overridden).toBe(true);
    expect(state.rules.exclude.keywords).toEqual(['market']);
    expect(['queued', 'running', 'done']).toContain(state.retag.state);

    // The background retag: "Markets steady" left (the keyword rule's Latin plural s), nothing entered.
    const done = await retagDone('/sections/english/rules', state.retag.version);
    expect({ entered: done.entered, left: done.left }).toEqual({ entered: 0, left: 1 });
    expect(done.total).toBe(4);
    await eventually(async () => expect(await titles('english')).toEqual(['Rain in London']));

    // A new article polled afterwards (by the ingest thread) lands per the saved rules.
    feeds.routes.set('/en.rss', {
      body: rssFeed('Wire', [
        ...enItems,
        { guid: 'en-3', title: 'Market rally', link: 'https://en.example/3', date: day(3) },
        { guid: 'en-4', title: 'Snow in Paris', link: 'https://en.example/4', date: day(4) },
      ]),
    });
    await pollAll(run, ['en']);
    await eventually(async () =>
      expect(await titles('english')).toEqual(['Rain in London', 'Snow in Paris']),
    );

    // Reset: the config's rules again, for stored articles and new polls.
    const reset = await send('DELETE', '/sections/english/rules');
    expect(reset.status).toBe(200);
    const afterReset = (await reset.json()) as { overridden: boolean; retag: RetagStatus };
    expect(afterReset.overridden).toBe(false);
    const back = await retagDone('/sections/english/rules', afterReset.retag.version);
    expect({ entered: back.entered, left: back.left }).toEqual({ entered: 2, left: 0 });
    await eventually(async () =>
      expect(await titles('english')).toEqual([
        'Market rally',
        'Markets steady',
        'Rain in London',
        'Snow in Paris',
      ]),
    );
    expect((await send('DELETE', '/sections/english/rules')).status).toBe(404);
  }, 60_000);

  it('saved tag keywords retag stored articles and new polls; an Arabic keyword previews its matches', async () => {
    // Preview first: hamza forms and a clitic (بأذربيجان) match أذربيجان; nothing is written.
    const pre = await send('POST', '/tags/caucasus/preview', { keywords: ['اذربيجان'] });
    expect(pre.status).toBe(200);
    const preview = (await pre.json()) as {
      total: number;
      gained: number;
      matches: { title: string; tagged: boolean }[];
    };
    expect(preview.matches.map((m) => m.title)).toEqual(['اشتباكات جديدة بأذربيجان']);
    expect(preview.gained).toBe(1);
    expect(preview.matches[0]!.tagged).toBe(false);
    expect(await titles('caucasus')).toEqual([]);

    const saved = await send('PUT', '/tags/caucasus/keywords', { keywords: ['اذربيجان'] });
    expect(saved.status).toBe(200);
    const tag = (await saved.json()) as {
      keywords: string[];
      overridden: boolean;
      retag: RetagStatus;
    };
    expect(tag).toMatchObject({ keywords: ['اذربيجان'], overridden: true });
    const done = await retagDone('/tags/caucasus', tag.retag.version);
    expect({ entered: done.entered, left: done.left }).toEqual({ entered: 1, left: 0 });
    await eventually(async () =>
      expect(await titles('caucasus')).toEqual(['اشتباكات جديدة بأذربيجان']),
    );

    const list = (await (await api('/tags')).json()) as {
      tags: { id: string; keywords: string[]; configKeywords: string[] }[];
    };
    expect(list.tags.find((t) => t.id === 'caucasus')).toMatchObject({
      keywords: ['اذربيجان'],
      configKeywords: ['zzz-none'],
    });

    // A new article polled afterwards is tagged by the saved keywords.
    feeds.routes.set('/ar.rss', {
      body: rssFeed(
        'عنب بلدي',
        [
          ...arItems,
          {
            guid: 'ar-3',
            title: 'وفد من أذربيجان في دمشق',
            link: 'https://ar.example/3',
            date: day(3),
          },
        ],
        'ar',
      ),
    });
    await pollAll(run, ['ar']);
    await eventually(async () =>
      expect(await titles('caucasus')).toEqual([
        'اشتباكات جديدة بأذربيجان',
        'وفد من أذربيجان في دمشق',
      ]),
    );

    const reset = await send('DELETE', '/tags/caucasus/keywords');
    expect(reset.status).toBe(200);
    const back = await retagDone(
      '/tags/caucasus',
      ((await reset.json()) as { retag: RetagStatus }).retag.version,
    );
    expect({ entered: back.entered, left: back.left }).toEqual({ entered: 0, left: 2 });
    await eventually(async () => expect(await titles('caucasus')).toEqual([]));
  }, 60_000);

  it('another process sees a save at its next read (one version check)', async () => {
    const redis = createRedis(parseRedisTarget(run.redisUrl));
    try {
      const other = createStore(redis, { prefix: run.config.env.redisPrefix, unhealthyAfter: 3 });
      const view = createRulesView(run.config, other);
      const v0 = await view.current();
      expect(v0.config.sections.find((s) => s.id === 'syria')!.exclude.keywords).toEqual([]);
      const saved = await send(
        'PUT',
        '/sections/syria/rules',
        rules({ include: { tags: ['syria'] }, exclude: { keywords: ['الأسعار'] } }),
      );
      expect(saved.status).toBe(200);
      const v1 = await view.current();
      expect(v1.version).toBeGreaterThan(v0.version);
      expect(v1.config.sections.find((s) => s.id === 'syria')!.exclude.keywords).toEqual([
        'الأسعار',
      ]);
      expect(
        v1.curator.sectionsFor({
          tags: ['syria'],
          sources: ['ar'],
          lang: 'ar',
          title: 'ارتفاع الأسعار في سوريا',
          summary: '',
          text: '',
        }),
      ).not.toContain('syria');
      await retagDone('/sections/syria/rules', v1.version);
      await send('DELETE', '/sections/syria/rules');
    } finally {
      await closeRedis(redis);
    }
  }, 30_000);

  it('refuses bad rules with the field named, unknown ids with 404, and no token with 401', async () => {
    const bad = async (path: string, body: unknown, field: string, method = 'PUT') => {
      const res = await send(method, path, body);
      expect(res.status).toBe(400);
      const err = (await res.json()) as {
        error: { details: { issues: { path: string; message: string }[] } };
      };
      expect(err.error.details.issues.map((i) => i.path)).toContain(field);
    };
    await bad('/sections/english/rules', rules({ include: { tags: ['nope'] } }), 'include.tags.0');
    await bad(
      '/sections/english/rules',
      rules({ exclude: { sources: ['ghost'] } }),
      'exclude.sources.0',
    );
    await bad(
      '/sections/english/rules',
      rules({ include: { langs: ['english!'] } }),
      'include.langs.0',
    );
    await bad('/sections/english/rules', { ...rules({}), extra: 1 }, '');
    await bad('/tags/syria/keywords', { keywords: ['  '] }, 'keywords.0');
    await bad('/tags/syria/preview', { keywords: [''] }, 'keywords.0', 'POST');
    // Nothing was saved by any of them.
    expect(
      ((await (await api('/sections/english/rules')).json()) as { overridden: boolean }).overridden,
    ).toBe(false);
    expect((await send('PUT', '/sections/nope/rules', rules({}))).status).toBe(404);
    expect((await send('PUT', '/tags/nope/keywords', { keywords: ['x'] })).status).toBe(404);
    expect((await send('DELETE', '/tags/syria/keywords')).status).toBe(404);
    const anon = await fetch(`${base}/admin/api/tags`);
    expect(anon.status).toBe(401);
    const doc = (await (await fetch(`${base}/admin/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/admin/api/sections/{id}/rules',
        '/admin/api/tags',
        '/admin/api/tags/{id}/keywords',
        '/admin/api/tags/{id}/preview',
      ]),
    );
  });
});
