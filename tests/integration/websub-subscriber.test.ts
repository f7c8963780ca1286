// The WebSub subscriber for our sources (issue 12 point 2) against a real service, a real Redis,
// a loopback feed server and a loopback test hub (tests/helpers/websub-hub.ts): discovery from
// the HTTP Link header, Atom and RSS; 307/308 of the hub; verification of intent with a secret;
// signatures sha1/256/384/512 checked, wrong or missing ones answered 2xx and dropped; denial;
// a hub that never verifies; renewal and expiry of a lease; unsubscribe; and a pushed item in
// the section feed with no request to the feed server.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startFeedServer, startService, testConfig, pollAll, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';
import { startTestHub } from '../helpers/websub-hub.ts';
import type { TestHub } from '../helpers/websub-hub.ts';
import { createSubscriber } from '../../src/push/subscriber/subscriber.ts';
import { sign } from '../../src/push/subscriber/signature.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import type { FetchOk, SourceConfig } from '../../src/domain/types.ts';

const HOUR = 3_600_000;
const log = createLogger({ level: 'warn', pretty: false, destination: 2 });

/** An RSS feed with `items` (newest last) after 30 older ones, so the observed rhythm is fast
 *  (the normal schedule polls at minInterval) and only push can explain a maxInterval delay. */
const rss = (
  feeds: string,
  name: string,
  items: string[],
  links = '', // extra channel-level elements (atom:link rel=hub/self)
) => {
  const now = Date.now();
  const fillers = Array.from({ length: 30 }, (_, i) => `${name} earlier story ${i}`);
  const all = [...fillers, ...items];
  return rssFeed(
    `${name} feed`,
    all.map((t, i) => ({
      guid: `${name}-${t}`,
      title: t,
      link: `${feeds}/${name}/${encodeURIComponent(t)}`,
      date: new Date(now - (all.length - i) * 60_000).toISOString(),
      description: `${t}: a story long enough to be an item of its own in the section.`,
    })),
  )
    .replace('<rss version="2.0"', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"')
    .replace('<channel>', `<channel>${links}`);
};

const atom = (feeds: string, hub: string, self: string, titles: string[]) => `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom feed</title><id>urn:atom</id>
<link rel="hub" href="${hub}"/><link rel="self" href="${self}"/><link href="${feeds}/"/>
<updated>${new Date().toISOString()}</updated>
${titles
  .map(
    (t) =>
      `<entry><id>urn:atom:${t}</id><title>${t}</title><link href="${feeds}/atom/${t}"/><updated>${new Date(Date.now() - 60_000).toISOString()}</updated><summary>${t}: a story long enough to stand alone.</summary></entry>`,
  )
  .join('\n')}</feed>`;

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  ms = 10_000,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('WebSub subscriber', () => {
  let feeds: FeedServer;
  let hub: TestHub;
  let run: Running;
  let base: string;

  const sources = async () =>
    (
      (await (await fetch(`${base}/api/sources`)).json()) as {
        sources: {
          id: string;
          push: { hub: string; state: string; leaseEnds: string | null } | null;
        }[];
      }
    ).sources;
  const pushOf = async (id: string) => (await sources()).find((s) => s.id === id)!.push;
  const feedText = async () => (await fetch(`${base}/feeds/all.rss`)).text();
  const feedRequests = (path: string) => feeds.requests.filter((r) => r.path === path).length;
  const subscribeRequest = (topic: string) =>
    hub.requests.find(
      (r) => r.form.get('hub.mode') === 'subscribe' && r.form.get('hub.topic') === topic,
    );
  const verified = (topic: string) =>
    until(`verification of ${topic}`, () => hub.subscriptions.get(topic));
  const sourceOf = (id: string) => run.config.sources.find((s) => s.id === id)!;
  /** A subscriber of our own on the service's Redis (what a worker process runs). */
  const sideSubscriber = (over: { subscribe?: boolean } = {}) =>
    createSubscriber({
      config: { ...run.config, push: { ...run.config.push, ...over } },
      store: run.store,
      log,
      now: () => new Date(),
    });

  beforeAll(async () => {
    feeds = await startFeedServer();
    hub = await startTestHub();
    const F = feeds.url;
    const H = hub.url;
    hub.behaviours.set('/hub', { kind: 'verify' });
    hub.behaviours.set('/r307', { kind: 'redirect', status: 307, to: `${H}/hub` });
    hub.behaviours.set('/r308', { kind: 'redirect', status: 308, to: `${H}/hub` });
    hub.behaviours.set('/deny', { kind: 'deny', reason: 'not for you' });
    hub.behaviours.set('/silent', { kind: 'silent' });
    hub.behaviours.set('/short', { kind: 'verify', leaseSeconds: 2 });
    feeds.routes.set('/link.rss', {
      body: rss(F, 'link', ['Link one']),
      headers: { Link: `<${H}/hub>; rel="hub", <${F}/topic/link>; rel="self"` },
    });
    feeds.routes.set('/atom.xml', {
      type: 'application/atom+xml',
      body: atom(F, `${H}/hub`, `${F}/topic/atom`, ['atom-one']),
    });
    // RSS atom:link rel=hub and no self: the topic is the source URL.
    feeds.routes.set('/rss.xml', {
      body: rss(F, 'rss', ['Rss one'], `<atom:link rel="hub" href="${H}/hub"/>`),
    });
    for (const [id, path] of [
      ['r307', '/r307'],
      ['r308', '/r308'],
      ['deny', '/deny'],
      ['silent', '/silent'],
      ['short', '/short'],
      ['off', '/hub'],
    ] as const)
      feeds.routes.set(`/${id}.rss`, {
        body: rss(
          F,
          id,
          [`${id} one`],
          `<atom:link rel="hub" href="${H}${path}"/><atom:link rel="self" href="${F}/topic/${id}"/>`,
        ),
      });
    // 104: the HTTP Link header's hub and self win over the document's.
    feeds.routes.set('/prio.rss', {
      body: rss(
        F,
        'prio',
        ['prio one'],
        `<atom:link rel="hub" href="${H}/deny"/><atom:link rel="self" href="${F}/topic/prio-body"/>`,
      ),
      headers: { Link: `<${H}/hub>; rel="hub", <${F}/topic/prio-http>; rel="self"` },
    });
    // 201 / 202: topic URLs that redirect (302 temporary, 301 permanent); no rel=self.
    feeds.routes.set('/t302.rss', {
      status: 302,
      body: '',
      headers: { Location: `${F}/t302-real.rss` },
    });
    feeds.routes.set('/t302-real.rss', {
      body: rss(F, 't302', ['t302 one'], `<atom:link rel="hub" href="${H}/hub"/>`),
    });
    feeds.routes.set('/t301.rss', {
      status: 301,
      body: '',
      headers: { Location: `${F}/t301-real.rss` },
    });
    feeds.routes.set('/t301-real.rss', {
      body: rss(F, 't301', ['t301 one'], `<atom:link rel="hub" href="${H}/hub"/>`),
    });
    const config = testConfig(
      `
fetch: { allowPrivateNetworks: true, timeout: 5s, maxBytes: 64KB, maxInterval: 6h }
push: { leaseSeconds: 7200 }
sources:
  - { id: link, url: "\${F}/link.rss" }
  - { id: atom, url: "\${F}/atom.xml" }
  - { id: rss, url: "\${F}/rss.xml" }
  - { id: r307, url: "\${F}/r307.rss" }
  - { id: r308, url: "\${F}/r308.rss" }
  - { id: deny, url: "\${F}/deny.rss" }
  - { id: silent, url: "\${F}/silent.rss" }
  - { id: short, url: "\${F}/short.rss" }
  - { id: off, url: "\${F}/off.rss", push: false }
  - { id: prio, url: "\${F}/prio.rss" }
  - { id: t302, url: "\${F}/t302.rss" }
  - { id: t301, url: "\${F}/t301.rss" }
sections:
  - { id: all, title: All, limit: 200 }
`,
      { host: '127.0.0.1' },
      { F },
    );
    run = await startService(config);
    base = `http://127.0.0.1:${run.server!.port}`;
    await pollAll(
      run,
      config.sources.map((s) => s.id),
    );
  }, 30_000);

  afterAll(async () => {
    await run?.stop();
    await hub?.close();
    await feeds?.close();
  });

  it('discovers the hub in the HTTP Link header and subscribes its rel=self with an unguessable callback and a secret', async () => {
    const topic = `${feeds.url}/topic/link`;
    const req = await until('subscribe request', () => subscribeRequest(topic));
    const callback = req.form.get('hub.callback')!;
    expect(callback.startsWith(`${run.config.site.baseUrl}/websub/callback/`)).toBe(true);
    expect(callback.split('/').pop()!).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(req.form.get('hub.secret')!.length).toBeGreaterThanOrEqual(32);
    expect(req.form.get('hub.secret')!.length).toBeLessThan(200);
    expect(req.form.get('hub.lease_seconds')).toBe('7200');
    await verified(topic);
    const v = hub.verifications.find((x) => x.topic === topic && x.mode === 'subscribe')!;
    expect(v.echoed).toBe(true);
    const push = await until('subscribed', async () => {
      const p = await pushOf('link');
      return p?.state === 'subscribed' ? p : null;
    });
    expect(push.hub).toBe(`${hub.url}/hub`);
    const lease = Date.parse(push.leaseEnds!) - Date.now();
    expect(lease).toBeGreaterThan(7200_000 - 60_000);
    expect(lease).toBeLessThanOrEqual(7200_000);
    // Two sources never share a callback.
    const callbacks = hub.requests.map((r) => r.form.get('hub.callback'));
    expect(new Set(callbacks).size).toBeGreaterThan(1);
  });

  it('discovers the hub in an Atom document (link rel=hub, topic its rel=self)', async () => {
    await until('atom subscription', () => subscribeRequest(`${feeds.url}/topic/atom`));
    await verified(`${feeds.url}/topic/atom`);
    expect((await until('subscribed', () => pushOf('atom')))!.hub).toBe(`${hub.url}/hub`);
  });

  it('discovers the hub in RSS atom:link; without rel=self the topic is the source URL', async () => {
    const req = await until('rss subscription', () => subscribeRequest(`${feeds.url}/rss.xml`));
    expect(req.path).toBe('/hub');
    await verified(`${feeds.url}/rss.xml`);
  });

  it('104: prefers the HTTP Link header hub and self over the document links', async () => {
    await until('prio subscription', () => subscribeRequest(`${feeds.url}/topic/prio-http`));
    expect(subscribeRequest(`${feeds.url}/topic/prio-http`)!.path).toBe('/hub');
    expect(
      hub.requests.some((r) => r.form.get('hub.topic') === `${feeds.url}/topic/prio-body`),
    ).toBe(false);
  });

  it('201/202: a topic URL behind a 302 keeps the source URL as topic; behind a 301 the new URL', async () => {
    await until('t302 subscription', () => subscribeRequest(`${feeds.url}/t302.rss`));
    await until('t301 subscription', () => subscribeRequest(`${feeds.url}/t301-real.rss`));
    await verified(`${feeds.url}/t302.rss`);
    await verified(`${feeds.url}/t301-real.rss`);
  });

  it('follows a 307 of the hub (keeps the advertised hub) and a 308 (moves to the new one)', async () => {
    const t307 = `${feeds.url}/topic/r307`;
    const t308 = `${feeds.url}/topic/r308`;
    expect(
      hub.requests.find((r) => r.path === '/r307' && r.form.get('hub.topic') === t307),
    ).toBeTruthy();
    await until('307 lands at /hub', () =>
      hub.requests.find((r) => r.path === '/hub' && r.form.get('hub.topic') === t307),
    );
    await verified(t307);
    await verified(t308);
    const p307 = await until('r307 subscribed', async () => {
      const p = await pushOf('r307');
      return p?.state === 'subscribed' ? p : null;
    });
    expect(p307.hub).toBe(`${hub.url}/r307`);
    const p308 = await until('r308 subscribed', async () => {
      const p = await pushOf('r308');
      return p?.state === 'subscribed' ? p : null;
    });
    expect(p308.hub).toBe(`${hub.url}/hub`);
  });

  it('a pushed item appears in the section feed with no request to the feed server; polling drops to maxInterval', async () => {
    const topic = `${feeds.url}/topic/link`;
    await verified(topic);
    const before = feedRequests('/link.rss');
    const res = await hub.publish(topic, rss(feeds.url, 'link', ['Link one', 'Pushed sha256']));
    expect(res.status).toBe(200);
    expect(await feedText()).toContain('Pushed sha256');
    expect(feedRequests('/link.rss')).toBe(before);
    const st = await run.store.sources.getState('link');
    expect(Date.parse(st.nextPoll!) - Date.parse(st.lastFetch!)).toBe(6 * HOUR);
  });

  it('accepts sha1, sha384 and sha512 signatures', async () => {
    const topic = `${feeds.url}/topic/link`;
    await verified(topic);
    const titles = ['Link one', 'Pushed sha256'];
    for (const method of ['sha1', 'sha384', 'sha512']) {
      titles.push(`Pushed ${method}`);
      const res = await hub.publish(topic, rss(feeds.url, 'link', titles), { method });
      expect(res.status).toBe(200);
    }
    const text = await feedText();
    for (const method of ['sha1', 'sha384', 'sha512']) expect(text).toContain(`Pushed ${method}`);
  });

  it('answers a wrong or missing signature 2xx and drops the body, counted in /metrics', async () => {
    const topic = `${feeds.url}/topic/link`;
    await verified(topic);
    const wrong = await hub.publish(topic, rss(feeds.url, 'link', ['Forged wrong']), {
      signature: `sha256=${'0'.repeat(64)}`,
    });
    expect(wrong.status).toBeGreaterThanOrEqual(200);
    expect(wrong.status).toBeLessThan(300);
    const missing = await hub.publish(topic, rss(feeds.url, 'link', ['Forged missing']), {
      signature: null,
    });
    expect(missing.status).toBeGreaterThanOrEqual(200);
    expect(missing.status).toBeLessThan(300);
    const text = await feedText();
    expect(text).not.toContain('Forged wrong');
    expect(text).not.toContain('Forged missing');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /tributary_websub_pushes_rejected_total\{reason="bad-signature"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /tributary_websub_pushes_rejected_total\{reason="missing-signature"\} [1-9]/,
    );
    expect(metrics).toMatch(/tributary_websub_pushes_received_total [1-9]/);
  });

  it('echoes only verifications matching a pending request (mode + topic); anything else is 404', async () => {
    const topic = `${feeds.url}/topic/link`;
    const sub = await verified(topic);
    const challenge = 'c-123';
    // Already verified: nothing pending, so a replayed subscribe is not ours.
    expect(
      (
        await hub.verify(sub.callback, {
          'hub.mode': 'subscribe',
          'hub.topic': topic,
          'hub.challenge': challenge,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await hub.verify(sub.callback, {
          'hub.mode': 'unsubscribe',
          'hub.topic': topic,
          'hub.challenge': challenge,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await hub.verify(sub.callback, {
          'hub.mode': 'subscribe',
          'hub.topic': 'http://other.example/',
          'hub.challenge': challenge,
        })
      ).status,
    ).toBe(404);
    const unknown = sub.callback.replace(/[^/]+$/, 'not-a-token');
    expect(
      (
        await hub.verify(unknown, {
          'hub.mode': 'subscribe',
          'hub.topic': topic,
          'hub.challenge': challenge,
        })
      ).status,
    ).toBe(404);
    // A pending request for another source's callback is not echoed on this one either.
    expect((await pushOf('link'))!.state).toBe('subscribed');
  });

  it('a denial leaves push.state denied', async () => {
    await until('denial sent', () => hub.verifications.find((v) => v.mode === 'denied'));
    const p = await until('denied', async () => {
      const x = await pushOf('deny');
      return x?.state === 'denied' ? x : null;
    });
    expect(p.leaseEnds).toBeNull();
  });

  it('a hub that never verifies leaves push.state pending and polling as usual', async () => {
    await until('silent request', () => hub.requests.find((r) => r.path === '/silent'));
    expect((await pushOf('silent'))!.state).toBe('pending');
    const st = await run.store.sources.getState('silent');
    expect(Date.parse(st.nextPoll!) - Date.parse(st.lastFetch!)).toBeLessThan(6 * HOUR);
  });

  it('per-source push: false never subscribes (push is null)', async () => {
    expect(hub.requests.some((r) => r.form.get('hub.topic') === `${feeds.url}/topic/off`)).toBe(
      false,
    );
    expect(await pushOf('off')).toBeNull();
  });

  it('global push.subscribe: false never subscribes', async () => {
    const side = sideSubscriber({ subscribe: false });
    const n = hub.requests.length;
    const fetched = {
      kind: 'ok',
      requestedUrl: `${feeds.url}/new.rss`,
      finalUrl: `${feeds.url}/new.rss`,
      permanentUrl: null,
      links: { hubs: [`${hub.url}/hub`], self: null },
    } as unknown as FetchOk;
    const source: SourceConfig = { ...sourceOf('link'), id: 'brand-new' };
    await side.discovered(source, fetched, null);
    expect(hub.requests.length).toBe(n);
    expect(await side.view('brand-new')).toBeNull();
    await side.close();
  });

  it('a body over fetch.maxBytes or one that does not parse marks the source as a poll would', async () => {
    const topic = `${feeds.url}/topic/atom`;
    await verified(topic);
    const big = await hub.publish(topic, `<feed>${'x'.repeat(70 * 1024)}</feed>`);
    expect(big.status).toBe(200);
    let st = await run.store.sources.getState('atom');
    expect(st.status).toBe('error');
    expect(st.lastErrorKind).toBe('too-large');
    const junk = await hub.publish(topic, 'this is not a feed at all');
    expect(junk.status).toBe(200);
    st = await run.store.sources.getState('atom');
    expect(st.status).toBe('error');
    expect(['parse', 'not-a-feed']).toContain(st.lastErrorKind);
  });

  it('a body past 4 × fetch.maxBytes is not read: 413, dropped, counted', async () => {
    const topic = `${feeds.url}/topic/atom`;
    await verified(topic);
    const huge = await hub.publish(topic, 'x'.repeat(4 * 64 * 1024 + 1), { signature: null });
    expect(huge.status).toBe(413);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/tributary_websub_pushes_rejected_total\{reason="too-large"\} [1-9]/);
  });

  it('subscription requests pass the fetch address guard: a private hub is refused, state failed', async () => {
    const guarded = createSubscriber({
      config: { ...run.config, fetch: { ...run.config.fetch, allowPrivateNetworks: false } },
      store: run.store,
      log,
      now: () => new Date(),
    });
    const n = hub.requests.length;
    const fetched = {
      kind: 'ok',
      requestedUrl: `${feeds.url}/guarded.rss`,
      finalUrl: `${feeds.url}/guarded.rss`,
      permanentUrl: null,
      links: { hubs: [`${hub.url}/hub`], self: null },
    } as unknown as FetchOk;
    await guarded.discovered({ ...sourceOf('link'), id: 'guarded' }, fetched, null);
    expect(hub.requests.length).toBe(n);
    expect((await guarded.view('guarded'))!.state).toBe('failed');
    await guarded.close();
  });

  it('renews at ~85 % of the granted lease with the same callback, and marks an unrenewed lease expired', async () => {
    // A fresh subscription of its own (a new topic), so its lease starts now.
    const topic = `${feeds.url}/topic/short-2`;
    const side = sideSubscriber();
    const fetched = {
      kind: 'ok',
      requestedUrl: `${feeds.url}/short.rss`,
      finalUrl: `${feeds.url}/short.rss`,
      permanentUrl: null,
      links: { hubs: [`${hub.url}/short`], self: topic },
    } as unknown as FetchOk;
    await side.discovered(sourceOf('short'), fetched, null);
    const first = await verified(topic);
    const p = await until('short subscribed', async () => {
      const x = await pushOf('short');
      return x?.state === 'subscribed' && Date.parse(x.leaseEnds!) > Date.now() ? x : null;
    });
    const requests = () => hub.requests.filter((r) => r.form.get('hub.topic') === topic).length;
    const n = requests();
    await side.maintain(sourceOf('short')); // not yet due
    expect(requests()).toBe(n);
    await new Promise((r) => setTimeout(r, Date.parse(p.leaseEnds!) - 2000 + 1800 - Date.now()));
    await side.maintain(sourceOf('short')); // 85 % of 2 s is 1.7 s
    expect(requests()).toBe(n + 1);
    expect(hub.requests.at(-1)!.form.get('hub.callback')).toBe(first.callback);
    const renewed = await until('renewed', async () => {
      const x = await pushOf('short');
      return x && x.leaseEnds! > p.leaseEnds! ? x : null;
    });
    expect(renewed.state).toBe('subscribed');
    // The hub stops answering: the lease runs out and the source is polled as usual again.
    hub.behaviours.set('/short', { kind: 'silent' });
    await new Promise((r) => setTimeout(r, Date.parse(renewed.leaseEnds!) + 50 - Date.now()));
    await side.maintain(sourceOf('short'));
    expect((await pushOf('short'))!.state).toBe('expired');
    const st = await run.store.sources.getState('short');
    expect(Date.parse(st.nextPoll!)).toBeLessThanOrEqual(Date.now());
    await side.close();
  });

  it('unsubscribes when a source no longer wants push; the hub verifies and push becomes null', async () => {
    const topic = `${feeds.url}/rss.xml`;
    await verified(topic);
    const side = sideSubscriber();
    await side.maintain({ ...sourceOf('rss'), push: false });
    const req = hub.requests.find(
      (r) => r.form.get('hub.mode') === 'unsubscribe' && r.form.get('hub.topic') === topic,
    );
    expect(req).toBeTruthy();
    await until('unsubscribe verified', () =>
      hub.verifications.find((v) => v.mode === 'unsubscribe' && v.topic === topic && v.echoed),
    );
    expect(hub.subscriptions.has(topic)).toBe(false);
    await until('push null', async () => (await pushOf('rss')) === null);
    // Content for a callback that is gone: 410, the hub drops it.
    const gone = await fetch(
      req!.form.get('hub.callback')!.replace('//localhost:', '//127.0.0.1:'),
      {
        method: 'POST',
        body: 'x',
      },
    );
    expect(gone.status).toBe(410);
    await side.close();
  });

  it('content for a source that was removed: 410 and the subscription is forgotten', async () => {
    const topic = `${feeds.url}/topic/r307`;
    const sub = await verified(topic);
    const side = createSubscriber({
      config: run.config,
      store: run.store,
      log,
      now: () => new Date(),
      findSource: async () => null, // removed from the catalog
      ingest: () => Promise.reject(new Error('must not ingest')),
    });
    const body = Buffer.from(rss(feeds.url, 'r307', ['after removal']));
    const r = await side.receive(sub.callback.split('/').pop()!, {
      chunks: [body],
      contentType: 'application/rss+xml',
      signature: sign('sha256', sub.secret!, body),
    });
    expect(r.status).toBe(410);
    expect(await pushOf('r307')).toBeNull();
    await side.close();
  });

  it('content for a paused source is not ingested (2xx) and the hub is asked to stop', async () => {
    const topic = `${feeds.url}/topic/r308`;
    const sub = await verified(topic);
    const ingested: string[] = [];
    const side = createSubscriber({
      config: run.config,
      store: run.store,
      log,
      now: () => new Date(),
      findSource: async () => ({ ...sourceOf('r308'), enabled: false }),
      ingest: (s) => {
        ingested.push(s.id);
        return Promise.reject(new Error('must not ingest'));
      },
    });
    const body = Buffer.from(rss(feeds.url, 'r308', ['while paused']));
    const r = await side.receive(sub.callback.split('/').pop()!, {
      chunks: [body],
      contentType: 'application/rss+xml',
      signature: sign('sha256', sub.secret!, body),
    });
    expect(r.status).toBe(202);
    expect(ingested).toEqual([]);
    await until('unsubscribe verified', () =>
      hub.verifications.find((v) => v.mode === 'unsubscribe' && v.topic === topic && v.echoed),
    );
    await until('push null', async () => (await pushOf('r308')) === null);
    await side.close();
  });
});
