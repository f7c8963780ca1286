// Our own RSS/Atom/JSON Feed writers against real oracles: xmllint (well-formed), Python
// feedparser (bozo 0, dates parsed) and a JSON Feed 1.1 schema (ajv). Covers items with no
// content, per-item language and direction, lazy images, extra feed links, per-section ids and
// the date of an empty feed.
import { describe, it, expect } from 'vitest';
import { renderFeed } from './feeds.ts';
import { WRITERS_LOADED_AT } from './prepare.ts';
import {
  CLOCK,
  feedparse,
  feedRuleErrors,
  item,
  jsonFeedErrors,
  meta,
  threeItems,
  xmllint,
} from './test-support.ts';

const FORMATS = ['rss', 'atom', 'json'] as const;
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

interface JsonItem {
  id: string;
  title: string;
  content_html?: string;
  content_text?: string;
  language?: string;
}

/** Renders in every format and checks each with its oracle; returns the three outputs. */
function renderAllValid(m: ReturnType<typeof meta>, items: ReturnType<typeof threeItems>) {
  const out = {} as Record<(typeof FORMATS)[number], string>;
  for (const f of FORMATS) out[f] = renderFeed(f, m, items);
  for (const f of ['rss', 'atom'] as const) {
    expect(xmllint(out[f]), f).toEqual({ ok: true, errors: '' });
    expect(feedRuleErrors(out[f]), f).toEqual([]);
    const d = feedparse(out[f]);
    expect(d.bozo, `${f}: ${d.bozo_exception}`).toBe(0);
    for (const e of d.entries) expect(e.published_parsed, `${f} ${e.id}`).not.toBeNull();
  }
  expect(jsonFeedErrors(out.json)).toEqual([]);
  return out;
}

describe('writers: items with no content at all', () => {
  const bare = () => [
    item({ id: 'no-text', summary: '', contentHtml: '' }),
    item({ id: 'no-text-no-link', url: null, summary: '', contentHtml: '   ' }),
    item({ id: 'nothing', url: null, title: '', summary: '', contentHtml: '' }),
    item({ id: 'summary-only', title: '  ', contentHtml: '', summary: 'Only a summary here.' }),
    item({
      id: 'link-only',
      url: 'https://e.example/a?b=1&c=2',
      title: '',
      summary: '',
      contentHtml: '',
    }),
  ];

  it('is valid in RSS, Atom (well-formed, bozo 0, dates parsed) and JSON Feed 1.1', () => {
    const out = renderAllValid(meta(), bare());
    expect(feedparse(out.rss).entries.map((e) => e.title)).toEqual([
      'Title no-text',
      'Title no-text-no-link',
      'Untitled',
      'Only a summary here.',
      'https://e.example/a?b=1&c=2',
    ]);
    // RFC 4287: an entry without an alternate link carries content
    const atom = feedparse(out.atom).entries;
    expect(atom[1]?.content).toEqual(['Title no-text-no-link']);
    expect(atom[0]?.content).toEqual([]);
  });

  it('JSON Feed always has a non-empty content_html or content_text', () => {
    const f = JSON.parse(renderFeed('json', meta(), bare())) as { items: JsonItem[] };
    expect(f.items.map((i) => [i.content_html, i.content_text])).toEqual([
      [undefined, 'Title no-text'],
      [undefined, 'Title no-text-no-link'],
      [undefined, 'Untitled'],
      [undefined, 'Only a summary here.'],
      [undefined, 'https://e.example/a?b=1&c=2'],
    ]);
  });

  it('the schema check can fail: an item without content is refused', () => {
    const f = JSON.parse(renderFeed('json', meta(), bare())) as { items: JsonItem[] };
    delete f.items[0]?.content_text;
    expect(jsonFeedErrors(JSON.stringify(f)).join('\n')).toMatch(/must match a schema in anyOf/);
  });
});

describe('writers: the structure check (W3C validator rules) can fail', () => {
  it('reports a missing self link, an item with neither title nor description, bad dates', () => {
    expect(
      feedRuleErrors(
        '<rss version="2.0"><channel><title>t</title><link>http://x/</link><description>d</description>' +
          '<item><pubDate>yesterday</pubDate><enclosure url="http://a/" length="" type="x"/></item></channel></rss>',
      ),
    ).toEqual([
      'no atom:link rel=self',
      'item 0: no title or description',
      "item 0: not an RFC 822 date: 'yesterday'",
      'item 0: enclosure',
    ]);
    expect(
      feedRuleErrors(
        '<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title><updated>2020</updated>' +
          '<entry><id>a</id><title>t</title><updated>2020-01-01T00:00:00Z</updated></entry></feed>',
      ),
    ).toEqual([
      'feed: updated not RFC 3339',
      'feed: no rel=self',
      'entry 0: no author',
      'entry 0: no content and no alternate link',
    ]);
  });
});

describe('writers: per-item language and direction', () => {
  const mixed = () => [
    item({ id: 'ar', lang: 'ar', contentHtml: '<p>خبر عاجل</p>', title: 'خبر' }),
    item({ id: 'en', lang: 'en', contentHtml: '<p>Breaking</p>' }),
    item({ id: 'fa', lang: 'fa', contentHtml: '<p>خبر فوری</p>', title: 'خبر فوری' }),
  ];

  it('an English feed marks its Arabic and Persian items (xml:lang, language, dir)', () => {
    const out = renderAllValid(meta({ lang: 'en' }), mixed());
    expect(out.atom).toContain('<entry xml:lang="ar">');
    expect(out.atom).toContain('<entry xml:lang="fa">');
    expect(out.atom).toContain('<entry>\n'); // the English entry inherits the feed's language
    expect(feedparse(out.atom).entries.map((e) => e.language)).toEqual(['ar', 'en', 'fa']);
    const json = JSON.parse(out.json) as { items: JsonItem[] };
    expect(json.items.map((i) => i.language)).toEqual(['ar', 'en', 'fa']);
    expect(json.items.map((i) => i.content_html)).toEqual([
      '<div lang="ar" dir="rtl"><p>خبر عاجل</p></div>',
      '<p>Breaking</p>',
      '<div lang="fa" dir="rtl"><p>خبر فوری</p></div>',
    ]);
    expect(feedparse(out.rss).entries[0]?.content[0]).toContain('dir="rtl"');
  });

  it('an Arabic feed marks its English item left to right', () => {
    const json = JSON.parse(renderFeed('json', meta({ lang: 'ar' }), mixed())) as {
      items: JsonItem[];
    };
    expect(json.items[1]?.content_html).toBe('<div lang="en" dir="ltr"><p>Breaking</p></div>');
    expect(renderFeed('atom', meta({ lang: 'ar' }), mixed())).toContain('<entry xml:lang="en">');
  });
});

describe('writers: images in content', () => {
  it('get loading="lazy" and referrerpolicy="no-referrer", existing values kept', () => {
    const html =
      '<p><img src="https://e.example/a.jpg" alt="a > b"> and ' +
      '<img src="https://e.example/b.jpg" loading="eager"/> and <IMG SRC="https://e.example/c.jpg"></p>';
    const out = renderAllValid(meta({ lang: 'en' }), [item({ id: 'img', contentHtml: html })]);
    const json = JSON.parse(out.json) as { items: JsonItem[] };
    expect(json.items[0]?.content_html).toBe(
      '<p><img src="https://e.example/a.jpg" alt="a > b" loading="lazy" referrerpolicy="no-referrer"> and ' +
        '<img src="https://e.example/b.jpg" loading="eager" referrerpolicy="no-referrer"/> and ' +
        '<img SRC="https://e.example/c.jpg" loading="lazy" referrerpolicy="no-referrer"></p>',
    );
    // feedparser's sanitizer drops both attributes, so the raw XML is read here
    for (const f of ['rss', 'atom'] as const) {
      expect(out[f].match(/loading="lazy" referrerpolicy="no-referrer"/g), f).toHaveLength(2);
    }
  });
});

describe('writers: feed-level links', () => {
  it('self, alternate and next in every format, and a place for more (a WebSub hub)', () => {
    const m = meta({ links: [{ rel: 'hub', href: 'https://hub.example/' }] });
    const rss = feedparse(renderFeed('rss', m, threeItems()));
    expect(rss.feed.links).toEqual(
      expect.arrayContaining([
        { rel: 'self', href: 'http://localhost:8080/feeds/caucasus.rss' },
        { rel: 'next', href: 'http://localhost:8080/feeds/caucasus.rss?before=abc&limit=3' },
        { rel: 'hub', href: 'https://hub.example/' },
      ]),
    );
    const atomMeta = { ...m, selfUrl: 'http://localhost:8080/feeds/caucasus.atom' };
    const atom = renderFeed('atom', atomMeta, threeItems());
    expect(atom).toContain(
      '<link href="http://localhost:8080/feeds/caucasus.atom" rel="self" type="application/atom+xml"/>',
    );
    expect(feedparse(atom).feed.links).toEqual(
      expect.arrayContaining([{ rel: 'hub', href: 'https://hub.example/' }]),
    );
    const json = renderFeed('json', m, threeItems());
    expect(jsonFeedErrors(json)).toEqual([]);
    expect((JSON.parse(json) as { hubs: unknown }).hubs).toEqual([
      { type: 'WebSub', url: 'https://hub.example/' },
    ]);
  });

  it('drops an extra link whose URL or rel is not valid', () => {
    const m = meta({
      links: [
        { rel: 'hub', href: 'javascript:alert(1)' },
        { rel: 'a b"', href: 'https://ok.example/' },
      ],
    });
    for (const f of ['rss', 'atom'] as const) {
      const xml = renderFeed(f, m, []);
      expect(xml).not.toContain('javascript');
      expect(xml).not.toContain('ok.example');
    }
  });
});

describe('writers: item ids per article or per section', () => {
  it('`guid: section` prefixes the section id; the default is the article id', () => {
    const items = threeItems();
    const article = feedparse(renderFeed('rss', meta(), items)).entries.map((e) => e.id);
    expect(article[0]).toBe('urn:tributary:article:ar-1');
    const other = feedparse(renderFeed('rss', meta({ id: 'syria' }), items)).entries[0]?.id;
    expect(other).toBe(article[0]); // overlapping sections: the same guid by default
    for (const f of FORMATS) {
      const out = renderFeed(f, meta({ id: 'syria', guid: 'section' }), items);
      const ids =
        f === 'json'
          ? (JSON.parse(out) as { items: JsonItem[] }).items.map((i) => i.id)
          : feedparse(out).entries.map((e) => e.id);
      expect(ids, f).toEqual([
        'urn:tributary:section:syria:article:ar-1',
        'urn:tributary:section:syria:article:en-2',
        'urn:tributary:section:syria:article:img-3',
      ]);
    }
  });
});

describe('writers: the date of an empty feed', () => {
  it('is never 1970: the epoch or an invalid date become the time the writers loaded', () => {
    for (const updated of [new Date(0), new Date(NaN)]) {
      const rss = renderFeed('rss', meta({ updated }), []);
      expect(rss).not.toContain('1970');
      expect(rss).toContain(`<lastBuildDate>${WRITERS_LOADED_AT.toUTCString()}</lastBuildDate>`);
      const atom = renderFeed('atom', meta({ updated }), []);
      expect(atom).toContain(`<updated>${WRITERS_LOADED_AT.toISOString()}</updated>`);
    }
    // a given date is kept
    expect(renderFeed('atom', meta({ updated: CLOCK }), [])).toContain(
      `<updated>${CLOCK.toISOString()}</updated>`,
    );
    expect(epoch(WRITERS_LOADED_AT.toISOString())).toBeGreaterThan(epoch('2020-01-01T00:00:00Z'));
  });
});
