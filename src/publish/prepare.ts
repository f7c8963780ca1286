// Turns a feed's meta and its PublishedItems into clean, validated values every writer can trust.
// An item whose link does not parse (or is not http/https) is dropped here, never the whole feed.
// The writers (rss.ts, atom.ts, json-feed.ts) import only from here and clean.ts.
import type { OutputFormat, PublishedItem, SiteConfig } from '../domain/types.ts';
import { articleUrn, cleanText, guessImageType, safeDate, safeHttpUrl, safeLang } from './clean.ts';
import { isRtl } from './pages.ts';
import { prepareEnclosures, type PreparedEnclosure } from './enclosures.ts';

export {
  atomEnclosureParts,
  jsonAttachments,
  rssEnclosureParts,
  type PreparedEnclosure,
} from './enclosures.ts';

/** An extra feed-level link (e.g. a WebSub `hub`): `<atom:link>` in RSS, `<link>` in Atom. */
export interface FeedLink {
  rel: string;
  href: string;
  type?: string;
}

/**
 * How item ids are made: `article` (the default) gives an article the same id in every section,
 * so a reader subscribed to two overlapping sections keeps one copy; `section` prefixes the
 * section id so each section's copy is its own item.
 */
export type GuidMode = 'article' | 'section';

export interface FeedMeta {
  id: string;
  title: string;
  description: string;
  lang: string;
  site: SiteConfig;
  selfUrl: string;
  htmlUrl: string;
  nextUrl: string | null;
  /** Newest change in the feed; an invalid date or the epoch means "none" (see prepareMeta). */
  updated: Date;
  formatUrls: { rss: string; atom: string; json: string };
  /** Extra feed-level links, written after self/alternate/next in every format. */
  links?: FeedLink[];
  /** Item ids per article (default) or per section. */
  guid?: GuidMode;
}

/** FeedMeta after cleaning: every string XML-safe, every URL valid http(s). */
export interface PreparedMeta {
  /** Feed id as an IRI (Atom `<id>`). */
  idIri: string;
  /** The section id as given (cleaned), for per-section item ids. */
  sectionId: string;
  title: string;
  description: string;
  lang: string;
  siteTitle: string;
  selfUrl: string;
  htmlUrl: string;
  nextUrl: string | null;
  updated: Date;
  formatUrls: { rss: string; atom: string; json: string };
  links: FeedLink[];
  guid: GuidMode;
}

/**
 * The date a feed with no dated items shows (`lastBuildDate`, Atom `updated`) when the caller
 * gave none: when this process loaded the writers, never 1970-01-01.
 */
export const WRITERS_LOADED_AT = new Date(Math.floor(Date.now() / 1000) * 1000);

function requireUrl(name: string, value: string): string {
  const url = safeHttpUrl(value);
  if (url === null)
    throw new Error(
      `renderFeed: meta.${name} is not a valid http(s) URL: ${JSON.stringify(value)}`,
    );
  return url;
}

const REL = /^[A-Za-z][A-Za-z0-9.+-]*$/;

export function prepareMeta(meta: FeedMeta, format: OutputFormat): PreparedMeta {
  const id = cleanText(meta.id).trim();
  const selfUrl = requireUrl('selfUrl', meta.selfUrl);
  const formatUrls = {
    rss: safeHttpUrl(meta.formatUrls.rss) ?? (format === 'rss' ? selfUrl : ''),
    atom: safeHttpUrl(meta.formatUrls.atom) ?? (format === 'atom' ? selfUrl : ''),
    json: safeHttpUrl(meta.formatUrls.json) ?? (format === 'json' ? selfUrl : ''),
  };
  const t = meta.updated.getTime();
  const updated = Number.isNaN(t) || t <= 0 ? WRITERS_LOADED_AT : meta.updated;
  const links: FeedLink[] = [];
  for (const l of meta.links ?? []) {
    const href = safeHttpUrl(l.href);
    if (href === null || !REL.test(l.rel)) continue;
    const type = l.type && MIME.test(l.type.trim()) ? l.type.trim() : undefined;
    links.push(type ? { rel: l.rel, href, type } : { rel: l.rel, href });
  }
  return {
    idIri: /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(id)
      ? id
      : `urn:tributary:section:${encodeURIComponent(id)}`,
    sectionId: id,
    title: cleanText(meta.title).trim() || cleanText(meta.site.title).trim() || id,
    description: cleanText(meta.description).trim(),
    lang: safeLang(meta.lang) ?? 'en',
    siteTitle: cleanText(meta.site.title).trim() || 'Tributary',
    selfUrl,
    htmlUrl: requireUrl('htmlUrl', meta.htmlUrl),
    nextUrl: safeHttpUrl(meta.nextUrl),
    updated,
    formatUrls,
    links,
    guid: meta.guid === 'section' ? 'section' : 'article',
  };
}

export interface PreparedImage {
  url: string;
  type: string;
  width: number | null;
  height: number | null;
}

export interface PreparedRelated {
  url: string;
  title: string;
  sourceId: string;
}

export interface PreparedItem {
  /** `urn:tributary:article:<id>` */
  urn: string;
  url: string | null;
  title: string;
  /** Plain text. */
  summary: string;
  /** HTML ('' when the item has none): images lazy, RTL or foreign-language text wrapped. */
  contentHtml: string;
  /** Plain text for a writer that must carry some content when contentHtml is '': never ''. */
  contentText: string;
  author: string | null;
  published: Date;
  updated: Date;
  lang: string | null;
  tags: string[];
  image: PreparedImage | null;
  /** Every enclosure, source order, one per URL, typed (enclosures.ts). */
  enclosures: PreparedEnclosure[];
  related: PreparedRelated[];
  sourceId: string;
  storySources: string[];
}

export interface PrepareResult {
  items: PreparedItem[];
  /** Ids of items left out (bad link, no id, duplicate id). */
  dropped: string[];
}

export const MIME = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

function positiveInt(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

/** Clean text on one line: runs of whitespace (tabs, newlines) become one space. */
function oneLine(value: string | null | undefined): string {
  return cleanText(value).replace(/\s+/g, ' ').trim();
}

function uniqueClean(values: readonly string[] | null | undefined): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const v of values ?? []) {
    const c = oneLine(v);
    if (c !== '' && !seen.has(c)) {
      seen.add(c);
      out.push(c);
    }
  }
  return out;
}

// Greedy over alternatives that start with different characters: linear, no backtracking blow-up.
const IMG_TAG = /<img\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;

/**
 * Images in content load lazily and send no Referer (readers and mail clients fetch them from the
 * publisher's host): `loading="lazy"` and `referrerpolicy="no-referrer"` where not already set.
 */
export function lazyImages(html: string): string {
  if (!/<img\b/i.test(html)) return html;
  return html.replace(IMG_TAG, (_, inner: string) => {
    let a = inner;
    let close = '';
    if (a.endsWith('/')) {
      const attrs = a.slice(0, -1).trimEnd();
      close = a.slice(attrs.length);
      a = attrs;
    }
    if (!/\sloading\s*=/i.test(a)) a += ' loading="lazy"';
    if (!/\sreferrerpolicy\s*=/i.test(a)) a += ' referrerpolicy="no-referrer"';
    return `<img${a}${close}>`;
  });
}

/**
 * Content in a right-to-left language, or in a language other than the feed's, is wrapped in a
 * `<div lang dir>` so a reader lays it out right whatever it assumes from the feed.
 */
export function withDirection(html: string, lang: string | null, feedLang: string): string {
  if (html === '' || lang === null) return html;
  const rtl = isRtl(lang);
  if (!rtl && lang.toLowerCase() === feedLang.toLowerCase()) return html;
  const open = `<div lang="${lang}" dir="${rtl ? 'rtl' : 'ltr'}">`;
  if (html.startsWith(open)) return html; // already wrapped (a digest is)
  return `<div lang="${lang}" dir="${rtl ? 'rtl' : 'ltr'}">${html}</div>`;
}

/** What a writer needs of the feed to prepare its items. */
export type ItemContext = Pick<PreparedMeta, 'updated' | 'lang' | 'guid' | 'sectionId'>;

/** A title for an item that has none: the start of its text, else its link (never ''). */
function fallbackTitle(summary: string, url: string | null): string {
  const text = summary.replace(/\s+/g, ' ').trim();
  if (text !== '') {
    const chars = [...text];
    return chars.length > 80 ? `${chars.slice(0, 79).join('').trimEnd()}…` : text;
  }
  return url ?? 'Untitled';
}

/** Cleans one item; null when it must not be published. */
export function prepareItem(item: PublishedItem, ctx: ItemContext): PreparedItem | null {
  const fallbackDate = ctx.updated;
  const id = cleanText(item.id).trim();
  if (id === '') return null;
  let url: string | null = null;
  if (item.url != null && item.url.trim() !== '') {
    url = safeHttpUrl(item.url);
    if (url === null) return null; // a bad link drops the item, not the feed
  }
  const published =
    safeDate(item.published) ?? safeDate(item.firstSeen) ?? safeDate(item.updated) ?? fallbackDate;
  const updatedRaw = safeDate(item.updated);
  const updated =
    updatedRaw && updatedRaw.getTime() >= published.getTime() ? updatedRaw : published;

  let image: PreparedImage | null = null;
  const imageUrl = item.image ? safeHttpUrl(item.image.url) : null;
  if (item.image && imageUrl) {
    const type =
      item.image.type && MIME.test(item.image.type.trim())
        ? item.image.type.trim()
        : guessImageType(imageUrl);
    image = {
      url: imageUrl,
      type,
      width: positiveInt(item.image.width),
      height: positiveInt(item.image.height),
    };
  }

  const related: PreparedRelated[] = [];
  const seenRelated = new Set<string>();
  for (const r of item.related ?? []) {
    const rUrl = safeHttpUrl(r.url);
    if (rUrl === null || rUrl === url || seenRelated.has(rUrl)) continue;
    seenRelated.add(rUrl);
    related.push({ url: rUrl, title: oneLine(r.title), sourceId: oneLine(r.sourceId) });
  }

  const author = oneLine(item.author);
  const sourceId = oneLine(item.sourceId);
  const storySources = uniqueClean(item.storySources?.length ? item.storySources : [item.sourceId]);
  const lang = safeLang(item.lang);
  const summary = cleanText(item.summary).trim();
  const title = oneLine(item.title) || fallbackTitle(summary, url);
  const html = cleanText(item.contentHtml);
  const contentHtml = html.trim() === '' ? '' : withDirection(lazyImages(html), lang, ctx.lang);
  return {
    urn:
      ctx.guid === 'section'
        ? `urn:tributary:section:${encodeURIComponent(ctx.sectionId)}:article:${encodeURIComponent(id)}`
        : articleUrn(id),
    url,
    title,
    summary,
    contentHtml,
    contentText: summary || title,
    author: author === '' ? null : author,
    published,
    updated,
    lang,
    tags: uniqueClean(item.tags),
    image,
    enclosures: prepareEnclosures(item.enclosures),
    related,
    sourceId,
    storySources,
  };
}

/** Cleans all items, keeping their order (newest first as given) and the first of any duplicate id. */
export function prepareItems(items: readonly PublishedItem[], ctx: ItemContext): PrepareResult {
  const out: PreparedItem[] = [];
  const dropped: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const p = prepareItem(item, ctx);
    if (p === null || seen.has(p.urn)) {
      dropped.push(String(item.id));
      continue;
    }
    seen.add(p.urn);
    out.push(p);
  }
  return { items: out, dropped };
}
