import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenize, tokenizeNormalized } from './tokenize.ts';
import { normalizeText } from './normalize.ts';

describe('tokenize', () => {
  it.each([
    [
      'Arabic words and punctuation',
      'قال أردوغان، "السوريون" (أي أذربيجان).',
      ['قال', 'اردوغان', 'السوريون', 'اي', 'اذربيجان'],
    ],
    ['Latin, hyphen splits', 'Nagorno-Karabakh war', ['nagorno', 'karabakh', 'war']],
    ['possessive s dropped', "Iran's and Turkey’s", ['iran', 'and', 'turkey']],
    ['possessive only at a word end, after a letter', "it'sy 5's x's", ['it', 'sy', '5', 's', 'x']],
    ['digits kept', 'في 26 من أيلول ٢٠٢٠', ['في', '26', 'من', 'ايلول', '2020']],
    ['Cyrillic', 'Москва, Баку!', ['москва', 'баку']],
    ['CJK split per character', '北京大学 Tokyo', ['北', '京', '大', '学', 'tokyo']],
    ['CJK inside a Latin run', 'abc北京def', ['abc', '北', '京', 'def']],
    ['astral letters and emoji', '𐌰𐌱 😀 x', ['𐌰𐌱', 'x']],
    ['diacritics do not split Arabic words', 'مُقاتِلينَ سوريّين', ['مقاتلين', 'سوريين']],
    ['nothing word-like', ' — … !! ', []],
  ])('%s', (_name, input, expected) => {
    expect(tokenize(input)).toEqual(expected);
  });
});

/** The definition the one-pass tokenizer implements, as three regex passes (its earlier form). */
function reference(normalized: string): string[] {
  const parts = normalized
    .replace(/(?<=\p{L})['’]s(?![\p{L}\p{M}\p{N}])/gu, '')
    .split(/[^\p{L}\p{M}\p{N}]+/u);
  const out: string[] = [];
  for (const part of parts) {
    if (part.length === 0) continue;
    if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(part)) {
      for (const piece of part.split(/([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/u))
        if (piece.length > 0) out.push(piece);
    } else out.push(part);
  }
  return out;
}

describe('tokenizeNormalized', () => {
  it('gives exactly the regex definition on the real-world corpus and the seed article', () => {
    const dir = join(import.meta.dirname, '..', '..', 'tests', 'fixtures');
    const texts = [
      readFileSync(join(dir, 'seed-article-ar.txt'), 'utf8'),
      ...readdirSync(join(dir, 'corpus')).map((f) => readFileSync(join(dir, 'corpus', f), 'utf8')),
    ];
    let tokens = 0;
    for (const t of texts) {
      const n = normalizeText(t);
      const got = tokenizeNormalized(n);
      expect(got).toEqual(reference(n));
      tokens += got.length;
    }
    expect(tokens).toBeGreaterThan(100_000);
  });
});
