// RSSHub's common filter parameters with RSSHub's semantics (lib/middleware/parameter.ts), so a
// subscriber's RSSHub URL parameters work unchanged on our feeds:
//   filter                     keep an item when the pattern matches its title, its description,
//                              its author or any of its categories (each tested on its own)
//   filter_title / _description / _author / _category
//                              keep an item when every given pattern matches that field (a
//                              category: any of them); ignored when `filter` is given, as in RSSHub
//   filterout                  drop an item when the pattern matches its title or its description
//   filterout_title / _description
//                              replace `filterout` for that field
//   filterout_author / _category  drop an item when the pattern matches its author / any category
//   filter_time=N              keep items published at most N seconds ago
//   filter_case_sensitive      default true; `false` makes every pattern case-insensitive
// Patterns are regular expressions run by RE2 (re2js, as RSSHub's default engine): linear time,
// so a hostile pattern cannot stall the server; no backreferences or lookaround.
// Our description is the item's summary and text content (RSSHub matches the description HTML);
// an item without one is matched on its title, as in RSSHub. Categories are the item's tags.
import { RE2JS } from 're2js';

export interface TextFilters {
  /** Each pattern as given (the cache key), compiled on demand with `compileTextFilters`. */
  filter: string | null;
  filterTitle: string | null;
  filterDescription: string | null;
  filterAuthor: string | null;
  filterCategory: string | null;
  filterout: string | null;
  filteroutTitle: string | null;
  filteroutDescription: string | null;
  filteroutAuthor: string | null;
  filteroutCategory: string | null;
  caseSensitive: boolean;
  /** Seconds: only items published at most N s before now. */
  time: number | null;
}

/** RSSHub's parameter name → our field. */
export const FILTER_PARAMS = {
  filter: 'filter',
  filter_title: 'filterTitle',
  filter_description: 'filterDescription',
  filter_author: 'filterAuthor',
  filter_category: 'filterCategory',
  filterout: 'filterout',
  filterout_title: 'filteroutTitle',
  filterout_description: 'filteroutDescription',
  filterout_author: 'filteroutAuthor',
  filterout_category: 'filteroutCategory',
} as const satisfies Record<string, keyof TextFilters>;

export type PatternField = (typeof FILTER_PARAMS)[keyof typeof FILTER_PARAMS];

export const NO_TEXT_FILTERS: TextFilters = {
  filter: null,
  filterTitle: null,
  filterDescription: null,
  filterAuthor: null,
  filterCategory: null,
  filterout: null,
  filteroutTitle: null,
  filteroutDescription: null,
  filteroutAuthor: null,
  filteroutCategory: null,
  caseSensitive: true,
  time: null,
};

/** Thrown for a pattern RE2 cannot compile; the server maps it to a 400. */
export class PatternError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'PatternError';
  }
}

export function compilePattern(param: string, pattern: string, caseSensitive: boolean): RE2JS {
  try {
    return RE2JS.compile(pattern, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    throw new PatternError(
      param,
      `${param} is not a valid pattern (RE2 syntax: no backreferences or lookaround): ${(err as Error).message}`,
    );
  }
}

/** True when the query carries any RSSHub-style text or time filter. */
export function hasTextFilters(t: TextFilters): boolean {
  return Object.values(FILTER_PARAMS).some((f) => t[f] !== null) || t.time !== null;
}

export interface FilterSubject {
  title: string;
  /** Summary and text content ('' when the item has none: the title stands in, as in RSSHub). */
  description: string;
  author: string;
  categories: readonly string[];
  publishedMs: number;
}

/** Compiles the filters into one predicate with RSSHub's semantics (see the header). */
export function compileTextFilters(t: TextFilters, nowMs: number): (s: FilterSubject) => boolean {
  const re = (param: string, v: string | null) =>
    v === null ? null : compilePattern(param, v, t.caseSensitive);
  const filter = re('filter', t.filter);
  // RSSHub ignores the per-field filters when `filter` is given.
  const title = filter ? null : re('filter_title', t.filterTitle);
  const desc = filter ? null : re('filter_description', t.filterDescription);
  const author = filter ? null : re('filter_author', t.filterAuthor);
  const category = filter ? null : re('filter_category', t.filterCategory);
  const titleOut = re('filterout_title', t.filteroutTitle ?? t.filterout);
  const descOut = re('filterout_description', t.filteroutDescription ?? t.filterout);
  const authorOut = re('filterout_author', t.filteroutAuthor);
  const categoryOut = re('filterout_category', t.filteroutCategory);
  const since = t.time === null ? null : nowMs - t.time * 1000;
  const found = (r: RE2JS, s: string) => r.matcher(s).find();
  return (s) => {
    const description = s.description || s.title;
    if (
      filter &&
      !(
        found(filter, s.title) ||
        found(filter, description) ||
        found(filter, s.author) ||
        s.categories.some((c) => found(filter, c))
      )
    )
      return false;
    if (title && !found(title, s.title)) return false;
    if (desc && !found(desc, description)) return false;
    if (author && !found(author, s.author)) return false;
    if (category && !s.categories.some((c) => found(category, c))) return false;
    if (titleOut && found(titleOut, s.title)) return false;
    if (descOut && found(descOut, description)) return false;
    if (authorOut && found(authorOut, s.author)) return false;
    if (categoryOut && s.categories.some((c) => found(categoryOut, c))) return false;
    if (since !== null && s.publishedMs < since) return false;
    return true;
  };
}
