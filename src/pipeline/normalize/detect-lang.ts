// Language of a text: Arabic script is counted, everything else goes to franc-min (ISO 639-3),
// mapped to ISO 639-1. 'en' only when nothing can be determined.
import { franc } from 'franc-min';

const ISO3_TO_1: Record<string, string> = {
  eng: 'en',
  fra: 'fr',
  deu: 'de',
  spa: 'es',
  por: 'pt',
  ita: 'it',
  nld: 'nl',
  rus: 'ru',
  ukr: 'uk',
  tur: 'tr',
  arb: 'ar',
  pes: 'fa',
  urd: 'ur',
  heb: 'he',
  hin: 'hi',
  cmn: 'zh',
  jpn: 'ja',
  kor: 'ko',
  pol: 'pl',
  swe: 'sv',
  dan: 'da',
  nob: 'no',
  ind: 'id',
  zlm: 'ms',
  vie: 'vi',
  ell: 'el',
  ces: 'cs',
  ron: 'ro',
  hun: 'hu',
  fin: 'fi',
  azj: 'az',
  hye: 'hy',
  kat: 'ka',
  ben: 'bn',
  bul: 'bg',
  srp: 'sr',
  hrv: 'hr',
  slk: 'sk',
  tha: 'th',
  swh: 'sw',
  som: 'so',
  amh: 'am',
  uzn: 'uz',
  kaz: 'kk',
};
const CANDIDATES = Object.keys(ISO3_TO_1);

const ARABIC_LETTER =
  /[\u0620-\u064A\u066E-\u06D3\u06FA-\u06FC\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFC]/g;
const PERSIAN_LETTER = /[پچژگ]/g;
const URDU_LETTER = /[ٹڈڑںےہ]/g;
const LETTER = /\p{L}/gu;

const count = (s: string, re: RegExp) => s.match(re)?.length ?? 0;

/**
 * The language of `text`, or null when it cannot be told: Arabic script needs only a few letters,
 * other scripts at least `minLetters` letters for the trigram model to be trusted.
 */
export function detectLangOrNull(text: string, minLetters = 0): string | null {
  const sample = text.slice(0, 3000);
  const letters = count(sample, LETTER);
  if (letters === 0) return null;
  const arabic = count(sample, ARABIC_LETTER);
  if (arabic >= 3 && arabic / letters >= 0.4) {
    if (count(sample, URDU_LETTER) >= 3) return 'ur';
    if (count(sample, PERSIAN_LETTER) >= 3) return 'fa';
    return 'ar';
  }
  if (letters < Math.max(minLetters, 10)) return null;
  const code = franc(sample, { minLength: 10, only: CANDIDATES });
  return ISO3_TO_1[code] ?? null;
}

/** The language of `text`; 'en' only when it cannot be determined. */
export function detectLang(text: string): string {
  return detectLangOrNull(text) ?? 'en';
}
