// Helpers for the publish tests: real oracles (xmllint, Python feedparser) and item factories.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { PublishedItem, SiteConfig } from '../domain/types.ts';
import type { FeedMeta } from './feeds.ts';

export const PYTHON = '/usr/bin/python3';
export const XMLLINT = '/usr/bin/xmllint';

/** Runs `xmllint --noout -` on the text; returns its stderr ('' when well-formed). */
export function xmllint(xml: string, extraArgs: string[] = []): { ok: boolean; errors: string } {
  const r = spawnSync(XMLLINT, ['--noout', '--nonet', ...extraArgs, '-'], {
    input: xml,
    encoding: 'utf8',
  });
  if (r.error) throw r.error;
  return { ok: r.status === 0, errors: r.stderr };
}

const FEEDPARSER_SCRIPT = `
import sys, json, calendar, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
def ts(t):
    return calendar.timegm(t) if t else None
print(json.dumps({
  "bozo": int(d.bozo),
  "bozo_exception": str(d.get("bozo_exception", "")),
  "version": d.version,
  "feed": {"title": d.feed.get("title"), "language": d.feed.get("language"),
           "links": [{"rel": l.get("rel"), "href": l.get("href")} for l in d.feed.get("links", [])]},
  "entries": [{
    "id": e.get("id"), "link": e.get("link"), "title": e.get("title"),
    "published_parsed": ts(e.get("published_parsed")), "updated_parsed": ts(e.get("updated_parsed")),
    "summary": e.get("summary"), "content": [c.get("value") for c in e.get("content", [])],
    "author": e.get("author"), "tags": [t.get("term") for t in e.get("tags", [])],
    "links": [{"rel": l.get("rel"), "href": l.get("href"), "type": l.get("type")} for l in e.get("links", [])],
    "enclosures": [{"href": x.get("href"), "type": x.get("type")} for x in e.get("enclosures", [])],
    "media_content": [{"url": m.get("url"), "type": m.get("type")} for m in e.get("media_content", [])],
    "language": (e.get("title_detail") or {}).get("language"),
  } for e in d.entries],
}))
`;

export interface ParsedEntry {
  id: string | null;
  link: string | null;
  title: string | null;
  published_parsed: number | null;
  updated_parsed: number | null;
  summary: string | null;
  content: string[];
  author: string | null;
  tags: string[];
  links: { rel: string | null; href: string | null; type: string | null }[];
  enclosures: { href: string | null; type: string | null }[];
  media_content: { url: string | null; type: string | null }[];
  language: string | null;
}
export interface Parsed {
  bozo: number;
  bozo_exception: string;
  version: string;
  feed: {
    title: string | null;
    language: string | null;
    links: { rel: string | null; href: string | null }[];
  };
  entries: ParsedEntry[];
}

/** Parses a feed with Python's feedparser (the Debian package). */
export function feedparse(xml: string): Parsed {
  const r = spawnSync(PYTHON, ['-c', FEEDPARSER_SCRIPT], {
    input: Buffer.from(xml, 'utf8'),
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`feedparser failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()) as Parsed;
}

let jsonFeedValidator: ReturnType<Ajv['compile']> | null = null;

/**
 * Checks a JSON Feed against our JSON Feed 1.1 schema (tests/fixtures/jsonfeed-1.1.schema.json)
 * plus what a schema cannot say (item ids unique). Returns the problems, [] when valid.
 */
export function jsonFeedErrors(text: string): string[] {
  if (!jsonFeedValidator) {
    const url = new URL('../../tests/fixtures/jsonfeed-1.1.schema.json', import.meta.url);
    const schema = JSON.parse(readFileSync(url, 'utf8')) as object;
    jsonFeedValidator = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(
      schema,
    );
  }
  const feed = JSON.parse(text) as { items?: { id?: unknown }[] };
  const errors = jsonFeedValidator(feed)
    ? []
    : (jsonFeedValidator.errors ?? []).map(
        (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
      );
  const ids = (feed.items ?? []).map((i) => i.id);
  if (new Set(ids).size !== ids.length) errors.push('/items ids are not unique');
  return errors;
}

const FEED_RULES_SCRIPT = `
import sys, json, re, email.utils, datetime
import xml.etree.ElementTree as ET
A = '{http://www.w3.org/2005/Atom}'
LANG = re.compile(r'^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$')
URL = re.compile(r'^https?://\\S+$')
RFC3339 = re.compile(r'^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$')
XL = '{http://www.w3.org/XML/1998/namespace}lang'
bad = []
def rfc822(where, text):
    try:
        if email.utils.parsedate_to_datetime(text or '') is None: raise ValueError
    except Exception: bad.append(where + ': not an RFC 822 date: ' + repr(text))
def text(e): return (e.text or '').strip() if e is not None else ''
root = ET.fromstring(sys.stdin.buffer.read())
for e in root.iter():
    if XL in e.attrib and not LANG.match(e.attrib[XL]): bad.append('bad xml:lang ' + e.attrib[XL])
if root.tag == 'rss':
    if root.get('version') != '2.0': bad.append('rss version')
    ch = root.findall('channel')
    if len(ch) != 1: bad.append('one channel'); ch = ch[:1]
    for c in ch:
        for k in ('title', 'link', 'description'):
            if len(c.findall(k)) != 1 or not text(c.find(k)): bad.append('channel ' + k)
        if c.find('lastBuildDate') is not None: rfc822('lastBuildDate', text(c.find('lastBuildDate')))
        if not any(l.get('rel') == 'self' for l in c.findall(A + 'link')): bad.append('no atom:link rel=self')
        for i, it in enumerate(c.findall('item')):
            w = 'item %d' % i
            if not text(it.find('title')) and not text(it.find('description')): bad.append(w + ': no title or description')
            for k in ('title', 'link', 'description', 'guid', 'pubDate', 'author', 'comments', 'source'):
                if len(it.findall(k)) > 1: bad.append(w + ': more than one ' + k)
            if it.find('link') is not None and not URL.match(text(it.find('link'))): bad.append(w + ': link')
            if it.find('pubDate') is not None: rfc822(w, text(it.find('pubDate')))
            if len(it.findall('enclosure')) > 1: bad.append(w + ': more than one enclosure')
            for en in it.findall('enclosure'):
                if not URL.match(en.get('url') or '') or not (en.get('length') or '').isdigit() or '/' not in (en.get('type') or ''): bad.append(w + ': enclosure')
            for cat in it.findall('category'):
                if not text(cat): bad.append(w + ': empty category')
elif root.tag == A + 'feed':
    def one(e, k, w):
        n = e.findall(A + k)
        if len(n) != 1: bad.append('%s: %d %s' % (w, len(n), k))
        return n[0] if n else None
    def date(e, k, w, required):
        n = e.findall(A + k)
        if len(n) > 1 or (required and not n): bad.append(w + ': ' + k)
        for d in n:
            if not RFC3339.match(text(d)): bad.append(w + ': ' + k + ' not RFC 3339')
    def links(e, w):
        seen = set()
        for l in e.findall(A + 'link'):
            if not URL.match(l.get('href') or ''): bad.append(w + ': link href')
            if (l.get('rel') or 'alternate') == 'alternate':
                key = (l.get('type'), l.get('hreflang'))
                if key in seen: bad.append(w + ': two alternate links of one type')
                seen.add(key)
        return seen
    def persons(e, w):
        for a in e.findall(A + 'author'):
            if not text(a.find(A + 'name')): bad.append(w + ': author without name')
    one(root, 'id', 'feed'); one(root, 'title', 'feed'); date(root, 'updated', 'feed', True)
    links(root, 'feed'); persons(root, 'feed')
    if not any(l.get('rel') == 'self' for l in root.findall(A + 'link')): bad.append('feed: no rel=self')
    feed_author = root.find(A + 'author') is not None
    for i, en in enumerate(root.findall(A + 'entry')):
        w = 'entry %d' % i
        one(en, 'id', w); one(en, 'title', w); date(en, 'updated', w, True); date(en, 'published', w, False)
        alt = links(en, w); persons(en, w)
        if not feed_author and en.find(A + 'author') is None: bad.append(w + ': no author')
        if len(en.findall(A + 'content')) > 1 or len(en.findall(A + 'summary')) > 1: bad.append(w + ': content/summary twice')
        if en.find(A + 'content') is None and not alt: bad.append(w + ': no content and no alternate link')
        for k in ('title', 'summary', 'content'):
            for t in en.findall(A + k):
                if t.get('type', 'text') not in ('text', 'html', 'xhtml'): bad.append(w + ': ' + k + ' type')
        for cat in en.findall(A + 'category'):
            if not (cat.get('term') or '').strip(): bad.append(w + ': empty category term')
else:
    bad.append('unknown root ' + root.tag)
print(json.dumps(bad))
`;

/**
 * Structural rules of RSS 2.0 and Atom 1.0 (RFC 4287) that the W3C Feed Validator reports as
 * errors and that well-formedness and feedparser do not catch: required and unique elements,
 * RFC 822 / RFC 3339 dates, an entry without content needs an alternate link, one enclosure per
 * RSS item, valid xml:lang. The validator itself cannot run here (no network, not packaged).
 * Returns the violations, [] when none.
 */
export function feedRuleErrors(xml: string): string[] {
  return python<string[]>(FEED_RULES_SCRIPT, xml);
}

/** Runs a Python snippet with the text on stdin and returns its stdout parsed as JSON. */
export function python<T>(script: string, input: string): T {
  const r = spawnSync(PYTHON, ['-c', script], {
    input: Buffer.from(input, 'utf8'),
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()) as T;
}

export const CLOCK = new Date('2030-03-15T12:00:00.000Z');

export const SITE: SiteConfig = {
  title: 'Tributary',
  baseUrl: 'http://localhost:8080',
  description: 'News, gathered.',
};

export function meta(overrides: Partial<FeedMeta> = {}): FeedMeta {
  return {
    id: 'caucasus',
    title: 'القوقاز',
    description: 'أخبار القوقاز',
    lang: 'ar',
    site: SITE,
    selfUrl: 'http://localhost:8080/feeds/caucasus.rss',
    htmlUrl: 'http://localhost:8080/#section-caucasus',
    nextUrl: 'http://localhost:8080/feeds/caucasus.rss?before=abc&limit=3',
    updated: CLOCK,
    formatUrls: {
      rss: 'http://localhost:8080/feeds/caucasus.rss',
      atom: 'http://localhost:8080/feeds/caucasus.atom',
      json: 'http://localhost:8080/feeds/caucasus.json',
    },
    ...overrides,
  };
}

export function item(overrides: Partial<PublishedItem> & { id: string }): PublishedItem {
  return {
    sourceId: 'example',
    guid: null,
    url: `https://example.com/news/${overrides.id}`,
    title: `Title ${overrides.id}`,
    published: '2030-03-15T10:00:00.000Z',
    updated: '2030-03-15T10:00:00.000Z',
    author: null,
    summary: `Summary of ${overrides.id}`,
    contentHtml: `<p>Body of ${overrides.id}</p>`,
    image: null,
    lang: 'en',
    tags: [],
    sourceCategories: [],
    contentHash: `hash-${overrides.id}`,
    sources: [overrides.sourceId ?? 'example'],
    clusterId: overrides.id,
    firstSeen: '2030-03-15T10:05:00.000Z',
    related: [],
    storySources: [overrides.sourceId ?? 'example'],
    ...overrides,
  };
}

/** The three-item section of the tests: Arabic, English, and one with an image and related links. */
export function threeItems(): PublishedItem[] {
  return [
    item({
      id: 'ar-1',
      sourceId: 'enab-baladi',
      url: 'https://www.enabbaladi.net/archives/123?utm_source=x&ref=feed',
      title: 'المقاتلون السوريون في أذربيجان محور اتصالات روسية- تركية',
      summary: 'تحدثت موسكو عن مناقشات مستمرة مع أنقرة بشأن مسألة مشاركة مقاتلين سوريين',
      contentHtml:
        '<p dir="rtl">تحدثت موسكو عن مناقشات مستمرة مع أنقرة بشأن <strong>كاراباخ</strong>.</p>',
      author: 'عنب بلدي',
      lang: 'ar',
      tags: ['karabakh', 'syria'],
      published: '2030-03-15T11:30:00.000Z',
      updated: '2030-03-15T11:45:00.000Z',
      storySources: ['enab-baladi'],
    }),
    item({
      id: 'en-2',
      sourceId: 'bbc',
      url: 'https://www.bbc.co.uk/news/world-europe-1',
      title: 'Armenia & Azerbaijan agree <border> talks',
      summary: 'Leaders met in Brussels.',
      contentHtml:
        '<p>Leaders met in <a href="https://en.wikipedia.org/wiki/Brussels">Brussels</a>.</p>',
      author: 'Jane Doe',
      lang: 'en',
      tags: ['armenia', 'azerbaijan'],
      published: '2030-03-15T09:00:00.000Z',
      updated: '2030-03-15T09:00:00.000Z',
    }),
    item({
      id: 'img-3',
      sourceId: 'oc-media',
      url: 'https://oc-media.org/story-3/',
      title: 'Photo story: Stepanakert',
      lang: 'en',
      tags: ['karabakh'],
      image: {
        url: 'https://oc-media.org/img/photo.webp?w=800&h=600',
        type: 'image/webp',
        width: 800,
        height: 600,
      },
      published: '2030-03-14T20:00:00.000Z',
      updated: '2030-03-15T08:00:00.000Z',
      related: [
        {
          sourceId: 'jam-news',
          url: 'https://jam-news.net/story-3/',
          title: 'JAMnews on it',
          articleId: 'jam-3',
        },
        {
          sourceId: 'civilnet',
          url: 'https://www.civilnet.am/news/3?a=1&b=2',
          title: 'CivilNet <3',
          articleId: 'cn-3',
        },
      ],
      storySources: ['oc-media', 'jam-news', 'civilnet'],
    }),
  ];
}
