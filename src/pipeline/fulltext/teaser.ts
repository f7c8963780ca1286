// When an item is a teaser, and when a page's article is worth more than the feed's text.
// Decided by length of text (markup stripped), never by a word list ("read more", "…"): a
// list knows a few languages and a few CMSs; length works for every one.
import type { FullTextMode } from '../../domain/types.ts';

/** Content (else description) with fewer characters of text than this is a teaser (CONTRACT.md). */
export const TEASER_CHARS = 500;
/** In `auto`, the page's text must be at least this many times the feed's text … */
export const MUCH_LONGER_RATIO = 2;
/** … and at least this many characters longer (a 20-character teaser vs a 45-character caption is no gain). */
export const MUCH_LONGER_MIN_GAIN = 200;
/** An extraction with less text than this is "nothing readable". */
export const MIN_READABLE_CHARS = 80;

/** Characters of text, whitespace runs counted as one. */
export const textLength = (text: string): number => text.replace(/\s+/g, ' ').trim().length;

/** Whether this item's linked page should be fetched at all. */
export function wantsPage(mode: FullTextMode, feedText: string): boolean {
  if (mode === 'never') return false;
  if (mode === 'always') return true;
  return textLength(feedText) < TEASER_CHARS;
}

/** Whether the page's article replaces the feed's text: `always` whenever readable, `auto` only when much longer. */
export function pageWins(mode: FullTextMode, feedText: string, pageText: string): boolean {
  const page = textLength(pageText);
  if (page < MIN_READABLE_CHARS) return false;
  if (mode === 'always') return true;
  const feed = textLength(feedText);
  return page >= Math.max(feed * MUCH_LONGER_RATIO, feed + MUCH_LONGER_MIN_GAIN);
}
