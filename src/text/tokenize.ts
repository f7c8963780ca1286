// Word tokens for matching and fingerprinting. Regex `\b` knows only ASCII word characters, so it
// cannot find Arabic word boundaries; we split on anything that is not a letter, mark or digit.
import { foldText } from './normalize.ts';

/** Characters of a word: letters, marks, digits (the Unicode classes L, M, N). */
const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
const LETTER = /\p{L}/u;
/** Scripts written without spaces between words: each character becomes its own token, so a
 * keyword like 北京 matches as the two-"word" sequence 北 京. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

const SEP = 0;
const LETTER_CH = 1;
const OTHER_WORD_CH = 2; // mark or digit
const UNSPACED_CH = 3; // a letter, but a token of its own

function classify(ch: string): number {
  if (!WORD_CHAR.test(ch)) return SEP;
  if (UNSPACED.test(ch)) return UNSPACED_CH;
  return LETTER.test(ch) ? LETTER_CH : OTHER_WORD_CH;
}

/**
 * Class of every BMP code unit: ~65k regex tests, ~20 ms, so built on the first tokenize call
 * rather than at import (a process that never tokenizes, or a CLI command, does not pay it).
 */
let bmp: Uint8Array | null = null;
function bmpClasses(): Uint8Array {
  if (bmp) return bmp;
  const t = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++)
    if (c < 0xd800 || c > 0xdfff) t[c] = classify(String.fromCharCode(c));
  return (bmp = t);
}

const APOSTROPHE = 0x27;
const RIGHT_QUOTE = 0x2019;
const LOWER_S = 0x73;

/**
 * Tokens of already-normalized text (see `normalizeText`): maximal runs of letters, marks and
 * digits, split on anything else; a Latin possessive `'s` / `’s` after a letter and ending the
 * word is dropped ("Iran's" gives "iran"); Han, Hiragana and Katakana characters are tokens of
 * their own. One pass over the string with a code-unit table (three regex passes before: the
 * largest cost of tagging and fingerprinting).
 */
export function tokenizeNormalized(normalized: string): string[] {
  const classes = bmpClasses();
  const out: string[] = [];
  const n = normalized.length;
  let start = -1;
  let prev = SEP;
  for (let i = 0; i < n;) {
    const code = normalized.charCodeAt(i);
    let width = 1;
    let cls: number;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < n) {
      const cp = normalized.codePointAt(i) as number;
      width = cp > 0xffff ? 2 : 1;
      cls = width === 2 ? classify(String.fromCodePoint(cp)) : SEP;
    } else {
      cls = classes[code] as number;
    }
    if (cls === SEP) {
      if (
        (code === APOSTROPHE || code === RIGHT_QUOTE) &&
        (prev === LETTER_CH || prev === UNSPACED_CH) &&
        normalized.charCodeAt(i + 1) === LOWER_S &&
        !isWordAt(normalized, i + 2)
      ) {
        // Possessive: the word ends before the apostrophe; the s goes with it.
        if (start >= 0) out.push(normalized.slice(start, i));
        start = -1;
        prev = SEP;
        i += 2;
        continue;
      }
      if (start >= 0) out.push(normalized.slice(start, i));
      start = -1;
    } else if (cls === UNSPACED_CH) {
      if (start >= 0) out.push(normalized.slice(start, i));
      out.push(normalized.slice(i, i + width));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
    prev = cls;
    i += width;
  }
  if (start >= 0) out.push(normalized.slice(start));
  return out;
}

function isWordAt(s: string, i: number): boolean {
  if (i >= s.length) return false;
  const code = s.charCodeAt(i);
  if (code >= 0xd800 && code <= 0xdbff)
    return classify(String.fromCodePoint(s.codePointAt(i) as number)) !== SEP;
  return bmpClasses()[code] !== SEP;
}

/** Normalized word tokens of `s` (Latin, Arabic, Cyrillic, CJK …), in order. */
export function tokenize(s: string): string[] {
  return tokenizeNormalized(foldText(s));
}

/** An article's word tokens, computed once and shared by tagging, fingerprinting and curation. */
export interface ArticleTokens {
  title: string[];
  summary: string[];
  text: string[];
}

export function articleTokens(a: { title: string; summary: string; text: string }): ArticleTokens {
  return { title: tokenize(a.title), summary: tokenize(a.summary), text: tokenize(a.text) };
}
