import { describe, it, expect } from 'vitest';
import { tokenize } from './tokenize.ts';

describe('tokenize', () => {
  it.each([
    ['Arabic words and punctuation', 'قال أردوغان، "السوريون" (أي أذربيجان).', ['قال', 'اردوغان', 'السوريون', 'اي', 'اذربيجان']],
    ['Latin, hyphen splits', 'Nagorno-Karabakh war', ['nagorno', 'karabakh', 'war']],
    ['possessive s dropped', "Iran's and Turkey’s", ['iran', 'and', 'turkey']],
    ['digits kept', 'في 26 من أيلول ٢٠٢٠', ['في', '26', 'من', 'ايلول', '2020']],
    ['Cyrillic', 'Москва, Баку!', ['москва', 'баку']],
    ['CJK split per character', '北京大学 Tokyo', ['北', '京', '大', '学', 'tokyo']],
    ['diacritics do not split Arabic words', 'مُقاتِلينَ سوريّين', ['مقاتلين', 'سوريين']],
    ['nothing word-like', ' — … !! ', []],
  ])('%s', (_name, input, expected) => {
    expect(tokenize(input)).toEqual(expected);
  });
});
