// Source ids derived from titles (a source added without an id, OPML import). Ids follow the
// config's rule, `[a-z0-9-]+` (config/schema.ts), so a title in Arabic script is transliterated
// to Latin letters first with the small table below; what is left of other scripts is dropped.
// A title that gives fewer than 3 characters falls back to the feed's host name, then to
// `source-<short hash>`. `uniqueId` adds -2, -3, … when an id is taken.
import { createHash } from 'node:crypto';

/**
 * Arabic script → Latin, one letter at a time, after the usual romanizations of news-site
 * names (al-Jazeera, Enab Baladi): consonants only, since short vowels are not written.
 * ع and ء leave nothing but ع starts a word with "a"; و and ي are handled by `vowelish`.
 */
const LETTERS: Record<string, string> = {
  ا: 'a',
  أ: 'a',
  إ: 'i',
  آ: 'a',
  ٱ: 'a',
  ى: 'a',
  ة: 'a',
  ۀ: 'a',
  ء: '',
  ؤ: 'u',
  ئ: 'i',
  ب: 'b',
  ت: 't',
  ث: 'th',
  ج: 'j',
  ح: 'h',
  خ: 'kh',
  د: 'd',
  ذ: 'dh',
  ر: 'r',
  ز: 'z',
  س: 's',
  ش: 'sh',
  ص: 's',
  ض: 'd',
  ط: 't',
  ظ: 'z',
  ع: '',
  غ: 'gh',
  ف: 'f',
  ق: 'q',
  ك: 'k',
  ل: 'l',
  م: 'm',
  ن: 'n',
  ه: 'h',
  // Persian and Urdu letters met in the same feeds.
  پ: 'p',
  چ: 'ch',
  ژ: 'zh',
  گ: 'g',
  ک: 'k',
};

/** و and ي: a consonant (w, y) at a word's start, after an alef or before one (or ة, ى); else a vowel (u, i). */
const VOWELISH: Record<string, [consonant: string, vowel: string]> = {
  و: ['w', 'u'],
  ي: ['y', 'i'],
  ی: ['y', 'i'],
};
const LONG_A = new Set(['ا', 'أ', 'إ', 'آ', 'ى', 'ة']);
const isArabicLetter = (ch: string | undefined) => !!ch && /[\u0620-\u064a\u066e-\u06d3]/.test(ch);

/** Arabic-script letters of `text` in Latin letters (other characters kept as they are). */
export function transliterateArabic(text: string): string {
  // Tashkeel, Quranic marks and tatweel carry no letters; Arabic-Indic digits are digits.
  const chars = [
    ...text
      .replace(/[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/g, '')
      .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
      .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0)),
  ];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const prev = chars[i - 1];
    const next = chars[i + 1];
    const atStart = !isArabicLetter(prev);
    if (ch === 'ع') {
      out += atStart ? 'a' : '';
      continue;
    }
    const vw = VOWELISH[ch];
    if (vw) {
      const consonant = atStart || prev === 'ا' || (next !== undefined && LONG_A.has(next));
      out += consonant ? vw[0] : vw[1];
      continue;
    }
    out += LETTERS[ch] ?? ch;
  }
  return out;
}

/** `[a-z0-9-]` only, dashes between words, none at either end, at most `max` characters. */
export function slugify(text: string, max = 48): string {
  return transliterateArabic(text)
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

/** An id for a source from its title, else its feed URL's host, else `source-<short hash>`. */
export function sourceSlug(title: string | null | undefined, feedUrl: string): string {
  const fromTitle = slugify(title ?? '');
  if (fromTitle.length >= 3) return fromTitle;
  let fromHost = '';
  try {
    fromHost = slugify(new URL(feedUrl).hostname.replace(/^www\./, ''));
  } catch {
    // not a URL: the hash below
  }
  if (fromHost.length >= 3) return fromHost;
  const hash = createHash('sha256')
    .update(`${title ?? ''}\n${feedUrl}`)
    .digest('hex')
    .slice(0, 8);
  return `source-${hash}`;
}

/** `base`, or `base-2`, `base-3`, … : the first not in `taken`. */
export function uniqueId(base: string, taken: { has(id: string): boolean }): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}
