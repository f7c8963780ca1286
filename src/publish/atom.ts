// Atom 1.0 (RFC 4287), written directly, like rss.ts: values arrive clean from prepare.ts and are
// only escaped (escapeXml) or wrapped in CDATA (cdata()). An entry's language is its `xml:lang`
// where it differs from the feed's.
import { cdata, escapeXml, hasInvalidXmlChars, mediaContentXml } from './clean.ts';
import { atomEnclosureParts } from './prepare.ts';
import type { FeedLink, PreparedItem, PreparedMeta } from './prepare.ts';
import { NS, atomLinkXml } from './rss.ts';

const I1 = '\n    ';
const I2 = '\n        ';

function feedLinks(meta: PreparedMeta): FeedLink[] {
  const links: FeedLink[] = [
    { rel: 'alternate', href: meta.htmlUrl, type: 'text/html' },
    { rel: 'self', href: meta.selfUrl, type: 'application/atom+xml' },
  ];
  if (meta.nextUrl) links.push({ rel: 'next', href: meta.nextUrl, type: 'application/atom+xml' });
  return links.concat(meta.links);
}

function entryXml(item: PreparedItem, feedLang: string): string {
  const lang =
    item.lang && item.lang.toLowerCase() !== feedLang.toLowerCase()
      ? ` xml:lang="${escapeXml(item.lang)}"`
      : '';
  const p: string[] = [
    `<title type="text">${cdata(item.title)}</title>`,
    `<id>${escapeXml(item.urn)}</id>`,
  ];
  if (item.url) p.push(`<link rel="alternate" type="text/html" href="${escapeXml(item.url)}"/>`);
  p.push(`<updated>${item.updated.toISOString()}</updated>`);
  p.push(`<published>${item.published.toISOString()}</published>`);
  if (item.summary) p.push(`<summary type="text">${cdata(item.summary)}</summary>`);
  if (item.contentHtml) p.push(`<content type="html">${cdata(item.contentHtml)}</content>`);
  // RFC 4287 §4.1.1: an entry without an alternate link must have content.
  else if (!item.url) p.push(`<content type="text">${cdata(item.contentText)}</content>`);
  if (item.author) p.push(`<author>${I2}    <name>${escapeXml(item.author)}</name>${I2}</author>`);
  for (const tag of item.tags) p.push(`<category term="${escapeXml(tag)}"/>`);
  for (const r of item.related) {
    const title = r.title ? ` title="${escapeXml(r.title)}"` : '';
    p.push(`<link rel="related" type="text/html" href="${escapeXml(r.url)}"${title}/>`);
  }
  const enclosures = atomEnclosureParts(item);
  if (enclosures.length > 0) p.push(...enclosures);
  else if (item.image) {
    const url = escapeXml(item.image.url);
    const type = escapeXml(item.image.type);
    p.push(`<link rel="enclosure" type="${type}" href="${url}"/>`);
    p.push(mediaContentXml(item.image));
  }
  return `${I1}<entry${lang}>${I2}${p.join(I2)}${I1}</entry>`;
}

export function renderAtom(meta: PreparedMeta, items: PreparedItem[]): string {
  const head = [
    `<id>${escapeXml(meta.idIri)}</id>`,
    `<title type="text">${escapeXml(meta.title)}</title>`,
    `<updated>${meta.updated.toISOString()}</updated>`,
    '<generator>Tributary</generator>',
    `<author>${I1}    <name>${escapeXml(meta.siteTitle)}</name>${I1}</author>`,
    ...feedLinks(meta).map((l) => atomLinkXml(l, 'link')),
  ];
  if (meta.description)
    head.push(`<subtitle type="text">${escapeXml(meta.description)}</subtitle>`);
  const root = `<feed xmlns="${NS.atom}" xmlns:media="${NS.media}" xml:lang="${escapeXml(meta.lang)}">`;
  const xml =
    `<?xml version="1.0" encoding="utf-8"?>\n${root}${I1}${head.join(I1)}` +
    `${items.map((i) => entryXml(i, meta.lang)).join('')}\n</feed>\n`;
  if (hasInvalidXmlChars(xml)) throw new Error('renderAtom: output holds characters XML forbids');
  return xml;
}
