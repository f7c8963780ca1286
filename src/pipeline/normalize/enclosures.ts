// An item's enclosures as the article keeps them: every one the feed gave (RSS `enclosure`, Atom
// `link rel=enclosure`, `media:content` alone or in a `media:group`, JSON Feed attachments), in
// source order, absolute http(s) URLs, one per URL. A URL given twice (an RSS enclosure and a
// media:content of the same file, as podcast feeds do) is one enclosure that keeps what either
// said about it (type, length, duration). Thumbnails are the item's image, not enclosures.
import type { Enclosure, RawMedia } from '../../domain/types.ts';

const MIME = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

function absolute(url: string, base: string | null): string | null {
  try {
    const u = new URL(url.trim(), base ?? undefined);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

const positive = (n: number | null | undefined): number | null =>
  typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n) : null;

export function enclosuresOf(media: readonly RawMedia[], base: string | null): Enclosure[] {
  const out: Enclosure[] = [];
  const byUrl = new Map<string, Enclosure>();
  for (const m of media) {
    const url = absolute(m.url, base);
    if (url === null) continue;
    const type = m.type && MIME.test(m.type.trim()) ? m.type.trim() : null;
    const length = positive(m.length);
    const durationSeconds = positive(m.duration);
    const seen = byUrl.get(url);
    if (seen) {
      seen.type ??= type;
      seen.length ??= length;
      seen.durationSeconds ??= durationSeconds;
      continue;
    }
    const e: Enclosure = { url, type, length, durationSeconds };
    byUrl.set(url, e);
    out.push(e);
  }
  return out;
}
