// RSS 2.0, written directly. Every value reaching here is clean (prepare.ts: no character XML
// forbids, URLs parsed), so writing is escaping and placing: text content and attributes through
// escapeXml, HTML and free text in CDATA sections through cdata() (which splits every `]]>`).
import { cdata, escapeXml, hasInvalidXmlChars, mediaContentXml } from './clean.ts';
import { rssEnclosureParts } from './prepare.ts';
import type { FeedLink, PreparedItem, PreparedMeta } from './prepare.ts';

export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
} as const;

const I2 = '\n        ';
const I3 = '\n            ';

/** `<atom:link>` for one feed-level link (RSS has no link relations of its own). */
export function atomLinkXml(l: FeedLink, tag = 'atom:link'): string {
  const type = l.type ? ` type="${escapeXml(l.type)}"` : '';
  return `<${tag} href="${escapeXml(l.href)}" rel="${escapeXml(l.rel)}"${type}/>`;
}

/** The channel's link relations: self, then next, then any extra (a WebSub hub goes here). */
function channelLinks(meta: PreparedMeta): FeedLink[] {
  const links: FeedLink[] = [{ rel: 'self', href: meta.selfUrl, type: 'application/rss+xml' }];
  if (meta.nextUrl) links.push({ rel: 'next', href: meta.nextUrl, type: 'application/rss+xml' });
  return links.concat(meta.links);
}

function itemXml(item: PreparedItem): string {
  const p: string[] = [`<title>${cdata(item.title)}</title>`];
  if (item.url) p.push(`<link>${escapeXml(item.url)}</link>`);
  p.push(`<guid isPermaLink="false">${escapeXml(item.urn)}</guid>`);
  p.push(`<pubDate>${item.published.toUTCString()}</pubDate>`);
  // `description` is HTML in RSS: the plain-text summary is escaped first.
  if (item.summary) p.push(`<description>${cdata(escapeXml(item.summary))}</description>`);
  if (item.contentHtml) p.push(`<content:encoded>${cdata(item.contentHtml)}</content:encoded>`);
  if (item.author) p.push(`<dc:creator>${escapeXml(item.author)}</dc:creator>`);
  for (const tag of item.tags) p.push(`<category>${escapeXml(tag)}</category>`);
  const enclosures = rssEnclosureParts(item);
  if (enclosures.length > 0) p.push(...enclosures);
  else if (item.image) {
    const url = escapeXml(item.image.url);
    const type = escapeXml(item.image.type);
    p.push(`<enclosure url="${url}" length="0" type="${type}"/>`);
    p.push(mediaContentXml(item.image));
  }
  return `${I2}<item>${I3}${p.join(I3)}${I2}</item>`;
}

export function renderRss(meta: PreparedMeta, items: PreparedItem[]): string {
  const ns = Object.entries(NS)
    .map(([prefix, uri]) => ` xmlns:${prefix}="${uri}"`)
    .join('');
  const head = [
    `<title>${escapeXml(meta.title)}</title>`,
    `<link>${escapeXml(meta.htmlUrl)}</link>`,
    `<description>${escapeXml(meta.description || meta.title)}</description>`,
    `<lastBuildDate>${meta.updated.toUTCString()}</lastBuildDate>`,
    '<docs>https://validator.w3.org/feed/docs/rss2.html</docs>',
    '<generator>Tributary</generator>',
    `<language>${escapeXml(meta.lang)}</language>`,
    ...channelLinks(meta).map((l) => atomLinkXml(l)),
  ];
  const xml =
    `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"${ns}>\n    <channel>` +
    `${I2}${head.join(I2)}${items.map(itemXml).join('')}\n    </channel>\n</rss>\n`;
  if (hasInvalidXmlChars(xml)) throw new Error('renderRss: output holds characters XML forbids');
  return xml;
}
