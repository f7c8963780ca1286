// Feed dates in the forms outlets write them, one table-driven reader for every language:
// ISO 8601 / RFC 3339 / W3CDTF (partials too), RFC 822/1123 (named zones, 2-digit years), and
// "day month year [time] [zone]" in any order with month and weekday names from `date-words.ts`
// (ar with its Levantine and Maghrebi months, en, pt, es, fr, de, it, ru, tr, fa, ur, id),
// numeric dates (`29/11/2026`, `24.09.2018`, Drupal's `Sun, 11/29/2026 - 22:30`), Arabic-Indic and
// Persian digits, ص/م and AM/PM, `GMT+3`, `+03:00`, Persian solar and Hijri (Umm al-Qura) dates.
// No zone: UTC. No time: midnight that day. Nonsense -> null; future dates clamp to `now`.
import { dateWord, foldDateText, type DateWord } from './date-words.ts';

export interface DateHints {
  /** The item's, feed's or source's language: `ar` reads AST as Arabia time, `fa` a bare 13xx/14xx year as solar. */
  lang?: string | null;
}

type Calendar = 'gregory' | 'persian' | 'islamic';

function offsetMinutes(sign: string, h: number, m: number): number | null {
  if (h > 14 || m > 59) return null;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

function utc(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  off: number,
): Date | null {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return null;
  if (h === 24 && (mi > 0 || s > 0)) return null;
  // Reject rollovers such as 31 Feb.
  if (new Date(Date.UTC(y, mo, d)).getUTCDate() !== d) return null;
  const t = Date.UTC(y, mo, d, h, mi, s, ms) - off * 60_000;
  return Number.isNaN(t) ? null : new Date(t);
}

const DAY = 86_400_000;
const calendarFormats = new Map<string, Intl.DateTimeFormat>();

function calendarParts(cal: Calendar, t: number): [number, number, number] {
  let f = calendarFormats.get(cal);
  if (!f) {
    f = new Intl.DateTimeFormat(`en-u-ca-${cal === 'islamic' ? 'islamic-umalqura' : cal}`, {
      timeZone: 'UTC',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    calendarFormats.set(cal, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return [parseInt(p.year ?? p.relatedYear ?? '0', 10), Number(p.month), Number(p.day)];
}

/** A Persian solar or Hijri date as a Gregorian [year, month 0-11, day], or null when it does not exist. */
function toGregorian(cal: Calendar, y: number, m: number, d: number): [number, number, number] {
  if (cal === 'gregory') return [y, m, d];
  // Days since a fixed point, good to a few days; Intl's calendar corrects the estimate.
  const approx =
    cal === 'persian'
      ? (yy: number, mm: number, dd: number) =>
          yy * 365.2422 + (mm < 6 ? mm * 31 : 186 + (mm - 6) * 30) + dd
      : (yy: number, mm: number, dd: number) => yy * 354.367 + mm * 29.5306 + dd;
  let t =
    cal === 'persian'
      ? Date.UTC(y + 621, 2, 21) + (approx(0, m, d) - 1) * DAY
      : Date.UTC(622, 6, 19) + Math.round(approx(y - 1, m, d) - 1) * DAY;
  for (let i = 0; i < 8 && Number.isFinite(t); i++) {
    const [py, pm, pd] = calendarParts(cal, t);
    if (py === y && pm - 1 === m && pd === d) {
      const g = new Date(t);
      return [g.getUTCFullYear(), g.getUTCMonth(), g.getUTCDate()];
    }
    // Across a year boundary the estimate can be under a day off: then step one day its way.
    const gap = approx(y, m, d) - approx(py, pm - 1, pd);
    t += (Math.round(gap) || Math.sign(gap)) * DAY;
  }
  return [NaN, NaN, NaN];
}

const ISO =
  /^(\d{4})(?:-?(\d{2})(?:-?(\d{2})(?:[T\s]+(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

/** ISO 8601 / RFC 3339 / W3CDTF (YYYY, YYYY-MM, YYYY-MM-DD, with time): undefined when not that shape. */
function parseIso(s: string): Date | null | undefined {
  const iso = ISO.exec(s);
  if (!iso) return undefined;
  // `2020` alone or `202010` is too little to be sure of; W3CDTF partials carry hyphens.
  if (!iso[2] && s.length !== 4) return undefined;
  if (iso[2] && !iso[3] && !/^\d{4}-\d{2}$/.test(s)) return undefined;
  let off = 0;
  const z = iso[8] ? /^([+-])(\d{2}):?(\d{2})?$/.exec(iso[8]) : null;
  if (z) {
    const o = offsetMinutes(z[1]!, +z[2]!, +(z[3] ?? 0));
    if (o === null) return null;
    off = o;
  }
  const ms = iso[7] ? Math.round(Number(`0.${iso[7]}`) * 1000) : 0;
  return utc(
    +iso[1]!,
    +(iso[2] ?? 1) - 1,
    +(iso[3] ?? 1),
    +(iso[4] ?? 0),
    +(iso[5] ?? 0),
    +(iso[6] ?? 0),
    ms,
    off,
  );
}

interface Token {
  kind: 'num' | 'word' | 'sym';
  text: string;
  start: number;
  end: number;
}

const TOKEN = /(\d+)|(\p{L}+(?:['’.-]\p{L}+)*)\.?|(\S)/gu;

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  for (const m of s.matchAll(TOKEN)) {
    const kind = m[1] ? 'num' : m[2] ? 'word' : 'sym';
    out.push({ kind, text: m[1] ?? m[2] ?? m[3]!, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

interface Reading {
  y?: number;
  /** 0-11 */
  mo?: number;
  d?: number;
  cal: Calendar;
  h?: number;
  mi?: number;
  s?: number;
  ms?: number;
  ampm?: 'am' | 'pm' | 'noon' | 'night';
  off?: number;
  /** A numeric d/m/y whose first two parts are both ≤ 12. */
  ambiguous?: [number, number, number];
  loose: { n: number; digits: number; afterMonth: boolean }[];
  english: boolean;
  hijriMarker: boolean;
  /** A Persian word (weekday or month) was seen. */
  persian: boolean;
}

const isArabicScript = (s: string) => /[\u0600-\u06FF]/.test(s);

/** Reads the tokens of one date; null when anything in them is not part of a date we understand. */
function readTokens(tokens: Token[], hints: DateHints): Reading | null {
  const r: Reading = {
    cal: 'gregory',
    loose: [],
    english: false,
    hijriMarker: false,
    persian: false,
  };
  const arabicScript = tokens.some((t) => t.kind === 'word' && isArabicScript(t.text));
  let last: 'time' | 'zone' | 'year' | 'other' | null = null;
  let sawDigit = false;
  let paren = 0;
  const adjacent = (a: Token | undefined, b: Token | undefined) => !!a && !!b && a.end === b.start;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t.kind === 'sym') {
      if (t.text === '(') paren++;
      else if (t.text === ')') paren = Math.max(0, paren - 1);
      else if (
        (t.text === '+' || t.text === '-') &&
        next?.kind === 'num' &&
        (last === 'time' || last === 'zone')
      ) {
        // An offset: +0300, +03:00, -03, GMT+3
        let h: number;
        let m = 0;
        if (next.text.length === 4) {
          h = +next.text.slice(0, 2);
          m = +next.text.slice(2);
          i += 1;
        } else if (next.text.length <= 2) {
          h = +next.text;
          i += 1;
          const colon = tokens[i + 1];
          const mins = tokens[i + 2];
          if (colon?.text === ':' && mins?.kind === 'num' && mins.text.length === 2) {
            m = +mins.text;
            i += 2;
          }
        } else return null;
        const o = offsetMinutes(t.text, h, m);
        if (o === null) return null;
        r.off = (last === 'zone' ? (r.off ?? 0) : 0) + o;
        last = 'zone';
      }
      continue; // , . / : - ( ) and the like separate parts
    }
    if (t.kind === 'num') {
      sawDigit = true;
      // time: h:mm[:ss[.fff]]
      const c1 = tokens[i + 1];
      const n1 = tokens[i + 2];
      if (c1?.text === ':' && n1?.kind === 'num' && adjacent(t, c1) && adjacent(c1, n1)) {
        if (r.h !== undefined || t.text.length > 2 || n1.text.length !== 2) return null;
        r.h = +t.text;
        r.mi = +n1.text;
        i += 2;
        const c2 = tokens[i + 1];
        const n2 = tokens[i + 2];
        if (c2?.text === ':' && n2?.kind === 'num' && adjacent(c2, n2) && n2.text.length === 2) {
          r.s = +n2.text;
          i += 2;
          const c3 = tokens[i + 1];
          const n3 = tokens[i + 2];
          if ((c3?.text === '.' || c3?.text === ',') && n3?.kind === 'num' && adjacent(c3, n3)) {
            r.ms = Math.round(Number(`0.${n3.text}`) * 1000);
            i += 2;
          }
        }
        last = 'time';
        continue;
      }
      // time: 10.30 (id) once the year is known, when no third part makes it a numeric date
      const after = tokens[i + 3];
      if (
        c1?.text === '.' &&
        n1?.kind === 'num' &&
        n1.text.length === 2 &&
        t.text.length <= 2 &&
        adjacent(t, c1) &&
        adjacent(c1, n1) &&
        !(after?.text === '.' && adjacent(n1, after)) &&
        r.h === undefined &&
        (r.y !== undefined || r.loose.some((n) => n.digits === 4))
      ) {
        r.h = +t.text;
        r.mi = +n1.text;
        i += 2;
        last = 'time';
        continue;
      }
      // time: 19h22 (fr, pt), 19h
      if (c1?.kind === 'word' && c1.text === 'h' && adjacent(t, c1) && t.text.length <= 2) {
        if (r.h !== undefined) return null;
        r.h = +t.text;
        r.mi = 0;
        i += 1;
        if (n1?.kind === 'num' && adjacent(c1, n1) && n1.text.length === 2) {
          r.mi = +n1.text;
          i += 1;
        }
        last = 'time';
        continue;
      }
      // numeric date: a/b/c, a.b.c, a-b-c (one separator, no spaces)
      const s2 = tokens[i + 3];
      const n2 = tokens[i + 4];
      if (
        c1?.kind === 'sym' &&
        /^[/.-]$/.test(c1.text) &&
        n1?.kind === 'num' &&
        s2?.text === c1.text &&
        n2?.kind === 'num' &&
        adjacent(t, c1) &&
        adjacent(c1, n1) &&
        adjacent(n1, s2) &&
        adjacent(s2, n2)
      ) {
        if (r.mo !== undefined) return null;
        const [a, b, c] = [t.text, n1.text, n2.text];
        if (a.length === 4) {
          r.y = +a;
          r.mo = +b - 1;
          r.d = +c;
        } else if (c.length === 4 || c.length === 2) {
          r.y = +c + (c.length === 2 ? (+c < 50 ? 2000 : 1900) : 0);
          if (+a > 12) [r.d, r.mo] = [+a, +b - 1];
          else if (+b > 12) [r.mo, r.d] = [+a - 1, +b];
          else {
            [r.d, r.mo] = [+a, +b - 1];
            r.ambiguous = [+a, +b, r.y];
          }
          if (c1.text === '/' && +a > 12 && +b > 12) return null;
        } else return null;
        i += 4;
        last = 'year';
        continue;
      }
      const monthSeen = r.mo !== undefined;
      r.loose.push({ n: +t.text, digits: t.text.length, afterMonth: monthSeen });
      last = t.text.length === 4 || +t.text > 31 ? 'year' : 'other';
      continue;
    }
    // words
    if (paren > 0 && r.off !== undefined) continue; // (Coordinated Universal Time) after a zone
    if (t.text === 'ast') {
      // Arabia Standard Time for Arabic outlets, Atlantic Standard Time otherwise.
      if (r.off !== undefined) return null;
      r.off = hints.lang === 'ar' || arabicScript ? 180 : -240;
      last = 'zone';
      continue;
    }
    let meanings: DateWord[] = [];
    if (next?.kind === 'word') {
      meanings = dateWord(`${t.text} ${next.text}`);
      if (meanings.length) i += 1;
    }
    if (!meanings.length) meanings = dateWord(t.text.replace(/\.$/, ''));
    if (!meanings.length) {
      // Labels before the date ("Publicado em", "نشر في") are fine; unknown words inside it are not.
      if (!sawDigit && r.mo === undefined) continue;
      return null;
    }
    const month = meanings.filter((m) => m.kind === 'month');
    const weekday = meanings.some((m) => m.kind === 'weekday');
    const ampm = meanings.find((m) => m.kind === 'ampm');
    const zone = meanings.find((m) => m.kind === 'zone');
    if (meanings.some((m) => (m.kind === 'month' || m.kind === 'weekday') && m.lang === 'en'))
      r.english = true;
    if (meanings.some((m) => (m.kind === 'month' || m.kind === 'weekday') && m.lang === 'fa'))
      r.persian = true;
    if (t.text === 'م' && last === 'year') continue; // ميلادي after a year
    // Urdu, Persian and Arabic also put it before the time: شام 07:45
    if (ampm?.kind === 'ampm' && last !== 'time' && t.text !== 'م' && isArabicScript(t.text)) {
      r.ampm = ampm.value;
      continue;
    }
    if (ampm && last === 'time') {
      if (ampm.kind === 'ampm') r.ampm = ampm.value;
      if (['am', 'pm', 'a.m', 'p.m'].includes(t.text)) r.english = true;
      last = 'other';
      continue;
    }
    if (zone && zone.kind === 'zone') {
      if (r.off !== undefined) return null;
      r.off = zone.offset;
      last = 'zone';
      continue;
    }
    if (month.length) {
      // `mar` is March and, in es/fr/it, Tuesday: with another month in the string, it is the weekday.
      const hasOther = tokens
        .slice(i + 1)
        .some((u) => u.kind === 'word' && dateWord(u.text).some((m) => m.kind === 'month'));
      if (weekday && (r.mo !== undefined || hasOther)) continue;
      const m = month[0]!;
      if (m.kind !== 'month') return null;
      // BBC Arabic names the month twice: `29 نوفمبر/ تشرين الثاني 2026`.
      if (r.mo === m.month && r.cal === m.cal) continue;
      if (r.mo !== undefined) return null;
      r.mo = m.month;
      r.cal = m.cal;
      last = 'other';
      continue;
    }
    if (meanings.some((m) => m.kind === 'hijri')) {
      r.hijriMarker = true;
      last = 'other';
      continue;
    }
    if (meanings.some((m) => m.kind === 'ad')) continue;
    if (weekday || ampm || meanings.some((m) => m.kind === 'filler')) continue;
    return null;
  }
  return r;
}

/** The instant a reading names, or null when it is incomplete or impossible. */
function instant(r: Reading, hints: DateHints): Date | null {
  let { y, d } = r;
  let mo = r.mo;
  if (mo === undefined) return null;
  const loose = [...r.loose];
  let { h, mi } = r;
  // RFC 822 with a 4-digit time and no colon: `03 Apr 02 1500 GMT`.
  if (h === undefined && loose.length === 3 && loose[2]!.digits === 4 && loose[1]!.digits <= 2) {
    const hhmm = loose.pop()!.n;
    h = Math.floor(hhmm / 100);
    mi = hhmm % 100;
  }
  if (y === undefined || d === undefined) {
    // Day and year from the loose numbers: a 4-digit one is the year, the day is the other.
    const yi = loose.findIndex((n) => n.digits >= 3 || n.n > 31);
    if (yi >= 0) {
      const { n, digits } = loose[yi]!;
      if (digits > 4) return null;
      y =
        r.cal !== 'gregory'
          ? n
          : digits === 2
            ? n + (n < 50 ? 2000 : 1900)
            : digits === 3
              ? n + 1900
              : n;
      loose.splice(yi, 1);
      const di = loose.findIndex((n) => n.digits <= 2 && n.n >= 1 && n.n <= 31);
      if (di < 0) return null;
      d = loose[di]!.n;
      loose.splice(di, 1);
    } else if (loose.length >= 2) {
      // RFC 822's `19 Oct 20`: day, then a 2-digit year.
      d = loose[0]!.n;
      y = loose[1]!.n;
      if (r.cal === 'gregory') y += y < 50 ? 2000 : 1900;
      loose.splice(0, 2);
    } else return null;
  }
  if (loose.length) return null;
  // An ambiguous numeric date with English words around it (`Sun, 11/10/2026 - 22:30`) is US order.
  if (r.ambiguous && r.english) [mo, d] = [r.ambiguous[0] - 1, r.ambiguous[1]];
  let cal = r.cal;
  // A bare 13xx/14xx year: Hijri with هـ, solar in a Persian feed (`۱۴۰۵/۰۹/۰۸`).
  if (cal === 'gregory' && y >= 1300 && y < 1500)
    cal = r.hijriMarker ? 'islamic' : hints.lang === 'fa' || r.persian ? 'persian' : cal;
  if (r.hijriMarker && cal === 'gregory') return null;
  [y, mo, d] = toGregorian(cal, y, mo, d);
  if (Number.isNaN(y)) return null;
  h ??= 0;
  if (h > 24) return null;
  if (r.ampm) {
    // `22:30 م` is a 24-hour time with its marker; `13:00 AM` contradicts itself.
    if (h > 12 && r.ampm === 'am') return null;
    if (r.ampm === 'pm' && h < 12) h += 12;
    else if (r.ampm === 'am' && h === 12) h = 0;
    else if (r.ampm === 'noon' && h >= 1 && h <= 6) h += 12;
    else if (r.ampm === 'night' && h >= 6 && h < 12) h += 12;
    else if (r.ampm === 'night' && h === 12) h = 0;
  }
  return utc(y, mo, d, h, mi ?? 0, r.s ?? 0, r.ms ?? 0, r.off ?? 0);
}

function parseWords(s: string, hints: DateHints): Date | null {
  // الموافق: "15 جمادى الأولى 1448 هـ الموافق 29 نوفمبر 2026 م": the Gregorian side wins.
  const tokens = tokenize(s);
  const eq = tokens.findIndex(
    (t) => t.kind === 'word' && dateWord(t.text).some((m) => m.kind === 'equals'),
  );
  if (eq >= 0) {
    const after = readTokens(tokens.slice(eq + 1), hints);
    const d = after && instant(after, hints);
    if (d) return d;
    const before = readTokens(tokens.slice(0, eq), hints);
    return before && instant(before, hints);
  }
  const r = readTokens(tokens, hints);
  return r && instant(r, hints);
}

/** The date a feed string means, or null. Dates after `now` become `now`. */
export function parseFeedDate(
  s: string | null | undefined,
  now: Date,
  hints: DateHints = {},
): Date | null {
  if (!s) return null;
  const t = foldDateText(s).replace(/\s+/g, ' ').trim();
  if (t === '' || t.length > 120) return null;
  let d = parseIso(t);
  if (d === undefined) d = parseWords(t, hints);
  if (!d || Number.isNaN(d.getTime())) return null;
  if (d.getUTCFullYear() < 1970) return null;
  return d.getTime() > now.getTime() ? new Date(now.getTime()) : d;
}

/** True when a date string is there but says nothing we can read (not when it is absent). */
export function isUnreadableDate(s: string | null | undefined, now: Date, hints: DateHints = {}) {
  return !!s && s.trim() !== '' && parseFeedDate(s, now, hints) === null;
}

/** An item's dates, and whether it has one but none can be read (then it is dated by first sight). */
export function readItemDates(
  item: { published: string | null; updated: string | null },
  now: Date,
  hints: DateHints = {},
): { published: Date | null; updated: Date | null; unreadable: boolean } {
  const published = parseFeedDate(item.published, now, hints);
  const updated = parseFeedDate(item.updated, now, hints);
  const present = (s: string | null) => !!s && s.trim() !== '';
  return {
    published,
    updated,
    unreadable: !published && !updated && (present(item.published) || present(item.updated)),
  };
}
