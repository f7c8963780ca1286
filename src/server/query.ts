// Feed query parameters: validated into a canonical form (also the render-cache key).
//
// Our own names: limit, tag (repeatable, all-of), lang, q (keyword match), before (paging cursor).
// RSSHub's names, so existing subscribers' URLs keep working:
//   filter / filterout                       pattern over title + summary + text content
//   filter_title / filterout_title           pattern over the title
//   filter_description / filterout_description  pattern over summary + text content
//   filter_case_sensitive=false              (default true, as in RSSHub)
//   filter_time=N                            only items published in the last N seconds
// RSSHub treats patterns as regular expressions, and so do we, but through RE2 (re2js): matching
// runs in linear time, so a hostile pattern cannot stall the server. RE2 has no backreferences
// or lookaround; such a pattern is a 400. Patterns are limited to 200 characters.
import { RE2JS } from 're2js';
import { badRequest } from './http-error.ts';

export interface TextFilters {
  /** Each pattern as given (the cache key), compiled on demand with `compileTextFilters`. */
  filter: string | null;
  filterout: string | null;
  filterTitle: string | null;
  filteroutTitle: string | null;
  filterDescription: string | null;
  filteroutDescription: string | null;
  caseSensitive: boolean;
  /** Seconds: only items published after now − N s. */
  time: number | null;
}

export interface FeedQuery {
  limit: number | null;
  tags: string[];
  lang: string | null;
  q: string | null;
  /** Paging cursor: published time (ms) of the last item already seen… */
  before: number | null;
  /** …and its id, which breaks ties between items published in the same millisecond. */
  beforeId: string | null;
  text: TextFilters;
}

const FILTER_PARAMS = {
  filter: 'filter',
  filterout: 'filterout',
  filter_title: 'filterTitle',
  filterout_title: 'filteroutTitle',
  filter_description: 'filterDescription',
  filterout_description: 'filteroutDescription',
} as const satisfies Record<string, keyof TextFilters>;

export const ALLOWED_PARAMS: readonly string[] = [
  'limit',
  'tag',
  'lang',
  'q',
  'before',
  'format',
  ...Object.keys(FILTER_PARAMS),
  'filter_case_sensitive',
  'filter_time',
];
const ALLOWED = new Set(ALLOWED_PARAMS);

export const MAX_PATTERN = 200;
/** filter_time above 10 years is certainly a mistake. */
const MAX_FILTER_TIME = 10 * 365 * 24 * 3600;

/** A cursor as we write it: `<ms>.<id>` (ids are lowercase alphanumerics). */
const CURSOR = /^(\d{1,15})\.([a-z0-9]{1,64})$/;

export function formatCursor(ms: number, id: string | null): string {
  return id === null ? String(ms) : `${ms}.${id}`;
}

function compilePattern(param: string, pattern: string, caseSensitive: boolean): RE2JS {
  try {
    return RE2JS.compile(pattern, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    throw badRequest(
      `${param} is not a valid pattern (RE2 syntax: no backreferences or lookaround): ${(err as Error).message}`,
      {
        parameter: param,
      },
    );
  }
}

export function parseFeedQuery(url: URL, knownTags: ReadonlySet<string>): FeedQuery {
  const p = url.searchParams;
  for (const key of p.keys()) {
    if (!ALLOWED.has(key))
      throw badRequest(`unknown query parameter "${key}"`, {
        parameter: key,
        allowed: [...ALLOWED],
      });
  }
  const one = (k: string) => {
    const all = p.getAll(k);
    if (all.length > 1)
      throw badRequest(`query parameter "${k}" given more than once`, { parameter: k });
    return all[0] ?? null;
  };
  let limit: number | null = null;
  const l = one('limit');
  if (l !== null) {
    if (!/^\d{1,4}$/.test(l) || Number(l) < 1 || Number(l) > 200)
      throw badRequest('limit must be an integer from 1 to 200', { parameter: 'limit', value: l });
    limit = Number(l);
  }
  const tags = [...new Set(p.getAll('tag'))].sort();
  for (const t of tags) {
    if (!knownTags.has(t)) throw badRequest(`unknown tag "${t}"`, { parameter: 'tag', value: t });
  }
  const lang = one('lang');
  if (lang !== null && !/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(lang))
    throw badRequest('lang must be a language tag such as ar or en', {
      parameter: 'lang',
      value: lang,
    });
  const q = one('q');
  if (q !== null && (q.trim() === '' || q.length > 200))
    throw badRequest('q must be 1 to 200 characters', { parameter: 'q' });
  let before: number | null = null;
  let beforeId: string | null = null;
  const b = one('before');
  if (b !== null) {
    const m = CURSOR.exec(b);
    if (m) {
      before = Number(m[1]);
      beforeId = m[2]!;
    } else {
      before = /^\d{1,15}$/.test(b) ? Number(b) : Date.parse(b);
    }
    if (!Number.isFinite(before))
      throw badRequest('before must be a paging cursor, a timestamp in ms or an ISO date', {
        parameter: 'before',
        value: b,
      });
  }

  const cs = one('filter_case_sensitive');
  if (cs !== null && !['true', 'false', '1', '0'].includes(cs)) {
    throw badRequest('filter_case_sensitive must be true or false', {
      parameter: 'filter_case_sensitive',
      value: cs,
    });
  }
  const caseSensitive = cs === null || cs === 'true' || cs === '1';
  const text: TextFilters = {
    filter: null,
    filterout: null,
    filterTitle: null,
    filteroutTitle: null,
    filterDescription: null,
    filteroutDescription: null,
    caseSensitive,
    time: null,
  };
  for (const [param, field] of Object.entries(FILTER_PARAMS)) {
    const v = one(param);
    if (v === null) continue;
    if (v === '' || v.length > MAX_PATTERN)
      throw badRequest(`${param} must be 1 to ${MAX_PATTERN} characters`, { parameter: param });
    compilePattern(param, v, caseSensitive); // validate now: a bad pattern is the caller's error
    text[field] = v;
  }
  const ft = one('filter_time');
  if (ft !== null) {
    if (!/^\d{1,10}$/.test(ft) || Number(ft) < 1 || Number(ft) > MAX_FILTER_TIME) {
      throw badRequest(`filter_time must be a number of seconds from 1 to ${MAX_FILTER_TIME}`, {
        parameter: 'filter_time',
        value: ft,
      });
    }
    text.time = Number(ft);
  }
  return {
    limit,
    tags,
    lang: lang?.toLowerCase() ?? null,
    q: q?.trim() ?? null,
    before,
    beforeId,
    text,
  };
}

/** True when the query carries any RSSHub-style text or time filter. */
export function hasTextFilters(t: TextFilters): boolean {
  return (
    Object.keys(FILTER_PARAMS).some(
      (k) => t[FILTER_PARAMS[k as keyof typeof FILTER_PARAMS]] !== null,
    ) || t.time !== null
  );
}

export interface FilterSubject {
  title: string;
  /** Summary and text content. */
  description: string;
  publishedMs: number;
}

/** Compiles the text filters into one predicate (all given filters must hold). */
export function compileTextFilters(t: TextFilters, nowMs: number): (s: FilterSubject) => boolean {
  const re = (v: string | null) =>
    v === null ? null : compilePattern('filter', v, t.caseSensitive);
  const filter = re(t.filter);
  const filterout = re(t.filterout);
  const title = re(t.filterTitle);
  const titleOut = re(t.filteroutTitle);
  const desc = re(t.filterDescription);
  const descOut = re(t.filteroutDescription);
  const since = t.time === null ? null : nowMs - t.time * 1000;
  const found = (r: RE2JS, s: string) => r.matcher(s).find();
  return (s) => {
    if (since !== null && !(s.publishedMs > since)) return false;
    const both = `${s.title}\n${s.description}`;
    if (filter && !found(filter, both)) return false;
    if (filterout && found(filterout, both)) return false;
    if (title && !found(title, s.title)) return false;
    if (titleOut && found(titleOut, s.title)) return false;
    if (desc && !found(desc, s.description)) return false;
    if (descOut && found(descOut, s.description)) return false;
    return true;
  };
}

/**
 * The render-cache key. `filter_time` depends on the clock, so such a query's key also carries
 * the current minute: its output is at most a minute stale.
 */
export function queryKey(q: FeedQuery, nowMs: number): string {
  const t = q.text;
  return JSON.stringify([
    q.limit,
    q.tags,
    q.lang,
    q.q,
    q.before,
    q.beforeId,
    hasTextFilters(t)
      ? [
          t.filter,
          t.filterout,
          t.filterTitle,
          t.filteroutTitle,
          t.filterDescription,
          t.filteroutDescription,
          t.caseSensitive,
          t.time,
          t.time === null ? 0 : Math.floor(nowMs / 60_000),
        ]
      : 0,
  ]);
}

/** The canonical query string of `q` (with `overrides`), for self and next links. */
export function queryString(q: FeedQuery, overrides: Partial<FeedQuery> = {}): string {
  const m = { ...q, ...overrides };
  const sp = new URLSearchParams();
  if (m.limit !== null) sp.set('limit', String(m.limit));
  for (const t of m.tags) sp.append('tag', t);
  if (m.lang) sp.set('lang', m.lang);
  if (m.q) sp.set('q', m.q);
  for (const [param, field] of Object.entries(FILTER_PARAMS)) {
    const v = m.text[field];
    if (v !== null) sp.set(param, v);
  }
  if (hasTextFilters(m.text) && !m.text.caseSensitive) sp.set('filter_case_sensitive', 'false');
  if (m.text.time !== null) sp.set('filter_time', String(m.text.time));
  if (m.before !== null) sp.set('before', formatCursor(m.before, m.beforeId));
  const s = sp.toString();
  return s ? `?${s}` : '';
}
