// A publisher's correction reaches readers: an item whose date, author or image changes (title and
// body unchanged) is stored again, with a later `updated`, and the section feed served by the
// running service (real loopback feed server, real HTTP app) shows the new values.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testConfig, startService, pollAll, startFeedServer } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import type { Running } from '../../src/runtime/start.ts';

const CONFIG = `
site: { title: Test, baseUrl: http://feeds.test }
fetch: { allowPrivateNetworks: true, timeout: 5s }
retention: { maxAge: 3650d }
sources:
  - { id: wire, url: "\${BASE}/wire.rss", title: Wire, lang: en }
sections:
  - { id: all, title: All, lang: en, limit: 50 }
`;

const HOUR = 3600_000;
const sec = (ms: number) => Math.floor(ms / 1000) * 1000;

interface Item {
  date: number;
  author: string;
  image: string;
}
/** One item with fixed title and body; date, author and enclosure image vary. */
function feed(it: Item, other = 'Unchanged neighbour'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>t</description>
<item><guid isPermaLink="false">story-1</guid><title>Storm closes the coastal road</title>
<link>https://wire.example/story/1</link><pubDate>${new Date(it.date).toUTCString()}</pubDate>
<author>desk@wire.example (${it.author})</author>
<enclosure url="${it.image}" type="image/jpeg" length="1000"/>
<description>The coastal road stays closed after the storm, officials said on Monday.</description></item>
<item><guid isPermaLink="false">story-2</guid><title>${other}</title><link>https://wire.example/story/2</link>
<pubDate>${new Date(sec(Date.now() - 5 * HOUR)).toUTCString()}</pubDate><description>Nothing new here.</description></item>
</channel></rss>`;
}

type JsonItem = {
  id: string;
  title: string;
  date_published: string;
  date_modified: string;
  authors?: { name: string }[];
  image?: string;
};

describe('corrections reach readers', () => {
  let feeds: FeedServer;
  let run: Running;
  let base: string;

  beforeAll(async () => {
    feeds = await startFeedServer();
    run = await startService(testConfig(CONFIG, {}, { BASE: feeds.url }));
    base = run.server!.url;
  });
  afterAll(async () => {
    await run?.stop();
    await feeds?.close();
  });

  const section = async () => {
    const r = await fetch(`${base}/feeds/all.json`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { items: JsonItem[] };
    const atom = await (await fetch(`${base}/feeds/all.atom`)).text();
    const feedUpdated = /<feed[\s\S]*?<updated>([^<]+)<\/updated>/.exec(atom)![1]!;
    return {
      story: body.items.find((i) => i.title === 'Storm closes the coastal road')!,
      count: body.items.length,
      feedUpdated: Date.parse(feedUpdated),
    };
  };

  it('changes of date, author and image (title and body unchanged) replace the stored item and move `updated`', async () => {
    const first = {
      date: sec(Date.now() - 3 * HOUR),
      author: 'Jane Roe',
      image: `${feeds.url}/img/1.jpg`,
    };
    feeds.routes.set('/wire.rss', { body: feed(first) });
    await pollAll(run, ['wire']);
    const before = await section();
    expect(before.count).toBe(2);
    expect(before.story.authors).toEqual([{ name: 'Jane Roe' }]);
    expect(before.story.image).toBe(first.image);
    expect(Date.parse(before.story.date_published)).toBe(first.date);

    // The correction: an earlier date, another author, and the image on another host:port
    // (as the demo's fixture server did on restart). Title and body are the same.
    const corrected = {
      date: sec(Date.now() - 4 * HOUR),
      author: 'John Doe',
      image: 'http://127.0.0.1:1/img/1.jpg',
    };
    feeds.routes.set('/wire.rss', { body: feed(corrected) });
    await pollAll(run, ['wire']);
    const after = await section();
    expect(after.count).toBe(2);
    expect(after.story.authors).toEqual([{ name: 'John Doe' }]);
    expect(after.story.image).toBe(corrected.image);
    expect(Date.parse(after.story.date_published)).toBe(corrected.date);
    // The source did not move its date forward, so the stored copy gets a later `updated`:
    // a reader that keeps items by `updated` sees the correction, and so does the feed's own.
    expect(Date.parse(after.story.date_modified)).toBeGreaterThan(
      Date.parse(before.story.date_modified),
    );
    expect(after.feedUpdated).toBeGreaterThan(before.feedUpdated);

    // The same feed again changes nothing (no second bump).
    await pollAll(run, ['wire']);
    const again = await section();
    expect(again.story.date_modified).toBe(after.story.date_modified);
  });

  it('an author change alone is a correction too', async () => {
    const it1 = {
      date: sec(Date.now() - 2 * HOUR),
      author: 'Jane Roe',
      image: `${feeds.url}/a.jpg`,
    };
    feeds.routes.set('/wire.rss', { body: feed(it1, 'Second neighbour') });
    await pollAll(run, ['wire']);
    const before = await section();
    feeds.routes.set('/wire.rss', {
      body: feed({ ...it1, author: 'Rick Moe' }, 'Second neighbour'),
    });
    await pollAll(run, ['wire']);
    const after = await section();
    expect(after.story.authors).toEqual([{ name: 'Rick Moe' }]);
    expect(Date.parse(after.story.date_modified)).toBeGreaterThan(
      Date.parse(before.story.date_modified),
    );
  });
});
