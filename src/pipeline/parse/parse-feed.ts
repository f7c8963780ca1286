// parse: feed text (already fetched and decoded) -> RawFeed. RSS 0.9x/1.0/1.1/2.0, CDF, Atom
// 0.3/1.0, JSON Feed 1.0/1.1. XML is made safe first (no DOCTYPE, so no external entities and
// no entity bombs), then read by a tolerant reader (xml-tree.ts) that keeps every entry a
// recovering parser keeps. Everything that had to be fixed is listed in `repairs`.
import { FeedError } from '../../domain/errors.ts';
import type { RawFeed } from '../../domain/types.ts';
import { looksLikeHtml } from './discover.ts';
import { parseJsonFeed } from './json-feed.ts';
import { feedFromTree } from './xml-feed.ts';
import { parseXmlTree } from './xml-tree.ts';
import { repairEntities, stripDoctype, stripInvalidXmlChars } from './xml-repair.ts';

const FEED_ROOT = /^([A-Za-z_][\w.-]*:)?(rss|feed|rdf|channel)$/i;

/** Name of the first element, skipping the XML declaration, PIs, comments and doctype. */
function rootElementName(xml: string): string | null {
  const re = /<(\?[\s\S]*?\?>|!--[\s\S]*?-->|![^>]*>|([A-Za-z_][\w.:-]*))/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[2]) return m[2];
    if (m.index > 65536) break;
  }
  return null;
}

export async function parseFeed(
  text: string,
  opts: { url?: string; repairs?: string[] } = {},
): Promise<RawFeed> {
  const docUrl = opts.url ?? null;
  const repairs = [...(opts.repairs ?? [])];
  const body = text.replace(/^\uFEFF/, '');
  const start = body.trimStart();
  if (start === '') throw new FeedError('parse', 'empty document');
  if (start.startsWith('{') || start.startsWith('[')) {
    const feed = await parseJsonFeed(start, docUrl);
    return repairs.length ? { ...feed, repaired: true, repairs } : feed;
  }
  if (looksLikeHtml(start))
    throw new FeedError('not-a-feed', 'the document is an HTML page, not a feed');
  const lt = body.indexOf('<');
  if (lt < 0) throw new FeedError('not-a-feed', 'the document is not XML');

  // What is not well-formed is dropped or escaped, and said so.
  let xml = body;
  if (lt > 0) {
    repairs.push(
      body.slice(0, lt).trim() === ''
        ? 'leading-junk: whitespace before the XML declaration removed'
        : 'leading-junk: text before the document removed',
    );
    xml = body.slice(lt);
  }
  const clean = stripInvalidXmlChars(xml);
  if (clean.length !== xml.length)
    repairs.push(
      `invalid-chars: ${xml.length - clean.length} character(s) not allowed in XML removed`,
    );
  const { xml: safe, entityDeclarations } = stripDoctype(clean);
  if (entityDeclarations)
    repairs.push(
      'doctype-entities: the DOCTYPE declares entities (an entity bomb or external entities); removed unexpanded',
    );
  const root = rootElementName(safe);
  if (root === null) throw new FeedError('parse', 'XML could not be parsed: no root element');
  if (!FEED_ROOT.test(root))
    throw new FeedError('not-a-feed', `XML root <${root}> is not RSS, Atom or RDF`);
  const escaped = repairEntities(safe);
  if (escaped !== safe) repairs.push('entities: bare & or HTML named entities escaped');

  const tree = parseXmlTree(escaped);
  const feed = feedFromTree(tree, docUrl);
  if (!feed) {
    const name = tree.root ? `<${tree.root.local}>` : 'no element';
    throw new FeedError('not-a-feed', `XML root ${name} is not RSS, Atom or RDF`);
  }
  const all = [...repairs, ...(feed.repairs ?? [])];
  return { ...feed, repaired: all.length > 0, repairs: all };
}
