// Word tokens for matching and fingerprinting. Regex `\b` knows only ASCII word characters, so it
// cannot find Arabic word boundaries; we split on anything that is not a letter, mark or digit.
import { normalizeText } from './normalize.ts';

/** Latin possessive `'s` / `’s` at the end of a word: dropped so "Iran's" gives the token "iran". */
const POSSESSIVE = /(?<=\p{L})['’]s(?![\p{L}\p{M}\p{N}])/gu;
/** Runs of non-word characters. */
const SEPARATORS = /[^\p{L}\p{M}\p{N}]+/u;
/** Scripts written without spaces between words: each character becomes its own token, so a
 * keyword like 北京 matches as the two-"word" sequence 北 京. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const UNSPACED_CHAR = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/u;

/** Tokens of already-normalized text (see `normalizeText`). */
export function tokenizeNormalized(normalized: string): string[] {
  const parts = normalized.replace(POSSESSIVE, '').split(SEPARATORS);
  const out: string[] = [];
  for (const part of parts) {
    if (part.length === 0) continue;
    if (UNSPACED.test(part)) {
      for (const piece of part.split(UNSPACED_CHAR)) if (piece.length > 0) out.push(piece);
    } else {
      out.push(part);
    }
  }
  return out;
}

/** Normalized word tokens of `s` (Latin, Arabic, Cyrillic, CJK …), in order. */
export function tokenize(s: string): string[] {
  return tokenizeNormalized(normalizeText(s));
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
