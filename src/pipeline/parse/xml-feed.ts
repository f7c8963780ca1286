// RSS 0.9x / 1.0 (RDF) / 1.1 / 2.0, CDF and Atom 0.3 / 1.0, from the tolerant element tree
// (xml-tree.ts) into RawFeed. One element that is malformed (a `<link/>` with no href, a date
// that is garbage) costs at most that element's value, never the entry or the feed.
import type { FeedFormat, FeedLinks, RawFeed, RawItem, RawMedia } from '../../domain/types.ts';
import { elements, htmlOf, innerXml, textOf, type XElement, type XmlTree } from './xml-tree.ts';

/** Which document this is, and the prefix its own elements carry. */
interface Dialect {
  format: FeedFormat;
  /** Prefixes of the format's own elements: RSS has none, Atom is namespaced (or not, in old feeds). */
  own: string[];
  /** The element that repeats per entry. */
  entry: string;
}

export function dialectOf(root: XElement): Dialect | null {
  const [prefix] = root.name.split(':');
  if (root.local === 'feed' && (prefix === 'atom' || prefix === ''))
    return { format: 'atom', own: ['atom', ''], entry: 'entry' };
  if (root.local === 'rss') return { format: 'rss', own: ['', 'rss'], entry: 'item' };
  if (root.local === 'rdf') return { format: 'rdf', own: ['', 'rss'], entry: 'item' };
  // RSS 1.1 (`<Channel xmlns="http://purl.org/net/rss1.1#">`) and CDF (`<CHANNEL>`).
  if (root.local === 'channel') return { format: 'rss', own: ['', 'rss'], entry: 'item' };
  return null;
}

/** Reads the feed; null when the root is no feed at all. */
export function feedFromTree(tree: XmlTree, docUrl: string | null): RawFeed | null {
  const root = tree.root;
  if (!root) return null;
  const d = dialectOf(root);
  if (!d) return null;
  const is = (el: XElement, local: string) =>
    el.local === local && d.own.includes(el.name.slice(0, el.name.indexOf(':')));
  const kid = (el: XElement | null | undefined, local: string) =>
    elements(el).find((c) => is(c, local)) ?? null;
  const kids = (el: XElement | null | undefined, local: string) =>
    elements(el).filter((c) => is(c, local));
  const ctx: Ctx = { d, is, kid, kids };

  const channel = d.format === 'atom' ? root : (kid(root, 'channel') ?? root);
  const base = channel.attrs['xml:base'] ?? root.attrs['xml:base'];
  const feedBase = base ? resolve(base, docUrl) : null;
  const linkBase = feedBase ?? docUrl;

  // Every entry element in document order, at any depth (items nested in items are items too),
  // but not inside an Atom <source> (that one describes another feed).
  const entries: XElement[] = [];
  const walk = (el: XElement) => {
    for (const c of elements(el)) {
      if (is(c, d.entry)) entries.push(c);
      if (d.format === 'atom' && is(c, 'source')) continue;
      walk(c);
    }
  };
  walk(root);

  const items = entries.map((e) =>
    d.format === 'atom'
      ? atomItem(ctx, e, feedBase, linkBase)
      : rssItem(ctx, e, feedBase, linkBase),
  );

  const image =
    d.format === 'atom'
      ? (str(textOf(kid(channel, 'logo'))) ?? str(textOf(kid(channel, 'icon'))))
      : (str(textOf(kid(kid(channel, 'image') ?? kid(root, 'image'), 'url'))) ??
        attr(first(elements(channel), 'itunes:image'), 'href'));
  const ttl = num(textOf(kid(channel, 'ttl')));
  const feedLink =
    d.format === 'atom'
      ? alternateLink(ctx, channel)
      : (str(textOf(kid(channel, 'link'))) ?? str(channel.attrs.href));
  const links = webSubLinks(channel, linkBase);
  return {
    ...(links ? { links } : {}),
    format: d.format,
    title: str(textOf(kid(channel, 'title'))),
    link: resolveLink(feedLink, linkBase),
    description:
      str(textOf(kid(channel, 'description'))) ??
      str(textOf(kid(channel, 'subtitle'))) ??
      str(textOf(kid(channel, 'tagline'))) ??
      str(textOf(kid(channel, 'abstract'))),
    lang:
      lang(textOf(kid(channel, 'language'))) ??
      lang(textOf(first(elements(channel), 'dc:language'))) ??
      lang(channel.attrs['xml:lang']) ??
      lang(root.attrs['xml:lang']),
    baseUrl: feedBase ?? docUrl,
    image: image ? resolveLink(image, linkBase) : null,
    ttlMinutes: ttl !== null && ttl > 0 ? Math.round(ttl) : null,
    updatePeriodMinutes: updatePeriodMinutes(
      str(textOf(first(elements(channel), 'sy:updateperiod'))),
      str(textOf(first(elements(channel), 'sy:updatefrequency'))),
    ),
    items,
    repaired: tree.repairs.length > 0,
    repairs: tree.repairs,
  };
}

interface Ctx {
  d: Dialect;
  is(el: XElement, local: string): boolean;
  kid(el: XElement | null | undefined, local: string): XElement | null;
  kids(el: XElement | null | undefined, local: string): XElement[];
}

// ------------------------------------------------------------------ helpers

const first = (els: XElement[], name: string) => els.find((c) => c.name === name) ?? null;
const all = (els: XElement[], name: string) => els.filter((c) => c.name === name);

function str(v: string | null | undefined): string | null {
  const t = v?.trim();
  return t ? t : null;
}

function attr(el: XElement | null | undefined, name: string): string | null {
  return str(el?.attrs[name]);
}

function num(v: string | null | undefined): number | null {
  const t = v?.trim();
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
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

function media(el: XElement, medium: string | null): RawMedia | null {
  const a = el.attrs;
  const url = str(a.url ?? a.href ?? a['rdf:resource'] ?? a.resource);
  if (!url) return null;
  return {
    url,
    type: str(a.type ?? a['enc:type']),
    medium: str(a.medium) ?? medium,
    width: num(a.width),
    height: num(a.height),
    length: num(a.filesize ?? a.length ?? a['enc:length']),
    ...(num(a.duration) !== null && num(a.duration)! > 0 ? { duration: num(a.duration) } : {}),
  };
}

/** `itunes:duration`: seconds, `MM:SS` or `HH:MM:SS` (fractions allowed); null when unreadable. */
export function durationSeconds(v: string | null | undefined): number | null {
  const t = v?.trim();
  if (!t || !/^\d+(?::\d{1,2}){0,2}(?:\.\d+)?$/.test(t)) return null;
  const secs = t.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  return Number.isFinite(secs) && secs > 0 ? Math.round(secs) : null;
}

const isImageMedia = (m: RawMedia) =>
  (m.type ?? '').toLowerCase().startsWith('image/') || (m.medium ?? '').toLowerCase() === 'image';

/**
 * Every enclosure of an entry in document order: RSS `enclosure` (and `enc:enclosure`), Atom
 * `link rel="enclosure"`, `media:content` on its own or inside `media:group`. URLs absolute
 * against the entry's base. `itunes:duration` belongs to the entry's first audio/video one.
 */
function enclosuresOf(ctx: Ctx, item: XElement, base: string | null): RawMedia[] {
  const out: RawMedia[] = [];
  const add = (m: RawMedia | null) => {
    if (m) out.push({ ...m, url: resolveLink(m.url, base) ?? m.url });
  };
  for (const c of elements(item)) {
    if (ctx.d.format === 'atom') {
      if (ctx.is(c, 'link') && (c.attrs.rel ?? '').trim().toLowerCase() === 'enclosure')
        add(media(c, null));
    } else if (ctx.is(c, 'enclosure') || c.name === 'enc:enclosure') add(media(c, null));
    if (c.name === 'media:content') add(media(c, null));
    else if (c.name === 'media:group')
      for (const g of all(elements(c), 'media:content')) add(media(g, null));
  }
  const duration = durationSeconds(textOf(first(elements(item), 'itunes:duration')));
  const timed = out.find((m) => !isImageMedia(m));
  if (duration !== null && timed && !timed.duration) timed.duration = duration;
  return out;
}

function mediaOf(item: XElement): RawMedia[] {
  const out: RawMedia[] = [];
  const add = (m: RawMedia | null) => {
    if (m && !out.some((o) => o.url === m.url)) out.push(m);
  };
  const els = elements(item);
  for (const n of all(els, 'media:content')) add(media(n, null));
  for (const g of all(els, 'media:group')) {
    for (const n of all(elements(g), 'media:content')) add(media(n, null));
    for (const n of all(elements(g), 'media:thumbnail')) add(media(n, 'image'));
  }
  for (const n of all(els, 'media:thumbnail')) add(media(n, 'image'));
  for (const n of all(els, 'itunes:image')) add(media(n, 'image'));
  return out;
}

function categoriesOf(ctx: Ctx, item: XElement): string[] {
  const out: string[] = [];
  const add = (s: string | null | undefined) => {
    const t = s?.trim();
    if (t && !out.includes(t)) out.push(t);
  };
  for (const c of ctx.kids(item, 'category'))
    add(ctx.d.format === 'atom' ? (c.attrs.term ?? c.attrs.label ?? textOf(c)) : textOf(c));
  for (const c of all(elements(item), 'dc:subject')) add(textOf(c));
  return out;
}

/**
 * WebSub discovery: the feed-level `link rel="hub"` / `rel="self"` with an href, whatever their
 * prefix (Atom's own `<link>`, RSS's `<atom:link>`, FeedBurner's `<atom10:link>`). RSS's own
 * `<link>` has no href, so it never counts.
 */
function webSubLinks(channel: XElement, base: string | null): FeedLinks | null {
  const hubs: string[] = [];
  let self: string | null = null;
  for (const l of elements(channel)) {
    if (l.local !== 'link') continue;
    const href = resolveLink(str(l.attrs.href), base);
    if (!href) continue;
    const rels = (l.attrs.rel ?? '').trim().toLowerCase().split(/\s+/);
    if (rels.includes('hub') && !hubs.includes(href)) hubs.push(href);
    if (rels.includes('self') && self === null) self = href;
  }
  return hubs.length || self ? { hubs, self } : null;
}

/** Atom's alternate link: rel="alternate" or no rel, with an href. */
function alternateLink(ctx: Ctx, el: XElement): string | null {
  for (const l of ctx.kids(el, 'link')) {
    const rel = (l.attrs.rel ?? 'alternate').trim().toLowerCase();
    if (rel === 'alternate' && str(l.attrs.href)) return str(l.attrs.href);
  }
  return null;
}

/** Atom text construct: xhtml without its wrapper div, otherwise the text (escaped HTML or plain). */
function textConstruct(el: XElement | null): string | null {
  if (!el) return null;
  if ((el.attrs.type ?? '').trim().toLowerCase() !== 'xhtml') return htmlOf(el);
  const kids = elements(el);
  const onlyDiv =
    kids.length === 1 &&
    kids[0]!.local === 'div' &&
    el.children.every((c) => typeof c !== 'string' || c.trim() === '');
  const s = (onlyDiv ? innerXml(kids[0]!) : innerXml(el)).trim();
  return s === '' ? null : s;
}

// ------------------------------------------------------------------ entries

function atomItem(
  ctx: Ctx,
  e: XElement,
  feedBase: string | null,
  linkBase: string | null,
): RawItem {
  const els = elements(e);
  const entryBase = e.attrs['xml:base'] ? resolve(e.attrs['xml:base'], linkBase) : feedBase;
  const entryLinkBase = entryBase ?? linkBase;
  const content = ctx.kid(e, 'content');
  const contentBase = content?.attrs['xml:base']
    ? resolve(content.attrs['xml:base'], entryLinkBase)
    : entryBase;
  const enclosures = enclosuresOf(ctx, e, entryLinkBase);
  const author = ctx.kid(e, 'author');
  const date = (...names: string[]) => {
    for (const n of names) {
      const v = str(textOf(ctx.kid(e, n)));
      if (v) return v;
    }
    return null;
  };
  return {
    guid: str(textOf(ctx.kid(e, 'id'))),
    link: resolveLink(alternateLink(ctx, e), entryLinkBase),
    title: textConstruct(ctx.kid(e, 'title')),
    published: date('published', 'issued', 'created'),
    updated: date('updated', 'modified'),
    author:
      str(textOf(ctx.kid(author, 'name'))) ??
      str(textOf(ctx.kid(author, 'email'))) ??
      (author && elements(author).length === 0 ? str(textOf(author)) : null) ??
      str(textOf(first(els, 'dc:creator'))),
    summary: textConstruct(ctx.kid(e, 'summary')),
    contentHtml: textConstruct(content) ?? htmlOf(first(els, 'content:encoded')),
    baseUrl: contentBase,
    categories: categoriesOf(ctx, e),
    enclosures,
    media: mediaOf(e),
    lang: lang(content?.attrs['xml:lang']) ?? lang(e.attrs['xml:lang']),
  };
}

function rssItem(
  ctx: Ctx,
  it: XElement,
  feedBase: string | null,
  linkBase: string | null,
): RawItem {
  const els = elements(it);
  const entryBase = it.attrs['xml:base'] ? resolve(it.attrs['xml:base'], linkBase) : feedBase;
  const entryLinkBase = entryBase ?? linkBase;
  const guidEl = ctx.kid(it, 'guid');
  const guid = str(textOf(guidEl)) ?? attr(it, 'rdf:about');
  const permaLink = (guidEl?.attrs.ispermalink ?? 'true').trim().toLowerCase() !== 'false';
  // CDF items carry their link as an attribute.
  let link = str(textOf(ctx.kid(it, 'link'))) ?? attr(it, 'href');
  if (!link && guid && permaLink && /^https?:\/\//i.test(guid)) link = guid;
  const enclosures = enclosuresOf(ctx, it, entryLinkBase);
  const text = (el: XElement | null) => str(textOf(el));
  return {
    guid,
    link: resolveLink(link, entryLinkBase),
    title: htmlOf(ctx.kid(it, 'title')),
    published: text(ctx.kid(it, 'pubdate')) ?? text(first(els, 'dc:date')) ?? attr(it, 'lastmod'),
    updated: text(ctx.kid(it, 'updated')) ?? text(first(els, 'atom:updated')),
    author:
      text(first(els, 'dc:creator')) ??
      text(ctx.kid(it, 'author')) ??
      text(first(els, 'itunes:author')),
    summary: htmlOf(ctx.kid(it, 'description')) ?? htmlOf(ctx.kid(it, 'abstract')),
    contentHtml: htmlOf(first(els, 'content:encoded')),
    baseUrl: entryBase,
    categories: categoriesOf(ctx, it),
    enclosures,
    media: mediaOf(it),
    lang: lang(it.attrs['xml:lang']) ?? lang(textOf(first(els, 'dc:language'))),
  };
}
