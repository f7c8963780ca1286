import { describe, expect, it } from 'vitest';
import { DATE_FORMS, UNREADABLE } from '../../../tests/fixtures/date-forms.ts';
import { isUnreadableDate, parseFeedDate } from './feed-date.ts';

const NOW = new Date('2024-06-01T12:00:00Z');

const TABLE: [string | null, string | null][] = [
  // RFC 822 / 2822
  ['Mon, 19 Oct 2020 17:04:00 GMT', '2020-10-19T17:04:00.000Z'],
  ['Mon, 19 Oct 2020 17:04:00 +0300', '2020-10-19T14:04:00.000Z'],
  ['19 Oct 2020 17:04:00 +0000', '2020-10-19T17:04:00.000Z'],
  ['Mon, 19 Oct 20 17:04:00 GMT', '2020-10-19T17:04:00.000Z'],
  ['Tue, 05 Jan 99 08:00 EST', '1999-01-05T13:00:00.000Z'],
  ['Mon, 19 Oct 2020 17:04:00 EDT', '2020-10-19T21:04:00.000Z'],
  ['Mon, 19 Oct 2020 17:04:00 PST', '2020-10-20T01:04:00.000Z'],
  ['Mon, 19 Oct 2020 17:04:00 CEST', '2020-10-19T15:04:00.000Z'],
  ['Mon, 19 Oct 2020 17:04:00 UT', '2020-10-19T17:04:00.000Z'],
  ['Mon, 19 Oct 2020 17:04:00', '2020-10-19T17:04:00.000Z'],
  ['Mon, 19 Oct 2020 17:04:00 +03:00', '2020-10-19T14:04:00.000Z'],
  ['Monday, 19 October 2020 17:04:00 -0500', '2020-10-19T22:04:00.000Z'],
  ['Mon, 9 Oct 2020 7:04:00 GMT', '2020-10-09T07:04:00.000Z'],
  ['19 Oct 2020', '2020-10-19T00:00:00.000Z'],
  // ISO 8601
  ['2020-10-19T17:04:00Z', '2020-10-19T17:04:00.000Z'],
  ['2020-10-19T17:04:00.123+02:00', '2020-10-19T15:04:00.123Z'],
  ['2020-10-19T17:04:00', '2020-10-19T17:04:00.000Z'],
  ['2020-10-19 17:04', '2020-10-19T17:04:00.000Z'],
  ['2020-10-19', '2020-10-19T00:00:00.000Z'],
  ['2020-10-19T17:04:00-0430', '2020-10-19T21:34:00.000Z'],
  // Arabic-Indic digits
  ['٢٠٢٠-١٠-١٩T١٧:٠٤:٠٠Z', '2020-10-19T17:04:00.000Z'],
  ['۲۰۲۰-۱۰-۱۹T۱۷:۰۴:۰۰Z', '2020-10-19T17:04:00.000Z'],
  // Other spellings Date can read
  ['Mon Oct 19 2020 17:04:00 GMT+0000', '2020-10-19T17:04:00.000Z'],
  // Nonsense
  ['not a date', null],
  ['', null],
  [null, null],
  ['2020-13-45T99:99:99Z', null],
  ['31 Feb 2020 10:00:00 GMT', null],
  ['Mon, 19 Foo 2020 17:04:00 GMT', null],
  ['0001-01-01T00:00:00Z', null],
  ['12', null],
  // Future: clamped to now
  ['2099-01-01T00:00:00Z', NOW.toISOString()],
  ['Fri, 01 Jan 2100 00:00:00 GMT', NOW.toISOString()],
];

describe('parseFeedDate', () => {
  it.each(TABLE)('%s -> %s', (input, expected) => {
    const d = parseFeedDate(input, NOW);
    expect(d === null ? null : d.toISOString()).toBe(expected);
  });
});

describe('parseFeedDate: dates as outlets write them, every language', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  it.each(DATE_FORMS.map((f) => [f.lang, f.input, f.expected, f.hint ?? null] as const))(
    '[%s] %s -> %s',
    (_lang, input, expected, hint) => {
      expect(parseFeedDate(input, now, { lang: hint })?.toISOString() ?? null).toBe(expected);
    },
  );

  it('holds at least 40 Arabic forms and 5 of every other language', () => {
    const per = new Map<string, number>();
    for (const f of DATE_FORMS) per.set(f.lang, (per.get(f.lang) ?? 0) + 1);
    expect(per.get('ar')).toBeGreaterThanOrEqual(40);
    for (const l of ['en', 'pt', 'es', 'fr', 'de', 'it', 'ru', 'tr', 'fa', 'ur', 'id'])
      expect(per.get(l) ?? 0, l).toBeGreaterThanOrEqual(5);
  });

  it.each(UNREADABLE)('%s is unreadable, not now', (input) => {
    expect(parseFeedDate(input, now)).toBeNull();
    expect(isUnreadableDate(input, now)).toBe(true);
  });

  it('an absent date is not an unreadable one', () => {
    for (const s of [null, undefined, '', '   ']) expect(isUnreadableDate(s, now)).toBe(false);
  });

  it('AST is Arabia time in Arabic, Atlantic time otherwise', () => {
    const s = 'Wed, 02 Dec 2026 08:00:00 AST';
    expect(parseFeedDate(s, now, { lang: 'ar' })!.toISOString()).toBe('2026-12-02T05:00:00.000Z');
    expect(parseFeedDate(s, now, { lang: 'en' })!.toISOString()).toBe('2026-12-02T12:00:00.000Z');
  });

  it('a bare 14xx year is solar only in a Persian feed', () => {
    expect(parseFeedDate('1405/09/08', now, { lang: 'fa' })!.toISOString()).toBe(
      '2026-11-29T00:00:00.000Z',
    );
    expect(parseFeedDate('1405/09/08', now)).toBeNull();
  });
});

describe('parseFeedDate: Persian solar and Hijri calendars', () => {
  const now = new Date('2040-01-01T00:00:00Z');
  const parts = (cal: string, t: number) => {
    const f = new Intl.DateTimeFormat(`en-u-ca-${cal}`, {
      timeZone: 'UTC',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    return `${parseInt(p.year!, 10)}/${p.month}/${p.day}`;
  };

  it('reads back every 9th day of 2000-2035 as Intl writes it (solar in a Persian feed; Hijri with هـ)', () => {
    const wrong: string[] = [];
    for (let t = Date.UTC(2000, 0, 1); t < Date.UTC(2036, 0, 1); t += 9 * 86_400_000) {
      const day = new Date(t).toISOString();
      const solar = parts('persian', t);
      const hijri = `${parts('islamic-umalqura', t)} هـ`;
      if (parseFeedDate(solar, now, { lang: 'fa' })?.toISOString() !== day) wrong.push(solar);
      if (parseFeedDate(hijri, now)?.toISOString() !== day) wrong.push(hijri);
    }
    expect(wrong).toEqual([]);
  });

  it('reads the leap day of the solar year (30 Esfand)', () => {
    expect(parseFeedDate('1403/12/30', now, { lang: 'fa' })?.toISOString()).toBe(
      '2025-03-20T00:00:00.000Z',
    );
    expect(parseFeedDate('۳۰ اسفند ۱۳۹۹', now)?.toISOString()).toBe('2021-03-20T00:00:00.000Z');
  });

  it('rejects days the calendar does not have', () => {
    expect(parseFeedDate('1405/12/31', now, { lang: 'fa' })).toBeNull();
    expect(parseFeedDate('1448/01/31 هـ', now)).toBeNull();
  });
});

describe('parseFeedDate: any mix of date parts', () => {
  it('never throws and never answers a time after now (20,000 generated strings)', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const parts = [
      '1',
      '29',
      '2026',
      '99999999',
      '1448',
      '1405',
      '0300',
      '12:30',
      '25:61',
      '۱۴۰۵',
      '٢٩',
      'فروردین',
      'محرم',
      'هـ',
      'نوفمبر',
      'كانون',
      'الثاني',
      'الموافق',
      'م',
      'ص',
      'ت.غ',
      'Nov',
      'mar',
      'Sept.',
      'pm',
      'h',
      'GMT',
      'AST',
      'T',
      'Z',
      ':',
      '/',
      '-',
      '+',
      '.',
      ',',
      '،',
      '(',
      ')',
      ' ',
    ];
    let seed = 42; // xorshift32: the same strings every run
    const rnd = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let read = 0;
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      for (let j = 1 + rnd(8); j > 0; j--) s += parts[rnd(parts.length)]! + (rnd(2) ? ' ' : '');
      const d = parseFeedDate(s, now);
      if (d) {
        read++;
        expect(d.getTime(), s).toBeLessThanOrEqual(now.getTime());
      }
    }
    expect(read).toBeGreaterThan(0); // the generator does produce dates
  });
});
