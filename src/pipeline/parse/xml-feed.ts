// RSS 0.9x / 1.0 (RDF) / 2.0 and Atom 0.3 / 1.0 through rss-parser, into RawFeed.
// rss-parser (over xml2js) does the XML; we declare the namespaces that carry content as
// customFields and read xml:base / xml:lang from the raw xml2js attribute objects (`$`).
import Parser from 'rss-parser';
import type { FeedFormat, RawFeed, RawItem, RawMedia } from '../../domain/types.ts';
import { extractAtomXhtml, type XhtmlParts } from './atom-xhtml.ts';

/** An xml2js node: a string, or an object with `_` text, `$` attributes and child arrays. */
type XNode = string | XObj;
interface XObj {
  _?: string;
  $?: Record<string, string | undefined>;
  [child: string]: unknown;
}

const FEED_FIELDS = [
  ['$', 'xAttrs', { keepArray: true }],
  ['sy:updatePeriod', 'xUpdatePeriod'],
  ['sy:updateFrequency', 'xUpdateFrequency'],
  ['dc:language', 'xDcLanguage'],
  ['itunes:image', 'xItunesImage'],
  ['subtitle', 'xSubtitle'],
  ['tagline', 'xTagline'],
  ['logo', 'xLogo'],
  ['icon', 'xIcon'],
];

const ITEM_FIELDS = [
  ['$', 'xAttrs', { keepArray: true }],
  ['content:encoded', 'xContentEncoded'],
  ['dc:creator', 'xDcCreator'],
  ['dc:date', 'xDcDate'],
  ['dc:subject', 'xDcSubject', { keepArray: true }],
  ['dc:language', 'xDcLanguage'],
  ['media:content', 'xMediaContent', { keepArray: true }],
  ['media:thumbnail', 'xMediaThumbnail', { keepArray: true }],
  ['media:group', 'xMediaGroup', { keepArray: true }],
  ['itunes:image', 'xItunesImage', { keepArray: true }],
  ['itunes:author', 'xItunesAuthor'],
  ['enclosure', 'xEnclosures', { keepArray: true }],
  ['enc:enclosure', 'xEncEnclosures', { keepArray: true }],
  ['guid', 'xGuid'],
  ['description', 'xDescription', { keepArray: true }],
  // Atom
  ['content', 'xContent', { keepArray: true }],
  ['summary', 'xSummary', { keepArray: true }],
  ['title', 'xTitle', { keepArray: true }],
  ['link', 'xLinks', { keepArray: true }],
  ['id', 'xId'],
  ['published', 'xPublished'],
  ['updated', 'xUpdated'],
  ['issued', 'xIssued'],
  ['modified', 'xModified'],
  ['created', 'xCreated'],
  ['author', 'xAuthor', { keepArray: true }],
  ['category', 'xCategory', { keepArray: true }],
];

type Fields = Record<string, unknown>;

/** rss-parser calls `new Date(x).toISOString()` on Atom dates and throws on garbage; hide those. */
class TolerantParser extends Parser<Fields, Fields> {
  format: FeedFormat | null = null;
  atomVersion: string | null = null;

  parseItemAtom(entry: XObj): unknown {
    const safe: XObj = { ...entry };
    for (const k of ['published', 'updated']) {
      const v = text(first(entry[k]));
      if (v !== null && Number.isNaN(Date.parse(v))) delete safe[k];
    }
    const item = callSuper('parseItemAtom', this, safe) as Fields;
    // Raw values of the fields we just hid, read back from the untouched entry.
    item.xPublished = first(entry.published);
    item.xUpdated = first(entry.updated);
    return item;
  }
  buildAtomFeed(obj: { feed: XObj }): unknown {
    this.format = 'atom';
    this.atomVersion = obj.feed.$?.version ?? null;
    return callSuper('buildAtomFeed', this, obj);
  }
  buildRSS1(obj: unknown): unknown {
    this.format = 'rdf';
    return callSuper('buildRSS1', this, obj);
  }
  buildRSS2(obj: unknown): unknown {
    this.format = 'rss';
    return callSuper('buildRSS2', this, obj);
  }
  buildRSS0_9(obj: unknown): unknown {
    this.format = 'rss';
    return callSuper('buildRSS0_9', this, obj);
  }
}

function callSuper(name: string, self: unknown, arg: unknown): unknown {
  const fn = (Parser.prototype as unknown as Record<string, (a: unknown) => unknown>)[name];
  if (!fn) throw new Error(`rss-parser has no ${name}`);
  return fn.call(self, arg);
}

/** Parses feed XML (already made safe: no DOCTYPE). Rejects with the parser's error. */
export async function parseXmlFeed(xml: string, docUrl: string | null): Promise<RawFeed> {
  const parser = new TolerantParser({
    defaultRSS: 2,
    customFields: { feed: FEED_FIELDS as never, item: ITEM_FIELDS as never },
  });
  const out = (await parser.parseString(xml)) as unknown as Fields & { items: Fields[] };
  const format = parser.format ?? 'rss';
  const xhtml =
    format === 'atom' && /type\s*=\s*["']xhtml["']/i.test(xml) ? extractAtomXhtml(xml) : [];
  return toRawFeed(out, format, docUrl, xhtml);
}

// ------------------------------------------------------------------ helpers over xml2js values

function first(v: unknown): XNode | null {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === 'string' || (typeof x === 'object' && x !== null) ? (x as XNode) : null;
}

function arr(v: unknown): XNode[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).filter(
    (x): x is XNode => typeof x === 'string' || (typeof x === 'object' && x !== null),
  );
}

function text(v: unknown): string | null {
  const n = first(v);
  if (n === null) return null;
  const s = typeof n === 'string' ? n : typeof n._ === 'string' ? n._ : null;
  if (s === null) return null;
  const t = s.trim();
  return t === '' ? null : t;
}

function attr(v: unknown, name: string): string | null {
  const n = first(v);
  if (n === null || typeof n === 'string') return null;
  const a = n.$?.[name];
  return typeof a === 'string' && a.trim() !== '' ? a.trim() : null;
}

function attrsOf(v: unknown): Record<string, string | undefined> {
  return v && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, string | undefined>)
    : {};
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  return text(v);
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(String(v).trim());
  return Number.isFinite(n) && String(v).trim() !== '' ? n : null;
}

function resolve(ref: string | null | undefined, base: string | null): string | null {
  if (!ref) return base;
  try {
    return new URL(ref.trim(), base ?? undefined).href;
  } catch {
    return base;
  }
}

function resolveLink(ref: string | null, base: string | null): string | null {
  if (!ref) return null;
  try {
    return new URL(ref.trim(), base ?? undefined).href;
  } catch {
    return ref.trim();
  }
}

function lang(v: string | null | undefined): string | null {
  if (!v) return null;
  const t = v.trim().toLowerCase().replace(/_/g, '-');
  return /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(t) ? t : null;
}

/** Atom text construct / RSS element to an HTML-or-text string (xhtml content serialized by rss-parser). */
function contentOf(v: unknown, fallback: unknown): string | null {
  const n = first(v);
  if (n === null) return str(fallback);
  if (typeof n === 'string') return n.trim() === '' ? null : n;
  if (typeof n._ === 'string') return n._.trim() === '' ? null : n._;
  return str(fallback);
}

const PERIOD_MINUTES: Record<string, number> = {
  hourly: 60,
  daily: 1440,
  weekly: 10080,
  monthly: 43200,
  yearly: 525600,
};

function updatePeriodMinutes(period: string | null, frequency: string | null): number | null {
  if (!period && !frequency) return null;
  const base = PERIOD_MINUTES[(period ?? 'daily').toLowerCase()];
  if (base === undefined) return null;
  const f = num(frequency) ?? 1;
  return f > 0 ? Math.max(1, Math.round(base / f)) : null;
}

function media(node: XNode, medium: string | null): RawMedia | null {
  if (typeof node === 'string') return null;
  const a = node.$ ?? {};
  const url = a.url ?? a.href ?? a['rdf:resource'] ?? a.resource;
  if (!url || !url.trim()) return null;
  return {
    url: url.trim(),
    type: a.type?.trim() || null,
    medium: a.medium?.trim() || medium,
    width: num(a.width),
    height: num(a.height),
    length: num(a.fileSize ?? a.length),
  };
}

function mediaOf(it: Fields): RawMedia[] {
  const out: RawMedia[] = [];
  const add = (m: RawMedia | null) => {
    if (m && !out.some((o) => o.url === m.url)) out.push(m);
  };
  for (const n of arr(it.xMediaContent)) add(media(n, null));
  for (const g of arr(it.xMediaGroup)) {
    if (typeof g === 'string') continue;
    for (const n of arr(g['media:content'])) add(media(n, null));
    for (const n of arr(g['media:thumbnail'])) add(media(n, 'image'));
  }
  for (const n of arr(it.xMediaThumbnail)) add(media(n, 'image'));
  for (const n of arr(it.xItunesImage)) add(media(n, 'image'));
  return out;
}

function categoriesOf(it: Fields): string[] {
  const out: string[] = [];
  const add = (s: string | null | undefined) => {
    const t = s?.trim();
    if (t && !out.includes(t)) out.push(t);
  };
  for (const c of arr(it.xCategory)) {
    if (typeof c === 'string') add(c);
    else add(c.$?.term ?? c.$?.label ?? c._);
  }
  for (const c of arr(it.xDcSubject)) add(typeof c === 'string' ? c : c._);
  return out;
}

function atomAuthor(it: Fields): string | null {
  const a = first(it.xAuthor);
  if (a === null) return null;
  if (typeof a === 'string') return a.trim() || null;
  return text(a.name) ?? text(a.email) ?? (typeof a._ === 'string' ? a._.trim() || null : null);
}

// ------------------------------------------------------------------ mapping

function toRawFeed(
  out: Fields & { items: Fields[] },
  format: FeedFormat,
  docUrl: string | null,
  xhtml: XhtmlParts[],
): RawFeed {
  const fa = attrsOf(out.xAttrs);
  const feedBase = fa['xml:base'] ? resolve(fa['xml:base'], docUrl) : null;
  const linkBase = feedBase ?? docUrl;
  const feedLang = lang(str(out.language)) ?? lang(str(out.xDcLanguage)) ?? lang(fa['xml:lang']);
  const image = out.image as { url?: string } | undefined;
  const itunes = out.itunes as { image?: string } | undefined;
  const feedImage =
    str(image?.url) ??
    str(itunes?.image) ??
    attr(out.xItunesImage, 'href') ??
    str(out.xLogo) ??
    str(out.xIcon);
  const ttl = num(out.ttl);

  const items = out.items.map((it, i) => {
    const item = toRawItem(it, format, feedBase, linkBase);
    const x = xhtml.length === out.items.length ? xhtml[i] : undefined;
    if (!x) return item;
    return {
      ...item,
      title: x.title ?? item.title,
      summary: x.summary ?? item.summary,
      contentHtml: x.content ?? item.contentHtml,
    };
  });
  return {
    format,
    title: str(out.title),
    link: resolveLink(str(out.link), linkBase),
    description: str(out.description) ?? str(out.xSubtitle) ?? str(out.xTagline),
    lang: feedLang,
    baseUrl: feedBase ?? docUrl,
    image: feedImage ? resolveLink(feedImage, linkBase) : null,
    ttlMinutes: ttl !== null && ttl > 0 ? Math.round(ttl) : null,
    updatePeriodMinutes: updatePeriodMinutes(str(out.xUpdatePeriod), str(out.xUpdateFrequency)),
    items,
    repaired: false,
  };
}

function toRawItem(
  it: Fields,
  format: FeedFormat,
  feedBase: string | null,
  linkBase: string | null,
): RawItem {
  const ia = attrsOf(it.xAttrs);
  const entryBase = ia['xml:base'] ? resolve(ia['xml:base'], linkBase) : feedBase;
  const entryLinkBase = entryBase ?? linkBase;
  const itemLang = lang(ia['xml:lang']) ?? lang(str(it.xDcLanguage));

  if (format === 'atom') {
    const content = first(it.xContent);
    const contentBaseAttr =
      content && typeof content !== 'string' ? content.$?.['xml:base'] : undefined;
    const contentBase = contentBaseAttr ? resolve(contentBaseAttr, entryLinkBase) : entryBase;
    const contentLang =
      content && typeof content !== 'string' ? lang(content.$?.['xml:lang']) : null;
    const enclosures: RawMedia[] = [];
    for (const l of arr(it.xLinks)) {
      if (typeof l === 'string' || l.$?.rel !== 'enclosure') continue;
      const m = media(l, null);
      if (m) enclosures.push({ ...m, url: resolveLink(m.url, entryLinkBase) ?? m.url });
    }
    return {
      guid: str(it.xId) ?? str(it.id),
      link: resolveLink(str(it.link), entryLinkBase),
      title: contentOf(it.xTitle, it.title),
      published: str(it.xPublished) ?? str(it.xIssued) ?? str(it.xCreated),
      updated: str(it.xUpdated) ?? str(it.xModified),
      author: atomAuthor(it) ?? str(it.xDcCreator),
      summary: contentOf(it.xSummary, it.summary),
      contentHtml: str(it.content) ?? str(it.xContentEncoded),
      baseUrl: contentBase,
      categories: categoriesOf(it),
      enclosures,
      media: mediaOf(it),
      lang: contentLang ?? itemLang,
    };
  }

  // RSS 0.9x / 2.0 / RDF
  const guidNode = first(it.xGuid);
  const guid = str(it.guid) ?? str(ia['rdf:about']) ?? str(it['rdf:about']);
  const permaLink =
    guidNode && typeof guidNode !== 'string' ? guidNode.$?.isPermaLink !== 'false' : true;
  let link = str(it.link);
  if (!link && guid && permaLink && /^https?:\/\//i.test(guid)) link = guid;
  const enclosures: RawMedia[] = [];
  for (const e of [...arr(it.xEnclosures), ...arr(it.xEncEnclosures)]) {
    const m = media(e, null);
    if (m) enclosures.push(m);
  }
  const rssCats: string[] = [];
  for (const c of arr(it.categories)) {
    const t = (typeof c === 'string' ? c : c._)?.trim();
    if (t && !rssCats.includes(t)) rssCats.push(t);
  }
  for (const c of categoriesOf({ xDcSubject: it.xDcSubject }))
    if (!rssCats.includes(c)) rssCats.push(c);
  return {
    guid: guid ?? null,
    link: resolveLink(link, entryLinkBase),
    title: contentOf(it.xTitle, it.title),
    published: str(it.pubDate) ?? str(it.xDcDate),
    updated: str(it.xUpdated) ?? null,
    author: str(it.xDcCreator) ?? str(it.creator) ?? str(it.author) ?? str(it.xItunesAuthor),
    summary: contentOf(it.xDescription, it.content),
    contentHtml: str(it.xContentEncoded),
    baseUrl: entryBase,
    categories: rssCats,
    enclosures,
    media: mediaOf(it),
    lang: itemLang,
  };
}
