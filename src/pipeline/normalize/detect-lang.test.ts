import { describe, expect, it } from 'vitest';
import { detectLang } from './detect-lang.ts';

describe('detectLang', () => {
  it.each([
    [
      'أعلنت وزارة الدفاع الأذربيجانية اليوم عن سيطرة قواتها على عدد من القرى في إقليم قره باغ',
      'ar',
    ],
    ['عنب بلدي 2020 GPS', 'ar'],
    [
      'The government announced on Monday that the ceasefire would take effect at midnight local time.',
      'en',
    ],
    [
      'Le gouvernement a annoncé lundi que le cessez-le-feu entrerait en vigueur à minuit, heure locale.',
      'fr',
    ],
    [
      'Die Regierung kündigte am Montag an, dass die Waffenruhe um Mitternacht Ortszeit in Kraft treten werde.',
      'de',
    ],
    ['این یک متن فارسی است که درباره گزارش‌های خبری و چگونگی پژوهش نوشته شده', 'fa'],
    ['', 'en'],
    ['12345 !!!', 'en'],
  ])('%s -> %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang);
  });
});
