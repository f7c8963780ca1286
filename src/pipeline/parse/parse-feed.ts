// parse: feed text (already fetched and decoded) -> RawFeed. RSS 0.9x/1.0/2.0, Atom 0.3/1.0,
// JSON Feed 1.0/1.1. XML is made safe first (no DOCTYPE, so no external entities and no
// entity bombs) and, when it does not parse, repaired once and retried.
import { FeedError } from '../../domain/errors.ts';
import type { RawFeed } from '../../domain/types.ts';
import { looksLikeHtml } from './discover.ts';
import { parseJsonFeed } from './json-feed.ts';
import { parseXmlFeed } from './xml-feed.ts';
import { repairXml, stripDoctype, stripInvalidXmlChars } from './xml-repair.ts';

const FEED_ROOT = /^(rss|feed|([a-z0-9_-]+:)?rdf|channel)$/i;

/** Name of the first element, skipping the XML declaration, PIs, comments and doctype. */
function rootElementName(xml: string): string | null {
  const re = /<(\?[\s\S]*?\?>|!--[\s\S]*?-->|![^>]*>|([A-Za-z_][\w.:-]*))/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[2]) return m[2];
    if (m.index > 65536) break;
  }
  return null;
}

function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'unknown error';
}

export async function parseFeed(text: string, opts: { url?: string } = {}): Promise<RawFeed> {
  const docUrl = opts.url ?? null;
  const body = text.replace(/^\uFEFF/, '');
  const start = body.trimStart();
  if (start === '') throw new FeedError('parse', 'empty document');
  if (start.startsWith('{') || start.startsWith('[')) return parseJsonFeed(start, docUrl);
  if (looksLikeHtml(start))
    throw new FeedError('not-a-feed', 'the document is an HTML page, not a feed');
  if (!start.startsWith('<') && !body.includes('<'))
    throw new FeedError('not-a-feed', 'the document is not XML');

  // Whitespace before `<?xml` and invalid characters are not well-formed; we drop them and say so.
  const trimmed = /^\s+<\?xml/.test(body) ? start : body;
  const clean = stripInvalidXmlChars(trimmed);
  const alreadyRepaired = clean !== body;
  const safe = stripDoctype(clean);
  const root = rootElementName(safe);
  if (root !== null && !FEED_ROOT.test(root)) {
    throw new FeedError('not-a-feed', `XML root <${root}> is not RSS, Atom or RDF`);
  }
  try {
    const feed = await parseXmlFeed(safe, docUrl);
    return alreadyRepaired ? { ...feed, repaired: true } : feed;
  } catch (first) {
    if (isNotAFeed(first)) throw new FeedError('not-a-feed', messageOf(first), { cause: first });
    const repaired = repairXml(safe);
    try {
      const feed = await parseXmlFeed(repaired, docUrl);
      return { ...feed, repaired: true };
    } catch (second) {
      if (isNotAFeed(second))
        throw new FeedError('not-a-feed', messageOf(second), { cause: second });
      throw new FeedError('parse', `XML could not be parsed: ${messageOf(second)}`, {
        cause: second,
      });
    }
  }
}

function isNotAFeed(e: unknown): boolean {
  return /not recognized as RSS/i.test(messageOf(e));
}
