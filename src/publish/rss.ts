// RSS 2.0 through the `feed` package, plus what it lacks (media:content, dc:creator, exact
// categories, a typed enclosure, rel=next), inserted at private anchors after rendering.
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

export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
} as const;

const ANCHOR_TAG = 'tributary-anchor';
const ANCHOR_ELEMENT = `<${ANCHOR_TAG}>${ANCHOR_MARK}</${ANCHOR_TAG}>`;

function itemExtras(item: PreparedItem): string {
  const parts: string[] = [];
  if (item.author) parts.push(`<dc:creator>${escapeXml(item.author)}</dc:creator>`);
  for (const tag of item.tags) parts.push(`<category>${escapeXml(tag)}</category>`);
  if (item.image) {
    const url = escapeXml(item.image.url);
    const type = escapeXml(item.image.type);
    parts.push(`<enclosure url="${url}" length="0" type="${type}"/>`);
    parts.push(mediaContentXml(item.image));
  }
  return parts.join('\n            ');
}

/** Adds the namespaces we use to the root `<rss …>` tag (it precedes all item text). */
function withNamespaces(xml: string): string {
  const start = xml.indexOf('<rss ');
  const end = xml.indexOf('>', start);
  if (start < 0 || end < 0) throw new Error('renderRss: no <rss> root in rendered output');
  let tag = xml.slice(start, end);
  for (const [prefix, uri] of Object.entries(NS)) {
    if (!tag.includes(`xmlns:${prefix}=`)) tag += ` xmlns:${prefix}="${uri}"`;
  }
  return xml.slice(0, start) + tag + xml.slice(end);
}

export function renderRss(meta: PreparedMeta, items: PreparedItem[]): string {
  const feed = new Feed({
    id: meta.idIri,
    title: meta.title,
    description: meta.description || meta.title,
    link: meta.htmlUrl,
    language: meta.lang,
    updated: meta.updated,
    generator: 'Tributary',
    feedLinks: { rss: meta.selfUrl },
    hub: meta.hubUrl ?? undefined,
  });
  for (const item of items) {
    feed.addItem({
      title: forCdata(item.title),
      // `link` is optional in RSS; the package only writes it when set.
      link: item.url ?? (undefined as unknown as string),
      guid: item.urn,
      date: item.updated,
      published: item.published,
      description: item.summary ? forCdata(escapeXml(item.summary)) : undefined,
      content: item.contentHtml ? forCdata(item.contentHtml) : undefined,
      extensions: [{ name: ANCHOR_TAG, objects: { _text: ANCHOR_MARK } }],
    });
  }
  let xml = withNamespaces(feed.rss2());

  const segments = xml.split(ANCHOR_ELEMENT);
  if (segments.length !== items.length + 1) {
    throw new Error(
      `renderRss: expected ${items.length} item anchors, found ${segments.length - 1}`,
    );
  }
  const out: string[] = [segments[0] ?? ''];
  for (let i = 0; i < items.length; i++) {
    out.push(itemExtras(items[i] as PreparedItem), segments[i + 1] ?? '');
  }
  xml = out.join('');

  if (meta.nextUrl) {
    const channel = xml.indexOf('<channel>');
    if (channel < 0) throw new Error('renderRss: no <channel> in rendered output');
    const at = channel + '<channel>'.length;
    const next = `\n        <atom:link href="${escapeXml(meta.nextUrl)}" rel="next" type="application/rss+xml"/>`;
    xml = xml.slice(0, at) + next + xml.slice(at);
  }
  xml = finishCdata(xml);
  if (hasInvalidXmlChars(xml)) throw new Error('renderRss: output holds characters XML forbids');
  return xml;
}
