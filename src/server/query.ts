// Feed query parameters: validated into a canonical form (also the render-cache key).
import { badRequest } from './http-error.ts';

export interface FeedQuery {
  limit: number | null;
  tags: string[];
  lang: string | null;
  q: string | null;
  before: number | null;
}

const ALLOWED = new Set(['limit', 'tag', 'lang', 'q', 'before', 'format']);

export function parseFeedQuery(url: URL, knownTags: ReadonlySet<string>): FeedQuery {
  const p = url.searchParams;
  for (const key of p.keys()) {
    if (!ALLOWED.has(key)) throw badRequest(`unknown query parameter "${key}"`, { parameter: key, allowed: [...ALLOWED] });
  }
  const one = (k: string) => {
    const all = p.getAll(k);
    if (all.length > 1) throw badRequest(`query parameter "${k}" given more than once`, { parameter: k });
    return all[0] ?? null;
  };
  let limit: number | null = null;
  const l = one('limit');
  if (l !== null) {
    if (!/^\d{1,4}$/.test(l) || Number(l) < 1 || Number(l) > 200) throw badRequest('limit must be an integer from 1 to 200', { parameter: 'limit', value: l });
    limit = Number(l);
  }
  const tags = [...new Set(p.getAll('tag'))].sort();
  for (const t of tags) {
    if (!knownTags.has(t)) throw badRequest(`unknown tag "${t}"`, { parameter: 'tag', value: t });
  }
  const lang = one('lang');
  if (lang !== null && !/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(lang)) throw badRequest('lang must be a language tag such as ar or en', { parameter: 'lang', value: lang });
  const q = one('q');
  if (q !== null && (q.trim() === '' || q.length > 200)) throw badRequest('q must be 1 to 200 characters', { parameter: 'q' });
  let before: number | null = null;
  const b = one('before');
  if (b !== null) {
    before = /^\d{1,15}$/.test(b) ? Number(b) : Date.parse(b);
    if (!Number.isFinite(before)) throw badRequest('before must be a timestamp in ms or an ISO date', { parameter: 'before', value: b });
  }
  return { limit, tags, lang: lang?.toLowerCase() ?? null, q: q?.trim() ?? null, before };
}

export function queryKey(q: FeedQuery): string {
  return JSON.stringify([q.limit, q.tags, q.lang, q.q, q.before]);
}

export function queryString(q: FeedQuery, overrides: Partial<FeedQuery> = {}): string {
  const m = { ...q, ...overrides };
  const sp = new URLSearchParams();
  if (m.limit !== null) sp.set('limit', String(m.limit));
  for (const t of m.tags) sp.append('tag', t);
  if (m.lang) sp.set('lang', m.lang);
  if (m.q) sp.set('q', m.q);
  if (m.before !== null) sp.set('before', String(m.before));
  const s = sp.toString();
  return s ? `?${s}` : '';
}
