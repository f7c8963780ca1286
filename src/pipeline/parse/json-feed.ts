// JSON Feed 1.0 / 1.1 (https://jsonfeed.org) into RawFeed: JSON.parse plus validation, no XML.
import { FeedError } from '../../domain/errors.ts';
import type { RawFeed, RawItem, RawMedia } from '../../domain/types.ts';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function abs(ref: string | null, base: string | null): string | null {
  if (!ref) return null;
  try {
    return new URL(ref, base ?? undefined).href;
  } catch {
    return ref;
  }
}

function lang(v: unknown): string | null {
  const t = s(v)?.toLowerCase().replace(/_/g, '-');
  return t && /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(t) ? t : null;
}

const escapeHtml = (t: string) =>
  t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function textToHtml(t: string): string {
  return t
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

function author(item: Obj): string | null {
  const names: string[] = [];
  if (Array.isArray(item.authors)) {
    for (const a of item.authors) if (isObj(a) && s(a.name)) names.push(s(a.name) as string);
  }
  if (names.length === 0 && isObj(item.author) && s(item.author.name))
    names.push(s(item.author.name) as string);
  return names.length ? names.join(', ') : null;
}

/** True when `text` is a JSON object declaring a JSON Feed version. */
export function isJsonFeedVersion(v: unknown): boolean {
  return (
    typeof v === 'string' && /^https?:\/\/jsonfeed\.org\/version\/1(\.\d+)?\/?$/.test(v.trim())
  );
}

export function parseJsonFeed(text: string, docUrl: string | null): RawFeed {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new FeedError('parse', `invalid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!isObj(data) || !isJsonFeedVersion(data.version)) {
    throw new FeedError('not-a-feed', 'JSON document is not a JSON Feed (no jsonfeed.org version)');
  }
  if (!Array.isArray(data.items)) throw new FeedError('parse', 'JSON Feed has no "items" array');
  const feedUrl = s(data.feed_url);
  const base = docUrl ?? feedUrl;
  const feedLang = lang(data.language);

  const items: RawItem[] = [];
  for (const raw of data.items) {
    if (!isObj(raw)) continue;
    const id = typeof raw.id === 'number' ? String(raw.id) : s(raw.id);
    const contentHtml =
      s(raw.content_html) ??
      (s(raw.content_text) ? textToHtml(s(raw.content_text) as string) : null);
    const enclosures: RawMedia[] = [];
    if (Array.isArray(raw.attachments)) {
      for (const a of raw.attachments) {
        const url = isObj(a) ? abs(s(a.url), base) : null;
        if (!url || !isObj(a)) continue;
        const type = s(a.mime_type);
        enclosures.push({
          url,
          type,
          medium: type ? (type.split('/')[0] ?? null) : null,
          width: null,
          height: null,
          length: n(a.size_in_bytes),
          ...(n(a.duration_in_seconds) ? { duration: n(a.duration_in_seconds) } : {}),
        });
      }
    }
    const media: RawMedia[] = [];
    for (const key of ['image', 'banner_image']) {
      const url = abs(s(raw[key]), base);
      if (url)
        media.push({ url, type: null, medium: 'image', width: null, height: null, length: null });
    }
    const tags = Array.isArray(raw.tags)
      ? raw.tags.map(s).filter((t): t is string => t !== null)
      : [];
    items.push({
      guid: id,
      link: abs(s(raw.url) ?? s(raw.external_url), base),
      title: s(raw.title),
      published: s(raw.date_published),
      updated: s(raw.date_modified),
      author: author(raw) ?? author(data),
      summary:
        s(raw.summary) ??
        (s(raw.content_text) && !s(raw.content_html) ? s(raw.content_text) : null),
      contentHtml,
      baseUrl: null,
      categories: [...new Set(tags)],
      enclosures,
      media,
      lang: lang(raw.language),
    });
  }
  return {
    format: 'json',
    title: s(data.title),
    link: abs(s(data.home_page_url), base),
    description: s(data.description),
    lang: feedLang,
    baseUrl: docUrl ?? feedUrl,
    image: abs(s(data.icon) ?? s(data.favicon), base),
    ttlMinutes: null,
    updatePeriodMinutes: null,
    items,
    repaired: false,
  };
}
