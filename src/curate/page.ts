// One page of a section feed for a query: select.ts's items, the paging cursor, RSSHub's text
// filters and `sorted`. Reads only: nothing here writes to Redis.
//
// Paging (RFC 5005 section 3, paged feeds): the cursor is `<published ms>.<id>` of the last item
// shown, so items that share a publish time are neither lost nor repeated at a page boundary (the
// section index orders ties by id, descending). A bare `<ms>` or ISO date still works (exclusive).
// Pages are not archives (RFC 5005 section 4): an older page changes when a late article, a
// correction, a hide or retention touches it.
//
// Text filters are applied after select.ts: we ask it for more items than the page needs (×3,
// doubling up to MAX_SCAN) and keep the matching ones. The trade-off: a rare pattern over a long
// section may leave a page short while older matches exist; the page then still carries a next
// link (cursor = last item scanned), so a reader that follows it walks the whole section.
import type { PublishedItem, SectionConfig } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import { htmlToText } from '../text/html-text.ts';
import { selectItems } from './select.ts';
import { compileTextFilters, hasTextFilters } from './filters.ts';
import type { TextFilters } from './filters.ts';

/** Most items one request asks select.ts for when post-filtering. */
export const MAX_SCAN = 600;

export interface PageQuery {
  limit: number | null;
  tags: string[];
  lang: string | null;
  q: string | null;
  /** Paging cursor: published time (ms) of the last item already seen… */
  before: number | null;
  /** …and its id, which breaks ties between items published in the same millisecond. */
  beforeId: string | null;
  text: TextFilters;
  /**
   * RSSHub's `sorted`: true orders the page strictly by publish date (timed pins too); absent or
   * false keeps the section's order (newest first, pins leading the head page).
   */
  sorted: boolean | null;
}

export interface Page {
  items: PublishedItem[];
  /** Cursor of the next (older) page, or null at the end (`id` null: a bare time cursor). */
  next: { ms: number; id: string | null } | null;
  /** The page stays as it is until this time (ms; a timed pin's expiry), or null: until a write. */
  validUntil: number | null;
}

export interface PageDeps {
  store: Store;
  priorityOf(sourceId: string): number;
}

/**
 * The cursor after a head page that only pins filled: the chronological flow from its top (pins
 * are not part of the flow), not from the last pin's own date, which would skip newer articles.
 */
const FLOW_TOP = 999_999_999_999_999;

const publishedMs = (i: PublishedItem) => Date.parse(i.published);
/** Where an item sits in the section's index: the cursor's coordinates. */
const posMs = (i: PublishedItem) => i.position?.ms ?? publishedMs(i);
const posId = (i: PublishedItem) => i.position?.id ?? i.id;

export async function selectPage(
  deps: PageDeps,
  section: SectionConfig,
  query: PageQuery,
  nowMs: number,
): Promise<Page> {
  const limit = query.limit ?? section.limit;
  const pred = hasTextFilters(query.text) ? compileTextFilters(query.text, nowMs) : null;
  const test = pred
    ? (i: PublishedItem) =>
        pred({
          title: i.title,
          description: [i.summary, htmlToText(i.contentHtml)].filter(Boolean).join('\n'),
          author: i.author ?? '',
          categories: i.tags,
          publishedMs: publishedMs(i),
        })
    : null;
  const { before, beforeId } = query;
  // With a tie-breaking id the cursor's own millisecond is read again and the ids already shown skipped.
  const selectBefore = before === null ? null : beforeId === null ? before : before + 1;
  const seen = (i: PublishedItem) =>
    beforeId !== null &&
    before !== null &&
    (posMs(i) > before || (posMs(i) === before && posId(i) >= beforeId));
  let ask = test ? Math.min(MAX_SCAN, limit * 3) : limit;
  for (;;) {
    const request = ask + 1 + (beforeId !== null ? 20 : 0);
    const sel = await selectItems(
      deps.store,
      section,
      { limit: request, tags: query.tags, lang: query.lang, q: query.q, before: selectBefore },
      deps.priorityOf,
      new Date(nowMs),
    );
    const more = sel.items.length >= request;
    const scanned = sel.items.filter((i) => !seen(i));
    const kept = test ? scanned.filter(test) : scanned;
    if (kept.length < limit && more && ask < MAX_SCAN) {
      ask = Math.min(MAX_SCAN, ask * 2);
      continue;
    }
    const items = kept.slice(0, limit);
    const last =
      items.length === limit && (kept.length > limit || more)
        ? items[items.length - 1]
        : more
          ? scanned[scanned.length - 1]
          : undefined;
    let next: Page['next'] = last
      ? last.position
        ? { ms: posMs(last), id: posId(last) }
        : { ms: FLOW_TOP, id: null }
      : null;
    // A cursor that would not move (more than MAX_SCAN items in one millisecond) ends paging.
    if (next && next.ms === before && next.id === beforeId) next = null;
    if (query.sorted === true)
      items.sort((a, b) => publishedMs(b) - publishedMs(a) || (a.id < b.id ? 1 : -1));
    return { items, next, validUntil: sel.validUntil };
  }
}
