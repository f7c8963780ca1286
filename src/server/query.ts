// Feed query parameters: each one validated (a bad value is a 400 with a JSON error naming the
// parameter) into a canonical form, which is also the render-cache key.
//
// Our own names: limit, tag (repeatable, all-of), lang, q (keyword match), before (paging cursor),
// format (rss | atom | json: must agree with the URL's extension, as RSSHub's `format` names the
// output). RSSHub's filter names with RSSHub's semantics (curate/filters.ts) and `sorted`
// (true | false), so existing subscribers' URLs keep working. Patterns are limited to 200
// characters; one RE2 cannot compile is a 400.
import type { OutputFormat } from '../domain/types.ts';
import { badRequest } from './http-error.ts';
import {
  compilePattern,
  FILTER_PARAMS,
  hasTextFilters,
  NO_TEXT_FILTERS,
  PatternError,
} from '../curate/filters.ts';
import type { TextFilters } from '../curate/filters.ts';
import type { PageQuery } from '../curate/page.ts';

export type { TextFilters };
export type FeedQuery = PageQuery;

export const ALLOWED_PARAMS: readonly string[] = [
  'limit',
  'tag',
  'lang',
  'q',
  'before',
  'format',
  'sorted',
  ...Object.keys(FILTER_PARAMS),
  'filter_case_sensitive',
  'filter_time',
];
const ALLOWED = new Set(ALLOWED_PARAMS);
const FORMATS: readonly OutputFormat[] = ['rss', 'atom', 'json'];

export const MAX_PATTERN = 200;
/** filter_time above 10 years is certainly a mistake. */
const MAX_FILTER_TIME = 10 * 365 * 24 * 3600;

/** A cursor as we write it: `<ms>.<id>` (ids are lowercase alphanumerics). */
const CURSOR = /^(\d{1,15})\.([a-z0-9]{1,64})$/;

export function formatCursor(ms: number, id: string | null): string {
  return id === null ? String(ms) : `${ms}.${id}`;
}

/** `format`: the output the URL's extension names; a `format` parameter must agree with it. */
export function parseFeedQuery(
  url: URL,
  knownTags: ReadonlySet<string>,
  format: OutputFormat | null = null,
): FeedQuery {
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

  const f = one('format');
  if (f !== null) {
    if (!FORMATS.includes(f as OutputFormat))
      throw badRequest('format must be rss, atom or json', { parameter: 'format', value: f });
    if (format !== null && f !== format)
      throw badRequest(
        `format=${f} contradicts the URL's .${format} extension: use the .${f} URL instead`,
        { parameter: 'format', value: f },
      );
  }
  const so = one('sorted');
  if (so !== null && so !== 'true' && so !== 'false')
    throw badRequest('sorted must be true or false', { parameter: 'sorted', value: so });

  // RSSHub: only the exact value "false" turns case sensitivity off; anything else but "true" is
  // a mistake we name rather than guess at.
  const cs = one('filter_case_sensitive');
  if (cs !== null && cs !== 'true' && cs !== 'false') {
    throw badRequest('filter_case_sensitive must be true or false', {
      parameter: 'filter_case_sensitive',
      value: cs,
    });
  }
  const caseSensitive = cs !== 'false';
  const text: TextFilters = { ...NO_TEXT_FILTERS, caseSensitive };
  for (const [param, field] of Object.entries(FILTER_PARAMS)) {
    const v = one(param);
    if (v === null) continue;
    if (v === '' || v.length > MAX_PATTERN)
      throw badRequest(`${param} must be 1 to ${MAX_PATTERN} characters`, { parameter: param });
    try {
      compilePattern(param, v, caseSensitive); // validate now: a bad pattern is the caller's error
    } catch (err) {
      if (err instanceof PatternError) throw badRequest(err.message, { parameter: param });
      throw err;
    }
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
    sorted: so === null ? null : so === 'true',
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
    q.sorted,
    hasTextFilters(t)
      ? [
          ...Object.values(FILTER_PARAMS).map((f) => t[f]),
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
  if (m.sorted !== null) sp.set('sorted', String(m.sorted));
  if (m.before !== null) sp.set('before', formatCursor(m.before, m.beforeId));
  const s = sp.toString();
  return s ? `?${s}` : '';
}
