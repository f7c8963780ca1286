import { describe, expect, it } from 'vitest';
import type { RawFeed, RawItem, SourceConfig } from '../../domain/types.ts';
import { normalizeFeed, normalizeFeedItems, unreadableDates } from './normalize.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const source = (lang: string | null = null): SourceConfig => ({
  id: 'enab-baladi',
  url: 'https://www.enabbaladi.net/feed/',
  title: null,
  lang,
  interval: null,
  tags: [],
  priority: 0,
  enabled: true,
  origin: 'config',
});
const item = (over: Partial<RawItem>): RawItem => ({
  guid: null,
  link: null,
  title: null,
  published: null,
  updated: null,
  author: null,
  summary: null,
  contentHtml: null,
  baseUrl: null,
  categories: [],
  enclosures: [],
  media: [],
  lang: null,
  ...over,
});
const feed = (items: RawItem[], over: Partial<RawFeed> = {}): RawFeed => ({
  format: 'rss',
  title: 'F',
  link: 'https://www.enabbaladi.net/',
  description: null,
  lang: null,
  baseUrl: null,
  image: null,
  ttlMinutes: null,
  updatePeriodMinutes: null,
  items,
  repaired: false,
  ...over,
});
const ctx = (lang: string | null = null) => ({
  source: source(lang),
  feedUrl: 'https://www.enabbaladi.net/feed/',
  now: NOW,
});

const AR_TITLE = 'المقاتلون السوريون في أذربيجان محور اتصالات روسية- تركية';
const AR_BODY =
  'تحدثت موسكو عن مناقشات مستمرة مع أنقرة بشأن مسألة مشاركة مقاتلين سوريين في المعارك الدائرة بين أذربيجان وأرمينيا، بإقليم كاراباخ المتنازع عليه بين البلدين. ' +
  'وقال نائب وزير الخارجية الروسي والمبعوث الخاص للرئيس الروسي لمنطقة الشرق الأوسط والدول الإفريقية، ميخائيل بوغدانوف، اليوم الاثنين 19 من تشرين الأول، إن روسيا تثير باستمرار خلال اتصالاتها مع تركيا مسألة مشاركة “مرتزقة” من سوريا وليبيا.';

describe('normalizeFeed', () => {
  it('normalizes an Arabic RSS item (source lang null -> detected ar)', () => {
    const [a, ...rest] = normalizeFeed(
      feed([
        item({
          guid: 'https://www.enabbaladi.net/archives/418470',
          link: 'https://www.enabbaladi.net/archives/418470?utm_source=rss&utm_medium=rss#respond',
          title: AR_TITLE,
          published: 'Mon, 19 Oct 2020 17:04:00 +0300',
          author: 'عنب بلدي',
          summary: `<p>${AR_BODY.slice(0, 120)}</p>`,
          contentHtml: `<p dir="rtl">${AR_BODY}</p><img src="/wp-content/uploads/2020/10/fighters.jpg" width="800"><script>x()</script>`,
          categories: [' سياسة ', 'أخبار', 'سياسة'],
        }),
      ]),
      ctx(null),
    );
    expect(rest).toEqual([]);
    expect(a).toBeDefined();
    expect(a!.lang).toBe('ar');
    expect(a!.url).toBe('https://www.enabbaladi.net/archives/418470');
    expect(a!.title).toBe(AR_TITLE);
    expect(a!.published).toBe('2020-10-19T14:04:00.000Z');
    expect(a!.updated).toBe(a!.published);
    expect(a!.author).toBe('عنب بلدي');
    expect(a!.summary).toBe(AR_BODY.slice(0, 120));
    expect(a!.contentHtml).toBe(
      `<p dir="rtl">${AR_BODY}</p><img src="https://www.enabbaladi.net/wp-content/uploads/2020/10/fighters.jpg" width="800" />`,
    );
    expect(a!.image).toEqual({
      url: 'https://www.enabbaladi.net/wp-content/uploads/2020/10/fighters.jpg',
      type: null,
      width: 800,
      height: null,
    });
    expect(a!.sourceCategories).toEqual(['سياسة', 'أخبار']);
    expect(a!.tags).toEqual([]);
    expect(a!.sourceId).toBe('enab-baladi');
    expect(a!.id).toMatch(/^[0-9a-f]{24}$/);
    expect(a!.contentHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('summary is plain text of at most 300 chars cut on a word, from the content when there is no description', () => {
    const long = `<p>${AR_BODY} ${AR_BODY}</p>`;
    const [a] = normalizeFeed(feed([item({ title: 't', contentHtml: long })]), ctx('ar'));
    expect(a!.summary.length).toBeLessThanOrEqual(300);
    expect(a!.summary.endsWith('…')).toBe(true);
    expect(a!.summary).not.toContain('<');
    expect(AR_BODY + ' ' + AR_BODY).toContain(a!.summary.slice(0, -1));
  });

  // feedparser and Miniflux keep an entry with no title (or nothing but an id); so do we,
  // titled from its content's first words, else its link, else "(untitled)" in the source's language.
  it('keeps untitled items in feed order: title from content, link or "(untitled)"', () => {
    const out = normalizeFeed(
      feed([
        item({ title: 'first' }),
        item({ author: 'nobody', guid: 'only-an-id' }),
        item({ link: 'https://x.example/2' }),
        item({ contentHtml: '<p>only content here</p>' }),
        item({ title: '   ', summary: '<p> </p>' }),
      ]),
      ctx('en'),
    );
    expect(out.map((a) => a.title)).toEqual([
      'first',
      '(untitled)',
      'https://x.example/2',
      'only content here',
      '(untitled)',
    ]);
    expect(out[1]!.guid).toBe('only-an-id');
  });

  it('says "(untitled)" in the source\'s language: Arabic', () => {
    const [a] = normalizeFeed(feed([item({ guid: 'x-1' })]), ctx('ar'));
    expect(a!.title).toBe('(بدون عنوان)');
    expect(a!.lang).toBe('ar');
  });

  it('titles an untitled item from the first words of its content, cut on a word', () => {
    const words = 'The council voted on Tuesday to keep the old bridge open '.repeat(4);
    const [a] = normalizeFeed(
      feed([item({ guid: 'x-2', contentHtml: `<p>${words}</p>` })]),
      ctx('en'),
    );
    expect(a!.title.startsWith('The council voted on Tuesday')).toBe(true);
    expect(a!.title.length).toBeLessThanOrEqual(101);
    expect(words.startsWith(a!.title.replace(/…$/, ''))).toBe(true);
  });

  it('falls back: published -> updated -> now; updated -> published; future clamps', () => {
    const out = normalizeFeed(
      feed([
        item({ title: 'a', updated: '2020-01-02T00:00:00Z' }),
        item({ title: 'b' }),
        item({ title: 'c', published: '2099-01-01T00:00:00Z' }),
        item({ title: 'd', published: '2020-01-01T00:00:00Z', updated: '2020-01-03T00:00:00Z' }),
      ]),
      ctx('en'),
    );
    expect(out.map((a) => [a.published, a.updated])).toEqual([
      ['2020-01-02T00:00:00.000Z', '2020-01-02T00:00:00.000Z'],
      [NOW.toISOString(), NOW.toISOString()],
      [NOW.toISOString(), NOW.toISOString()],
      ['2020-01-01T00:00:00.000Z', '2020-01-03T00:00:00.000Z'],
    ]);
  });

  it('picks the language: item xml:lang, feed lang, source lang, detector', () => {
    const en = 'The ministry said on Monday that talks would continue through the week.';
    const run = (
      itemLang: string | null,
      feedLang: string | null,
      srcLang: string | null,
      text = en,
    ) =>
      normalizeFeed(
        feed([item({ title: text, lang: itemLang })], { lang: feedLang }),
        ctx(srcLang),
      )[0]!.lang;
    expect(run('fr-CA', 'en-us', 'ar')).toBe('fr');
    expect(run(null, 'en-US', 'ar')).toBe('en');
    expect(run(null, null, 'ar')).toBe('ar');
    expect(run(null, null, null)).toBe('en');
    expect(
      run(
        null,
        null,
        null,
        'Le ministère a déclaré lundi que les discussions se poursuivraient toute la semaine.',
      ),
    ).toBe('fr');
  });

  it('resolves content URLs against xml:base, else the item link; lead image order', () => {
    const [a, b, c] = normalizeFeed(
      feed([
        item({
          title: 'base',
          link: 'https://site.example/posts/1',
          baseUrl: 'https://cdn.example/media/',
          contentHtml: '<img src="a.jpg"><a href="x">x</a>',
          media: [
            {
              url: 'https://cdn.example/thumb.jpg',
              type: null,
              medium: 'image',
              width: 150,
              height: 100,
              length: null,
            },
          ],
        }),
        item({
          title: 'link',
          link: 'https://site.example/posts/2/',
          contentHtml: '<img src="b.jpg">',
          enclosures: [
            {
              url: 'https://site.example/a.mp3',
              type: 'audio/mpeg',
              medium: null,
              width: null,
              height: null,
              length: 1,
            },
            {
              url: 'https://site.example/e.png',
              type: 'image/png',
              medium: null,
              width: null,
              height: null,
              length: 1,
            },
          ],
        }),
        item({
          title: 'pixel only',
          link: 'https://site.example/posts/3',
          media: [
            {
              url: 'https://t.example/p.gif',
              type: 'image/gif',
              medium: null,
              width: 1,
              height: 1,
              length: null,
            },
          ],
          contentHtml: '<p>x</p>',
        }),
      ]),
      ctx('en'),
    );
    expect(a!.contentHtml).toBe(
      '<img src="https://cdn.example/media/a.jpg" /><a href="https://cdn.example/media/x">x</a>',
    );
    expect(a!.image!.url).toBe('https://cdn.example/thumb.jpg');
    expect(b!.contentHtml).toBe('<img src="https://site.example/posts/2/b.jpg" />');
    expect(b!.image).toEqual({
      url: 'https://site.example/e.png',
      type: 'image/png',
      width: null,
      height: null,
    });
    expect(c!.image).toBeNull();
  });

  it('cleans invalid XML characters, markup in titles and author e-mails', () => {
    const [a] = normalizeFeed(
      feed([
        item({
          title: 'Tom &amp; Jerry <b>live</b>\u0001 x<y',
          author: 'jane@example.com (Jane Doe)',
          summary: 'a\u0000b',
          guid: 'g\u0002',
          categories: ['c\u0007'],
        }),
      ]),
      ctx('en'),
    );
    expect(a!.title).toBe('Tom & Jerry live x');
    expect(a!.author).toBe('Jane Doe');
    expect(a!.summary).toBe('ab');
    expect(a!.guid).toBe('g');
    expect(a!.sourceCategories).toEqual(['c']);
    const plain = normalizeFeed(feed([item({ title: 'x < y and 3 > 2' })]), ctx('en'))[0]!;
    expect(plain.title).toBe('x < y and 3 > 2');
  });

  it('keeps ids stable across polls and URL noise; contentHash changes with edits', () => {
    const poll = (link: string, content: string) =>
      normalizeFeed(feed([item({ title: 'Same', link, contentHtml: content })]), ctx('en'))[0]!;
    const a = poll('https://site.example/s?id=1', '<p>v1</p>');
    const b = poll('http://site.example/s?id=1&utm_source=tw#c', '<p>v1</p>');
    const c = poll('https://site.example/s?id=1', '<p>v2</p>');
    expect(b.id).toBe(a.id);
    expect(b.contentHash).toBe(a.contentHash);
    expect(c.id).toBe(a.id);
    expect(c.contentHash).not.toBe(a.contentHash);
    // Title-only items without a date keep their id although `published` falls back to now.
    const t1 = normalizeFeed(feed([item({ title: 'Only a title' })]), {
      ...ctx('en'),
      now: new Date('2024-01-01T00:00:00Z'),
    })[0]!;
    const t2 = normalizeFeed(feed([item({ title: 'Only a title' })]), {
      ...ctx('en'),
      now: new Date('2024-02-01T00:00:00Z'),
    })[0]!;
    expect(t2.id).toBe(t1.id);
  });

  it('keeps every enclosure: source order, absolute http(s) URLs, one per URL with what either copy said', () => {
    const m = (url: string, over: Partial<RawItem['enclosures'][number]> = {}) => ({
      url,
      type: null,
      medium: null,
      width: null,
      height: null,
      length: null,
      ...over,
    });
    const [a] = normalizeFeed(
      feed(
        [
          item({
            title: 'episode',
            link: 'https://site.example/e/1',
            enclosures: [
              m('/media/1.mp3', { type: 'audio/mpeg', duration: 4190 }),
              m('https://site.example/media/1.ogg', { type: 'audio/ogg', length: 5 }),
              m('https://site.example/media/1.mp3', { length: 47160424 }),
              m('javascript:alert(1)'),
              m('https://site.example/cover.png', { type: 'not a type', length: -3 }),
            ],
          }),
        ],
        { baseUrl: 'https://site.example/feed/' },
      ),
      ctx('en'),
    );
    expect(a!.enclosures).toEqual([
      {
        url: 'https://site.example/media/1.mp3',
        type: 'audio/mpeg',
        length: 47160424,
        durationSeconds: 4190,
      },
      {
        url: 'https://site.example/media/1.ogg',
        type: 'audio/ogg',
        length: 5,
        durationSeconds: null,
      },
      { url: 'https://site.example/cover.png', type: null, length: null, durationSeconds: null },
    ]);
    expect(normalizeFeed(feed([item({ title: 'none' })]), ctx('en'))[0]!.enclosures).toEqual([]);
  });
});

describe('normalizeFeedItems: dates', () => {
  it('flags an item whose date is there but unreadable, and dates it by first sight', () => {
    const out = normalizeFeedItems(
      feed([
        item({ title: 'a', published: 'الأحد 29 تشرين الثاني 2026 - 10:30 م' }),
        item({ title: 'b', published: 'منذ 3 ساعات' }),
        item({ title: 'c', published: 'garbage', updated: '2020-01-02T00:00:00Z' }),
        item({ title: 'd' }),
      ]),
      { ...ctx('ar'), now: new Date('2030-01-01T00:00:00Z') },
    );
    expect(out.map((n) => [n.article.title, n.article.published, n.dateUnreadable])).toEqual([
      ['a', '2026-11-29T22:30:00.000Z', false],
      ['b', '2030-01-01T00:00:00.000Z', true],
      ['c', '2020-01-02T00:00:00.000Z', false], // the updated date serves
      ['d', '2030-01-01T00:00:00.000Z', false], // no date at all is not an unreadable one
    ]);
    expect(
      unreadableDates(
        feed(out.map((_, i) => item({ title: 'x', published: i ? 'x' : null }))),
        ctx('ar'),
      ),
    ).toBe(3);
  });

  it('reads AST by the declared language: Arabia time for an Arabic source', () => {
    const ast = [item({ title: 'a', published: 'Wed, 02 Dec 2026 08:00:00 AST' })];
    const at = (lang: string) =>
      normalizeFeed(feed(ast), { ...ctx(lang), now: new Date('2030-01-01T00:00:00Z') })[0]!
        .published;
    expect(at('ar')).toBe('2026-12-02T05:00:00.000Z');
    expect(at('en')).toBe('2026-12-02T12:00:00.000Z');
  });
});
