import { describe, it, expect } from 'vitest';
import { escapeHtml, isRtl, relativeTime, renderIndexPage, renderStatusPage } from './pages.ts';
import { renderOpml } from './opml.ts';
import { CLOCK, SITE, item, python, threeItems, xmllint } from './test-support.ts';

/** libxml2's HTML 4 parser, ignoring only its complaints about HTML5 element names. */
function htmlErrors(html: string): string[] {
  const { errors } = xmllint(html, ['--html']);
  const lines = errors.split('\n').filter((l) => l.includes('parser error'));
  return lines.filter((l) => !/Tag (header|main|footer|section|nav|time) invalid/.test(l));
}

const urls = (id: string) => ({
  rss: `http://localhost:8080/feeds/${id}.rss`,
  atom: `http://localhost:8080/feeds/${id}.atom`,
  json: `http://localhost:8080/feeds/${id}.json`,
});

describe('isRtl / escapeHtml', () => {
  it('knows right-to-left languages and scripts', () => {
    for (const l of ['ar', 'fa', 'he', 'ur', 'ar-SY', 'AR', 'ckb', 'az-Arab'])
      expect(isRtl(l), l).toBe(true);
    for (const l of ['en', 'fr', 'az', 'ru', 'tr', 'ar-Latn', '']) expect(isRtl(l), l).toBe(false);
  });
  it('escapes markup and drops characters XML forbids', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'\u0000`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;',
    );
  });
  it('formats relative times per language', () => {
    expect(relativeTime(new Date(CLOCK.getTime() - 3 * 3600_000), CLOCK, 'en')).toBe('3 hours ago');
    expect(relativeTime(new Date(CLOCK.getTime() - 3 * 3600_000), CLOCK, 'ar')).toMatch(/ساعات/);
  });
});

describe('renderIndexPage', () => {
  const [ar, en, img] = threeItems();
  const html = renderIndexPage({
    site: SITE,
    generatedAt: CLOCK,
    sections: [
      {
        id: 'caucasus',
        title: 'القوقاز',
        description: 'أخبار القوقاز',
        lang: 'ar',
        urls: urls('caucasus'),
        items: [ar!, img!],
      },
      {
        id: 'world',
        title: '<script>alert(1)</script> World',
        description: 'All & more',
        lang: 'en',
        urls: urls('world'),
        items: [
          en!,
          item({ id: 'evil', title: '<img src=x onerror=alert(1)>', url: 'javascript:alert(1)' }),
        ],
      },
      { id: 'empty', title: 'Empty', description: '', lang: 'en', urls: urls('empty'), items: [] },
    ],
  });

  it('marks the Arabic section rtl and the English one ltr', () => {
    expect(html).toMatch(/<section id="section-caucasus" lang="ar" dir="rtl"/);
    expect(html).toMatch(/<section id="section-world" lang="en" dir="ltr"/);
  });
  it('escapes titles and never links javascript: URLs', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; World');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('javascript:');
  });
  it('links headlines, shows source and time, offers subscribe links', () => {
    expect(html).toContain(
      '<a href="https://www.enabbaladi.net/archives/123?utm_source=x&amp;ref=feed"',
    );
    expect(html).toContain('المقاتلون السوريون في أذربيجان');
    expect(html).toContain(
      '<span dir="auto">enab-baladi</span><time datetime="2030-03-15T11:30:00.000Z"',
    );
    expect(html).toContain(
      '<span dir="auto">bbc</span><time datetime="2030-03-15T09:00:00.000Z" title="Mar 15, 2030, 9:00 AM UTC">3 hours ago</time>',
    );
    for (const u of Object.values(urls('world'))) expect(html).toContain(`href="${u}"`);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain(
      '<link rel="alternate" type="application/rss+xml" title="القوقاز" href="http://localhost:8080/feeds/caucasus.rss">',
    );
    expect(html).toContain('No articles yet.');
    expect(html).toContain('margin-inline');
  });
  it('is well-formed HTML for libxml2', () => {
    expect(htmlErrors(html)).toEqual([]);
  });
});

describe('renderStatusPage', () => {
  it('tabulates source health and escapes errors', () => {
    const html = renderStatusPage({
      site: SITE,
      generatedAt: CLOCK,
      sources: [
        {
          sourceId: 'enab-baladi',
          url: 'https://www.enabbaladi.net/feed/',
          status: 'ok',
          healthy: true,
          lastFetch: '2030-03-15T11:50:00.000Z',
          lastSuccess: '2030-03-15T11:50:00.000Z',
          lastError: null,
          lastErrorKind: null,
          consecutiveFailures: 0,
          nextPoll: '2030-03-15T12:05:00.000Z',
          etag: null,
          lastModified: null,
          undatedItems: 0,
          articleCount: 42,
          lastNewItems: 3,
          movedFrom: null,
          epoch: null,
          title: 'عنب بلدي',
          lang: 'ar',
        },
        {
          sourceId: 'broken',
          url: 'http://127.0.0.1:9/feed',
          status: 'error',
          healthy: false,
          lastFetch: '2030-03-15T11:00:00.000Z',
          lastSuccess: null,
          lastError: 'HTTP 500 <b>oops</b>',
          lastErrorKind: 'http',
          consecutiveFailures: 5,
          nextPoll: null,
          etag: null,
          lastModified: null,
          undatedItems: 0,
          articleCount: 0,
          lastNewItems: 0,
          movedFrom: null,
          epoch: null,
          title: null,
          lang: null,
        },
      ],
    });
    expect(html).toContain(
      '<a href="https://www.enabbaladi.net/feed/" lang="ar" dir="rtl">عنب بلدي</a>',
    );
    expect(html).toContain('HTTP 500 &lt;b&gt;oops&lt;/b&gt;');
    expect(html).toContain('no (5 failures)');
    expect(html).toContain('<td>42</td>');
    expect(html).toContain('in 5 minutes');
    expect(html).toContain('2 sources, 1 unhealthy.');
    expect(htmlErrors(html)).toEqual([]);
  });
});

describe('renderOpml', () => {
  it('lists one rss outline per section, readable by a real XML parser', () => {
    const xml = renderOpml({
      site: { ...SITE, title: 'Tributary & friends' },
      sections: [
        { id: 'caucasus', title: 'القوقاز', lang: 'ar', urls: urls('caucasus') },
        {
          id: 'world',
          title: 'World <news> "quoted"',
          lang: 'en',
          urls: { ...urls('world'), rss: 'http://localhost:8080/feeds/world.rss?a=1&b=2' },
        },
      ],
    });
    expect(xmllint(xml)).toEqual({ ok: true, errors: '' });
    const parsed = python<{ version: string; title: string; outlines: Record<string, string>[] }>(
      `import sys, json, xml.etree.ElementTree as ET
r = ET.fromstring(sys.stdin.buffer.read())
print(json.dumps({"version": r.get("version"), "title": r.find("head/title").text, "outlines": [dict(o.attrib) for o in r.iter("outline")]}))`,
      xml,
    );
    expect(parsed.version).toBe('2.0');
    expect(parsed.title).toBe('Tributary & friends');
    expect(parsed.outlines).toEqual([
      {
        type: 'rss',
        text: 'القوقاز',
        title: 'القوقاز',
        xmlUrl: 'http://localhost:8080/feeds/caucasus.rss',
        htmlUrl: 'http://localhost:8080/#section-caucasus',
        language: 'ar',
      },
      {
        type: 'rss',
        text: 'World <news> "quoted"',
        title: 'World <news> "quoted"',
        xmlUrl: 'http://localhost:8080/feeds/world.rss?a=1&b=2',
        htmlUrl: 'http://localhost:8080/#section-world',
        language: 'en',
      },
    ]);
  });
});
