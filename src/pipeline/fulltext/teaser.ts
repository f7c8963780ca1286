// When an item gets its linked page's article (CONTRACT "Whole items"): `always`, or `auto` when
// the item is a teaser (its content, else its description, has under 500 characters of text),
// and then only when the page's article is much longer than what the feed gave.
import type { FullTextMode, RawItem } from '../../domain/types.ts';
import { textLength } from './extract.ts';

export const TEASER_CHARS = 500;

/** The feed's own text length for an item: its content, else its description. */
export const feedTextLength = (item: RawItem): number =>
  textLength(item.contentHtml?.trim() ? item.contentHtml : item.summary);

export function wantsPage(mode: FullTextMode, item: RawItem): boolean {
  if (mode === 'never' || !item.link || !/^https?:\/\//i.test(item.link)) return false;
  return mode === 'always' || feedTextLength(item) < TEASER_CHARS;
}

/** `auto` keeps the feed's text unless the article is much longer (half again, and 100 characters more). */
export function articleWins(mode: FullTextMode, feedChars: number, articleChars: number): boolean {
  if (articleChars === 0) return false;
  if (mode === 'always') return true;
  return articleChars >= Math.max(feedChars * 1.5, feedChars + 100);
}
