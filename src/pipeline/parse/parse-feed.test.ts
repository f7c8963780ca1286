import { describe, expect, it } from 'vitest';
import { FeedError } from '../../domain/errors.ts';
import { parseFeed } from './parse-feed.ts';
import { durationSeconds } from './xml-feed.ts';

async function failure(p: Promise<unknown>): Promise<FeedError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FeedError);
    return e as FeedError;
  }
  throw new Error('expected a FeedError');
}

const RSS091 = `<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91">
  <channel>
    <title>Old News</title><link>http://old.example.com/</link><description>Since 1999</description>
    <language>en-us</language>
    <image><title>Old</title><url>http://old.example.com/logo.gif</url><link>http://old.example.com/</link></image>
    <item><title>First</title><link>http://old.example.com/1</link><description>One &amp; only</description></item>
    <item><title>Second</title><link>http://old.example.com/2</link></item>
  </channel>
</rss>`;

const RDF = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel rdf:about="http://rdf.example.com/">
    <title>RDF site</title><link>http://rdf.example.com/</link><description>d</description>
    <dc:language>fr</dc:language>
    <sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>
  </channel>
  <item rdf:about="http://rdf.example.com/a">
    <title>Un article</title><link>http://rdf.example.com/a</link>
    <description>Résumé</description>
    <content:encoded><![CDATA[<p>Texte &amp; <b>gras</b></p>]]></content:encoded>
    <dc:creator>Marie</dc:creator><dc:date>2020-10-19T17:04:00+02:00</dc:date>
    <dc:subject>Politique</dc:subject>
  </item>
</rdf:RDF>`;

const ATOM03 = `<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="de">
  <title>Altes Atom</title>
  <link rel="alternate" type="text/html" href="http://atom03.example.com/"/>
  <tagline>Beschreibung</tagline>
  <entry>
    <title>Eintrag</title>
    <link rel="alternate" type="text/html" href="http://atom03.example.com/e1"/>
    <id>tag:atom03.example.com,2004:e1</id>
    <issued>2004-05-01T12:00:00Z</issued>
    <modified>2004-05-02T12:00:00Z</modified>
    <author><name>Hans</name></author>
    <content type="text/html" mode="escaped">&lt;p&gt;Hallo&lt;/p&gt;</content>
  </entry>
</feed>`;

describe('parseFeed: formats', () => {
  it('reads RSS 0.91 despite its external DOCTYPE', async () => {
    const f = await parseFeed(RSS091);
    expect(f.format).toBe('rss');
    expect(f.title).toBe('Old News');
    expect(f.lang).toBe('en-us');
    expect(f.image).toBe('http://old.example.com/logo.gif');
    expect(f.items.map((i) => i.link)).toEqual([
      'http://old.example.com/1',
      'http://old.example.com/2',
    ]);
    expect(f.items[0]!.summary).toBe('One & only');
    expect(f.repaired).toBe(false);
  });

  it('reads RSS 1.0 (RDF) with dc, content and sy', async () => {
    const f = await parseFeed(RDF);
    expect(f.format).toBe('rdf');
    expect(f.lang).toBe('fr');
    expect(f.updatePeriodMinutes).toBe(30);
    const it0 = f.items[0]!;
    expect(it0.guid).toBe('http://rdf.example.com/a');
    expect(it0.author).toBe('Marie');
    expect(it0.published).toBe('2020-10-19T17:04:00+02:00');
    expect(it0.contentHtml).toBe('<p>Texte &amp; <b>gras</b></p>');
    expect(it0.categories).toEqual(['Politique']);
  });

  it('reads Atom 0.3 (issued/modified, tagline, escaped content)', async () => {
    const f = await parseFeed(ATOM03);
    expect(f.format).toBe('atom');
    expect(f.lang).toBe('de');
    expect(f.description).toBe('Beschreibung');
    const e = f.items[0]!;
    expect(e.guid).toBe('tag:atom03.example.com,2004:e1');
    expect(e.published).toBe('2004-05-01T12:00:00Z');
    expect(e.updated).toBe('2004-05-02T12:00:00Z');
    expect(e.author).toBe('Hans');
    expect(e.contentHtml).toBe('<p>Hallo</p>');
    expect(e.link).toBe('http://atom03.example.com/e1');
  });

  it('reads RSS 2.0 media, enclosures, ttl, itunes image, Arabic text and garbage Atom-style dates', async () => {
    const f = await parseFeed(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>عنب بلدي</title><link>https://www.enabbaladi.net/</link><description>أخبار</description>
<ttl>30</ttl><itunes:image href="https://www.enabbaladi.net/cover.jpg"/>
<item>
  <title>اتفاق على وقف إطلاق النار في قره باغ</title>
  <link>https://www.enabbaladi.net/archives/1</link>
  <guid isPermaLink="false">enab-1</guid>
  <pubDate>Mon, 19 Oct 2020 17:04:00 +0300</pubDate>
  <dc:creator><![CDATA[عنب بلدي]]></dc:creator>
  <category><![CDATA[سياسة]]></category><category>أخبار</category>
  <media:content url="https://cdn.example/a.jpg" medium="image" width="800" height="450"/>
  <media:content url="https://cdn.example/b.mp4" type="video/mp4"/>
  <media:group><media:thumbnail url="https://cdn.example/t.jpg"/></media:group>
  <enclosure url="https://cdn.example/e.jpg" type="image/jpeg" length="1234"/>
  <content:encoded><![CDATA[<p dir="rtl">نص المقال</p>]]></content:encoded>
</item></channel></rss>`);
    expect(f.ttlMinutes).toBe(30);
    expect(f.image).toBe('https://www.enabbaladi.net/cover.jpg');
    const it0 = f.items[0]!;
    expect(it0.guid).toBe('enab-1');
    expect(it0.author).toBe('عنب بلدي');
    expect(it0.categories).toEqual(['سياسة', 'أخبار']);
    expect(it0.media.map((m) => [m.url, m.medium])).toEqual([
      ['https://cdn.example/a.jpg', 'image'],
      ['https://cdn.example/b.mp4', null],
      ['https://cdn.example/t.jpg', 'image'],
    ]);
    expect(it0.media[0]!.width).toBe(800);
    // Every enclosure in document order: media:content too (thumbnails are not enclosures).
    expect(it0.enclosures.map((m) => [m.url, m.type, m.length])).toEqual([
      ['https://cdn.example/a.jpg', null, null],
      ['https://cdn.example/b.mp4', 'video/mp4', null],
      ['https://cdn.example/e.jpg', 'image/jpeg', 1234],
    ]);
  });

  it('reads every enclosure: RSS enclosures, media:group, fileSize, durations, relative URLs', async () => {
    const f = await parseFeed(
      `<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>P</title><link>https://pod.example/</link>
<item><title>E1</title><link>https://pod.example/e1</link>
  <itunes:image href="https://pod.example/cover.jpg"/>
  <itunes:duration>1:09:50</itunes:duration>
  <enclosure url="/media/e1.mp3" length="47160424" type="audio/mpeg"/>
  <enclosure url="https://pod.example/media/e1.ogg" type="audio/ogg"/>
  <media:group>
    <media:content url="https://pod.example/media/e1-hd.mp4" type="video/mp4" fileSize="900" duration="4190"/>
    <media:content url="https://pod.example/media/e1.mp3" type="audio/mpeg"/>
    <media:thumbnail url="https://pod.example/t.jpg"/>
  </media:group>
</item></channel></rss>`,
      { url: 'https://pod.example/feed.xml' },
    );
    const it0 = f.items[0]!;
    expect(it0.enclosures.map((m) => [m.url, m.type, m.length, m.duration ?? null])).toEqual([
      ['https://pod.example/media/e1.mp3', 'audio/mpeg', 47160424, 4190],
      ['https://pod.example/media/e1.ogg', 'audio/ogg', null, null],
      ['https://pod.example/media/e1-hd.mp4', 'video/mp4', 900, 4190],
      ['https://pod.example/media/e1.mp3', 'audio/mpeg', null, null],
    ]);
    expect(it0.media.map((m) => m.url)).toContain('https://pod.example/cover.jpg');

    const atom =
      await parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title>A</title><entry><id>a1</id><title>A1</title>
  <link rel="enclosure" href="https://a.example/1.mp3" type="audio/mpeg" length="10"/>
  <media:content url="https://a.example/1.webm" type="video/webm"/>
  <link rel="enclosure" href="https://a.example/2.pdf" type="application/pdf"/>
  <media:thumbnail url="https://a.example/t.png"/>
</entry></feed>`);
    expect(atom.items[0]!.enclosures.map((m) => m.url)).toEqual([
      'https://a.example/1.mp3',
      'https://a.example/1.webm',
      'https://a.example/2.pdf',
    ]);
  });

  it('reads itunes:duration as seconds, MM:SS or HH:MM:SS', () => {
    expect(durationSeconds('10475')).toBe(10475);
    expect(durationSeconds('05:09')).toBe(309);
    expect(durationSeconds('1:09:50')).toBe(4190);
    expect(durationSeconds(' 114 ')).toBe(114);
    expect(durationSeconds('about an hour')).toBeNull();
    expect(durationSeconds('0')).toBeNull();
  });

  it('survives an Atom entry whose date is garbage', async () => {
    const f = await parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
      <entry><id>x</id><title>T</title><published>yesterday-ish</published><updated>2020-01-01T00:00:00Z</updated></entry></feed>`);
    expect(f.items[0]!.published).toBe('yesterday-ish');
    expect(f.items[0]!.updated).toBe('2020-01-01T00:00:00Z');
  });

  it('reads JSON Feed 1.0 and 1.1', async () => {
    const v10 = await parseFeed(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1',
        title: 'J',
        home_page_url: 'https://j.example/',
        feed_url: 'https://j.example/feed.json',
        author: { name: 'Old Author' },
        items: [
          {
            id: 1,
            url: '/p/1',
            title: 'One',
            content_text: 'Hello\n\nWorld <3',
            date_published: '2020-01-01T00:00:00Z',
            tags: ['a', 'b'],
          },
          {
            id: '2',
            content_html: '<p>two</p>',
            image: 'https://j.example/i.png',
            attachments: [
              { url: 'https://j.example/a.mp3', mime_type: 'audio/mpeg', size_in_bytes: 99 },
            ],
          },
        ],
      }),
    );
    expect(v10.format).toBe('json');
    expect(v10.items[0]!.guid).toBe('1');
    expect(v10.items[0]!.link).toBe('https://j.example/p/1');
    expect(v10.items[0]!.contentHtml).toBe('<p>Hello</p><p>World &lt;3</p>');
    expect(v10.items[0]!.author).toBe('Old Author');
    expect(v10.items[0]!.categories).toEqual(['a', 'b']);
    expect(v10.items[1]!.media[0]!.url).toBe('https://j.example/i.png');
    expect(v10.items[1]!.enclosures[0]).toMatchObject({
      url: 'https://j.example/a.mp3',
      medium: 'audio',
      length: 99,
    });

    const v11 = await parseFeed(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'J11',
        language: 'ar',
        items: [
          {
            id: 'x',
            title: 'خبر',
            authors: [{ name: 'أ' }, { name: 'ب' }],
            language: 'ar-SY',
            summary: 's',
            date_modified: '2021-01-01T00:00:00Z',
          },
        ],
      }),
    );
    expect(v11.lang).toBe('ar');
    expect(v11.items[0]).toMatchObject({
      author: 'أ, ب',
      lang: 'ar-sy',
      summary: 's',
      updated: '2021-01-01T00:00:00Z',
    });
  });

  it('classifies JSON that is not a feed, and broken JSON', async () => {
    expect((await failure(parseFeed('{"hello": 1}'))).kind).toBe('not-a-feed');
    expect(
      (await failure(parseFeed('{"version": "https://jsonfeed.org/version/1", "items": '))).kind,
    ).toBe('parse');
  });
});

describe('parseFeed: Atom xhtml and xml:lang', () => {
  it('keeps xhtml content in document order, without the wrapper div, and reads entry xml:lang', async () => {
    const f =
      await parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>t</title>
      <entry xml:lang="ar"><id>1</id>
        <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>bold</b> title</div></title>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello <b>world</b> again &amp; <br/>end</p><img src="a.png"/></div></content>
      </entry>
      <entry><id>2</id><title>plain</title><content type="html">&lt;p&gt;x&lt;/p&gt;</content></entry></feed>`);
    expect(f.lang).toBe('en');
    expect(f.items[0]!.lang).toBe('ar');
    expect(f.items[0]!.title).toBe('A <b>bold</b> title');
    expect(f.items[0]!.contentHtml).toBe(
      '<p>Hello <b>world</b> again &amp; <br />end</p><img src="a.png" />',
    );
    expect(f.items[1]!.lang).toBeNull();
    expect(f.items[1]!.contentHtml).toBe('<p>x</p>');
  });
});

describe('parseFeed: xml:base', () => {
  it('resolves xml:base at feed, entry and content level', async () => {
    const f = await parseFeed(
      `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://base.example/blog/">
  <title>Based</title>
  <link href="./"/>
  <entry>
    <id>1</id><title>Feed-level</title><link href="posts/1"/>
    <content type="html">&lt;img src="img/1.png"&gt;</content>
  </entry>
  <entry xml:base="/other/">
    <id>2</id><title>Entry-level</title><link href="posts/2"/>
    <content type="html">x</content>
  </entry>
  <entry xml:base="sub/">
    <id>3</id><title>Content-level</title><link href="posts/3"/>
    <content type="html" xml:base="https://cdn.example/media/">y</content>
  </entry>
</feed>`,
      { url: 'https://base.example/feed.atom' },
    );
    expect(f.baseUrl).toBe('https://base.example/blog/');
    expect(f.link).toBe('https://base.example/blog/');
    expect(f.items.map((i) => [i.link, i.baseUrl])).toEqual([
      ['https://base.example/blog/posts/1', 'https://base.example/blog/'],
      ['https://base.example/other/posts/2', 'https://base.example/other/'],
      ['https://base.example/blog/sub/posts/3', 'https://cdn.example/media/'],
    ]);
  });

  it('resolves a relative feed-level xml:base against the document URL', async () => {
    const f = await parseFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/news/"><title>t</title><entry><id>1</id><title>a</title><link href="a.html"/></entry></feed>`,
      { url: 'https://site.example/feeds/atom.xml' },
    );
    expect(f.items[0]!.baseUrl).toBe('https://site.example/news/');
    expect(f.items[0]!.link).toBe('https://site.example/news/a.html');
  });
});

describe('parseFeed: tolerance', () => {
  const rss = (item: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title><link>https://t.example/</link>` +
    `<item><title>one</title><link>https://t.example/1</link></item>${item}</channel></rss>`;

  it('parses clean XML without marking it repaired', async () => {
    const f = await parseFeed(rss('<item><title>two</title></item>'));
    expect(f.repaired).toBe(false);
    expect(f.items).toHaveLength(2);
  });

  it('repairs a bare ampersand', async () => {
    const f = await parseFeed(
      rss('<item><title>Tom & Jerry</title><link>https://t.example/?a=1&b=2</link></item>'),
    );
    expect(f.repaired).toBe(true);
    expect(f.items[1]!.title).toBe('Tom & Jerry');
    expect(f.items[1]!.link).toBe('https://t.example/?a=1&b=2');
  });

  it('repairs HTML named entities and keeps CDATA untouched', async () => {
    const f = await parseFeed(
      rss(
        '<item><title>caf&eacute;&nbsp;&mdash; ok &bogus; end</title><description><![CDATA[a & b &nbsp;]]></description></item>',
      ),
    );
    expect(f.repaired).toBe(true);
    expect(f.items[1]!.title).toBe('café\u00a0— ok &bogus; end');
    expect(f.items[1]!.summary).toBe('a & b &nbsp;');
  });

  it('repairs control characters and invalid XML characters', async () => {
    const f = await parseFeed(rss('<item><title>bad\u0001 \u000bchar\uFFFF</title></item>'));
    expect(f.repaired).toBe(true);
    expect(f.items[1]!.title).toBe('bad char');
  });

  it('drops leading whitespace and junk before the document', async () => {
    const ws = await parseFeed('\n\n  ' + rss(''));
    expect(ws.items).toHaveLength(1);
    expect(ws.repaired).toBe(true);
    const junk = await parseFeed('\uFEFF' + rss(''));
    expect(junk.items).toHaveLength(1);
    const php = await parseFeed('Warning: something\n' + rss(''));
    expect(php.items).toHaveLength(1);
    expect(php.repaired).toBe(true);
  });

  // Was a parse error while rss-parser (strict xml2js) read our XML. feedparser and libxml2's
  // recover mode keep the item, so do we now, and say what was repaired.
  it('salvages the item of a document with mismatched and missing end tags', async () => {
    const f = await parseFeed(
      '<rss version="2.0"><channel><title>x</title><item><title>a</item></channel>',
    );
    expect(f.items.map((i) => i.title)).toEqual(['a']);
    expect(f.repaired).toBe(true);
    expect(f.repairs!.map((r) => r.split(':')[0])).toEqual(['mismatched-tag', 'unclosed-tag']);
  });

  it('gives up on XML that has no element at all, as a parse error', async () => {
    for (const doc of ['<?xml version="1.0"?>', '<?xml version="1.0"?><!-- only a comment -->']) {
      const e = await failure(parseFeed(doc));
      expect(e.kind).toBe('parse');
      expect(e.permanent).toBe(false);
    }
  });

  it('refuses HTML pages and non-feed XML as not-a-feed', async () => {
    const html = await failure(
      parseFeed('<!DOCTYPE html><html><head><title>Hi</title></head><body>x</body></html>'),
    );
    expect(html.kind).toBe('not-a-feed');
    expect(html.permanent).toBe(true);
    expect((await failure(parseFeed('<html><body><p>no doctype</p></body></html>'))).kind).toBe(
      'not-a-feed',
    );
    expect(
      (
        await failure(
          parseFeed('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        )
      ).kind,
    ).toBe('not-a-feed');
    expect((await failure(parseFeed('just some text'))).kind).toBe('not-a-feed');
    expect((await failure(parseFeed('   '))).kind).toBe('parse');
  });
});

describe('parseFeed: XML safety', () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ELEMENT lolz (#PCDATA)>
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><description>&lol9;&lol9;</description></item></channel></rss>`;

  it('neutralizes billion laughs quickly, with bounded output', async () => {
    const t0 = performance.now();
    const f = await parseFeed(billionLaughs);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(250);
    expect(f.items[0]!.title).toBe('&lol9;');
    expect(f.items[0]!.summary!.length).toBeLessThan(20);
    expect(JSON.stringify(f).length).toBeLessThan(2000);
  });

  it('never resolves external entities (file:// or http://)', async () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY net SYSTEM "http://127.0.0.1:1/x"> ]>
<rss version="2.0"><channel><title>t</title><item><title>&xxe;</title><description>&net;</description></item></channel></rss>`;
    const f = await parseFeed(xxe);
    expect(f.items[0]!.title).toBe('&xxe;');
    expect(JSON.stringify(f)).not.toContain('root:');
  });

  it('survives elements nested 100,000 deep (no stack overflow), keeping the item and saying so', async () => {
    const deep = '<x>'.repeat(100_000) + 'deep text' + '</x>'.repeat(100_000);
    const f = await parseFeed(
      `<rss version="2.0"><channel><title>t</title><item><title>a</title><description>${deep}</description></item></channel></rss>`,
    );
    expect(f.items.map((i) => i.title)).toEqual(['a']);
    expect(f.items[0]!.summary).toContain('deep text');
    expect(f.repairs!.map((r) => r.split(':')[0])).toEqual(['too-deep']);
  });

  it('handles a quadratic-blowup style document (one huge entity used many times) quickly', async () => {
    const big = 'x'.repeat(100_000);
    const doc = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "${big}">]><rss version="2.0"><channel><title>t</title><item><title>${'&a;'.repeat(10_000)}</title></item></channel></rss>`;
    const t0 = performance.now();
    const f = await parseFeed(doc);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(f.items[0]!.title).toBe('&a;'.repeat(10_000));
  });
});
