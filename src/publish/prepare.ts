// Turns PublishedItems into clean, validated values every renderer can trust. An item whose
// link does not parse (or is not http/https) is dropped here, never the whole feed.
import type { PublishedItem } from '../domain/types.ts';
import { prepareEnclosures, type PreparedEnclosure } from './enclosures.ts';
import { articleUrn, cleanText, guessImageType, safeDate, safeHttpUrl, safeLang } from './clean.ts';

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
  /** HTML. */
  contentHtml: string;
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

const MIME = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

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

/** Cleans one item; null when it must not be published. */
export function prepareItem(item: PublishedItem, fallbackDate: Date): PreparedItem | null {
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
  return {
    urn: articleUrn(id),
    url,
    title: oneLine(item.title),
    summary: cleanText(item.summary).trim(),
    contentHtml: cleanText(item.contentHtml),
    author: author === '' ? null : author,
    published,
    updated,
    lang: safeLang(item.lang),
    tags: uniqueClean(item.tags),
    image,
    enclosures: prepareEnclosures(item.enclosures),
    related,
    sourceId,
    storySources,
  };
}

/** Cleans all items, keeping their order (newest first as given) and the first of any duplicate id. */
export function prepareItems(items: readonly PublishedItem[], fallbackDate: Date): PrepareResult {
  const out: PreparedItem[] = [];
  const dropped: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const p = prepareItem(item, fallbackDate);
    if (p === null || seen.has(p.urn)) {
      dropped.push(String(item.id));
      continue;
    }
    seen.add(p.urn);
    out.push(p);
  }
  return { items: out, dropped };
}
