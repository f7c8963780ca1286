// Text normalization shared by keyword matching, tagging, dedupe and query filters.
// CONTRACT.md "Keyword matching": Unicode NFKC, case-insensitive, Arabic normalization
// (drop tashkeel and tatweel; أ إ آ ٱ → ا; ى → ي; ة → ه; ؤ → و; ئ → ي; Arabic-Indic digits → ASCII).

/** Characters removed outright: invisible formatting marks, Arabic diacritics, tatweel. */
const REMOVE = new Set<number>();
/** One-character replacements. */
const REPLACE = new Map<number, string>();

function range(from: number, to: number, fn: (cp: number) => void): void {
  for (let cp = from; cp <= to; cp++) fn(cp);
}

// Invisible formatting: soft hyphen, Arabic letter mark, Mongolian vowel separator, ZWSP/ZWNJ/ZWJ/
// LRM/RLM, bidi embeddings/overrides/isolates, word joiner & invisible operators, BOM.
for (const cp of [0x00ad, 0x061c, 0x180e, 0xfeff]) REMOVE.add(cp);
range(0x200b, 0x200f, (cp) => REMOVE.add(cp));
range(0x202a, 0x202e, (cp) => REMOVE.add(cp));
range(0x2060, 0x2064, (cp) => REMOVE.add(cp));
range(0x2066, 0x2069, (cp) => REMOVE.add(cp));
// Arabic tashkeel (fathatan … sukun, maddah/hamza above/below, etc.), superscript alef,
// Quranic annotation signs, and tatweel.
range(0x064b, 0x065f, (cp) => REMOVE.add(cp));
range(0x0610, 0x061a, (cp) => REMOVE.add(cp));
range(0x06d6, 0x06dc, (cp) => REMOVE.add(cp));
range(0x06df, 0x06e8, (cp) => REMOVE.add(cp));
range(0x06ea, 0x06ed, (cp) => REMOVE.add(cp));
REMOVE.add(0x0670);
REMOVE.add(0x0640);

// Letter folding.
for (const cp of [0x0622, 0x0623, 0x0625, 0x0671]) REPLACE.set(cp, '\u0627'); // آ أ إ ٱ → ا
REPLACE.set(0x0649, '\u064a'); // ى → ي
REPLACE.set(0x0629, '\u0647'); // ة → ه
REPLACE.set(0x0624, '\u0648'); // ؤ → و
REPLACE.set(0x0626, '\u064a'); // ئ → ي
// Persian letters that Arabic-language sites often emit by keyboard accident (beyond the contract,
// harmless for Arabic): ی (farsi yeh) → ي, ک (keheh) → ك.
REPLACE.set(0x06cc, '\u064a');
REPLACE.set(0x06a9, '\u0643');
// Arabic-Indic (U+0660…) and Eastern Arabic-Indic (U+06F0…) digits → ASCII.
range(0, 9, (d) => {
  REPLACE.set(0x0660 + d, String(d));
  REPLACE.set(0x06f0 + d, String(d));
});

/** Matches every character that needs removing or replacing (built from the tables above). */
const SPECIAL = new RegExp(
  '[' + [...REMOVE, ...REPLACE.keys()].map((cp) => `\\u{${cp.toString(16)}}`).join('') + ']',
  'gu',
);

function fold(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  return REPLACE.get(cp) ?? '';
}

const SPACES = /\s+/gu;
const DOTTED_I = /i\u0307/gu;

/**
 * Normalize text for comparison: NFKC, locale-independent lower case, Arabic folding, invisible
 * formatting characters removed, whitespace collapsed to single spaces and trimmed.
 */
export function normalizeText(s: string): string {
  if (s.length === 0) return s;
  return foldText(s).replace(SPACES, ' ').trim();
}

/** `normalizeText` without the whitespace collapse: all the tokenizer needs (spaces split anyway). */
export function foldText(s: string): string {
  // NFKC also maps Arabic presentation forms (ﻻ, ﺳ …) and full-width Latin to base letters.
  // toLowerCase (unlike toLocaleLowerCase) ignores the host locale (no Turkish dotless i).
  let out = s.normalize('NFKC').toLowerCase();
  out = out.replace(SPECIAL, fold);
  // Lower-casing İ (Turkish dotted capital I) yields i + U+0307; fold it to plain i (İstanbul, İdlib).
  if (out.includes('\u0307')) out = out.replace(DOTTED_I, 'i');
  return out;
}
