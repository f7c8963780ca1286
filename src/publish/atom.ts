// Atom 1.0 through the `feed` package, plus what it lacks (xml:lang, rel=next, escaped
// categories, rel=related, a typed enclosure, media:content), inserted at private anchors.
import { Feed } from 'feed';
import {
  ANCHOR_MARK,
  escapeXml,
  mediaContentXml,
  finishCdata,
  forCdata,
  hasInvalidXmlChars,
} from './clean.ts';
import type { PreparedMeta } from './feeds.ts';
import type { PreparedItem } from './prepare.ts';
import { NS } from './rss.ts';

/** The package writes `copyright` as the entry's last element: our per-entry anchor. */
const ANCHOR_ELEMENT = `<rights>${ANCHOR_MARK}</rights>`;
const ROOT = `<feed xmlns="${NS.atom}">`;
const INDENT = '\n        ';

function entryExtras(item: PreparedItem): string {
  const parts: string[] = [];
  for (const tag of item.tags) parts.push(`<category term="${escapeXml(tag)}"/>`);
  for (const r of item.related) {
    const title = r.title ? ` title="${escapeXml(r.title)}"` : '';
    parts.push(`<link rel="related" type="text/html" href="${escapeXml(r.url)}"${title}/>`);
  }
  if (item.image) {
    const url = escapeXml(item.image.url);
    const type = escapeXml(item.image.type);
    parts.push(`<link rel="enclosure" type="${type}" href="${url}"/>`);
    parts.push(mediaContentXml(item.image));
  }
  return parts.join(INDENT);
}

/** Replaces the first `find` at or after `from` in `s`; throws when it is missing. */
function replaceFrom(s: string, find: string, replacement: string, from: number): string {
  const at = s.indexOf(find, from);
  if (at < 0) throw new Error(`renderAtom: ${find} not found in entry`);
  return s.slice(0, at) + replacement + s.slice(at + find.length);
}

/**
 * Fixes the head of one entry. A segment runs from the previous entry's anchor to this entry's
 * anchor. Up to the entry's title it holds only markup we know, and the title's CDATA has no
 * raw `]]>` (see forCdata), so every search below starts where user text cannot reach.
 */
function fixEntryHead(segment: string, item: PreparedItem, feedLang: string): string {
  const entryAt = segment.indexOf('<entry>');
  if (entryAt < 0) throw new Error('renderAtom: entry start not found');
  const entryTag =
    item.lang && item.lang !== feedLang ? `<entry xml:lang="${escapeXml(item.lang)}">` : '<entry>';
  let s = segment.slice(0, entryAt) + entryTag + segment.slice(entryAt + '<entry>'.length);
  // Titles and summaries are plain text: say so, rather than the package's type="html".
  const TITLE_HTML = '<title type="html"><![CDATA[';
  const titleAt = s.indexOf(TITLE_HTML, entryAt);
  if (titleAt < 0) throw new Error('renderAtom: entry title not found');
  s = replaceFrom(s, TITLE_HTML, '<title type="text"><![CDATA[', titleAt);
  const titleEnd = s.indexOf(']]></title>', titleAt);
  if (titleEnd < 0) throw new Error('renderAtom: entry title end not found');
  if (!s.startsWith(`<id>${item.urn}</id>`, s.indexOf('<id>', titleEnd))) {
    throw new Error(`renderAtom: entry id ${item.urn} not found`);
  }
  if (!item.url) s = replaceFrom(s, '<link/>', '', titleEnd);
  if (item.summary) s = replaceFrom(s, '<summary type="html">', '<summary type="text">', titleEnd);
  return s;
}

export function renderAtom(meta: PreparedMeta, items: PreparedItem[]): string {
  const feed = new Feed({
    id: meta.idIri,
    title: meta.title,
    description: meta.description || undefined,
    link: meta.htmlUrl,
    updated: meta.updated,
    generator: 'Tributary',
    feedLinks: { atom: meta.selfUrl },
    hub: meta.hubUrl ?? undefined,
    author: { name: meta.siteTitle },
  });
  for (const item of items) {
    feed.addItem({
      title: forCdata(item.title),
      id: item.urn,
      // Entries without a link get an empty `<link/>` from the package; removed below.
      link: item.url ?? (undefined as unknown as string),
      date: item.updated,
      published: item.published,
      description: item.summary ? forCdata(item.summary) : undefined,
      content: item.contentHtml ? forCdata(item.contentHtml) : undefined,
      author: item.author ? [{ name: item.author }] : undefined,
      copyright: ANCHOR_MARK,
    });
  }
  let xml = feed.atom1();

  const segments = xml.split(ANCHOR_ELEMENT);
  if (segments.length !== items.length + 1) {
    throw new Error(
      `renderAtom: expected ${items.length} entry anchors, found ${segments.length - 1}`,
    );
  }
  const out: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as PreparedItem;
    out.push(fixEntryHead(segments[i] ?? '', item, meta.lang), entryExtras(item));
  }
  out.push(segments[items.length] ?? '');
  xml = out.join('');

  const root = xml.indexOf(ROOT);
  if (root < 0) throw new Error('renderAtom: no <feed> root in rendered output');
  let head = `<feed xmlns="${NS.atom}" xmlns:media="${NS.media}" xml:lang="${escapeXml(meta.lang)}">`;
  if (meta.nextUrl)
    head += `\n    <link rel="next" type="application/atom+xml" href="${escapeXml(meta.nextUrl)}"/>`;
  xml = xml.slice(0, root) + head + xml.slice(root + ROOT.length);

  xml = finishCdata(xml);
  if (hasInvalidXmlChars(xml)) throw new Error('renderAtom: output holds characters XML forbids');
  return xml;
}
