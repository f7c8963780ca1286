// Stable article ids: the same item keeps its id across polls, reorderings and URL noise.
import { createHash } from 'node:crypto';
import { canonicalizeUrl } from './canonical-url.ts';

/** A URL compared without scheme and tracking parameters: `host/path?query`. */
function urlKey(url: string): string | null {
  const c = canonicalizeUrl(url);
  return c === null ? null : c.replace(/^https?:\/\//, '');
}

const looksLikeUrl = (s: string) => /^https?:\/\//i.test(s);

export function articleIdFor(
  sourceId: string,
  item: { guid: string | null; url: string | null; title: string; published: string | null },
): string {
  const guid = item.guid?.trim() || null;
  let key: string | null = null;
  if (guid) key = looksLikeUrl(guid) ? `url:${urlKey(guid) ?? guid}` : `guid:${guid}`;
  if (key === null && item.url) {
    const k = urlKey(item.url);
    if (k) key = `url:${k}`;
  }
  if (key === null) key = `title:${item.title.trim()}|${item.published ?? ''}`;
  return createHash('sha256').update(`${sourceId}\n${key}`).digest('hex').slice(0, 24);
}
