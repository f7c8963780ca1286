// A source's own keyword rules (`sources[].include` / `exclude`): an item not matching `include`,
// or matching `exclude`, is not stored. Matched on the feed's title, summary and content (before
// any full-text extraction) with the keyword rules of tags (src/text/matcher.ts).
import type { RawFeed, RawItem, SourceConfig } from '../domain/types.ts';
import { compileMatcher, type KeywordMatcher } from '../text/matcher.ts';
import { htmlToText } from '../text/html-text.ts';

const compiled = new Map<string, KeywordMatcher>();

function matcherFor(keywords: readonly string[]): KeywordMatcher {
  const key = JSON.stringify(keywords);
  let m = compiled.get(key);
  if (!m) {
    if (compiled.size > 1000) compiled.clear();
    m = compileMatcher([{ id: 'k', keywords: [...keywords] }]);
    compiled.set(key, m);
  }
  return m;
}

const textOf = (s: string | null) => (s ? htmlToText(s) : '');

/** True when the source's rules keep the item. */
export function keepsItem(source: SourceConfig, item: RawItem): boolean {
  const inc = source.include?.keywords ?? [];
  const exc = source.exclude?.keywords ?? [];
  if (inc.length === 0 && exc.length === 0) return true;
  const texts = [textOf(item.title), textOf(item.summary), textOf(item.contentHtml)];
  if (inc.length > 0 && matcherFor(inc).match(...texts).size === 0) return false;
  if (exc.length > 0 && matcherFor(exc).match(...texts).size > 0) return false;
  return true;
}

/** The feed without the items the source's keyword rules leave out. */
export function filterBySource(source: SourceConfig, feed: RawFeed): RawFeed {
  if (!source.include && !source.exclude) return feed;
  const items = feed.items.filter((i) => keepsItem(source, i));
  return items.length === feed.items.length ? feed : { ...feed, items };
}
