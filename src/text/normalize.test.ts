import { describe, it, expect } from 'vitest';
import { normalizeText } from './normalize.ts';

describe('normalizeText', () => {
  it.each([
    ['NFKC + lower case', 'ＩＲＡＮ Syria', 'iran syria'],
    ['Turkish dotted capital I', 'İstanbul İdlib', 'istanbul idlib'],
    ['hamza forms أ إ آ ٱ → ا', 'أذربيجان إيران آسيا ٱلله', 'اذربيجان ايران اسيا الله'],
    ['ى → ي', 'موسى مستشفى', 'موسي مستشفي'],
    ['ة → ه', 'الحكومة السورية', 'الحكومه السوريه'],
    ['ؤ → و and ئ → ي', 'مؤتمر رئيس', 'موتمر رييس'],
    ['tashkeel dropped', 'السَّلامُ عَلَيْكُمْ', 'السلام عليكم'],
    ['tatweel dropped', 'سوريـــا', 'سوريا'],
    ['Arabic-Indic digits', '٢٠٢٠/١٠/١٩', '2020/10/19'],
    ['Eastern Arabic-Indic digits', '۱۲۳', '123'],
    ['invisible marks removed', 'سو\u200cريا\u200f \u200dx\uFEFFy\u00ad', 'سوريا xy'],
    ['whitespace collapsed', '  a \t\n b\u00a0 c  ', 'a b c'],
    ['presentation forms (NFKC)', '\uFEFB', 'لا'],
    ['empty', '', ''],
  ])('%s', (_name, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('is idempotent', () => {
    const s = 'المقاتلون السوريون في أذربيجانَ — Nagorno-Karabakh’s ١٢';
    expect(normalizeText(normalizeText(s))).toBe(normalizeText(s));
  });
});
