// Feed dates: RFC 822/2822 (with or without day name, 2-digit years, named zones), ISO 8601,
// Arabic-Indic digits. Nonsense -> null; future dates clamp to `now`.

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/** Offsets in minutes east of UTC. */
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  BST: 60,
  IST: 60,
  CET: 60,
  MET: 60,
  CEST: 120,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  AST: -240,
  ADT: -180,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  JST: 540,
  KST: 540,
  HKT: 480,
  SGT: 480,
  AWST: 480,
  ACST: 570,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
};

function asciiDigits(s: string): string {
  return s
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
}

function offsetMinutes(zone: string): number | null {
  const z = zone.trim().replace(/^\(|\)$/g, '');
  if (z === '') return 0; // missing zone: read as UTC
  const num = /^(?:GMT|UTC|UT)?\s*([+-])(\d{1,2}):?(\d{2})?$/i.exec(z);
  if (num) {
    const sign = num[1] === '-' ? -1 : 1;
    const h = Number(num[2]);
    const m = Number(num[3] ?? 0);
    if (h > 14 || m > 59) return null;
    return sign * (h * 60 + m);
  }
  const named = ZONES[z.toUpperCase().replace(/\s*\(.*\)$/, '')];
  if (named !== undefined) return named;
  if (/^[A-IK-Z]$/i.test(z)) return 0; // RFC 822 military zones are unreliable; treat as UTC
  return null;
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
  const t = Date.UTC(y, mo, d, h, mi, s, ms) - off * 60_000;
  const date = new Date(t);
  // Reject rollovers such as 31 Feb.
  if (new Date(Date.UTC(y, mo, d)).getUTCDate() !== d) return null;
  return Number.isNaN(t) ? null : date;
}

const ISO =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const RFC822 =
  /^(?:[A-Za-z]{2,9}\.?,?\s+)?(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(\d{2,4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(.*)$/;

/** undefined: not an ISO/RFC 822 shape; null: that shape, but not a real date. */
function parseStrict(s: string): Date | null | undefined {
  const iso = ISO.exec(s);
  if (iso) {
    const off = iso[8] ? offsetMinutes(iso[8]) : 0;
    if (off === null) return null;
    const ms = iso[7] ? Math.round(Number(`0.${iso[7]}`) * 1000) : 0;
    return utc(
      +iso[1]!,
      +iso[2]! - 1,
      +iso[3]!,
      +(iso[4] ?? 0),
      +(iso[5] ?? 0),
      +(iso[6] ?? 0),
      ms,
      off,
    );
  }
  const r = RFC822.exec(s);
  if (r) {
    const mo = MONTHS[r[2]!.slice(0, 3).toLowerCase()];
    if (mo === undefined) return null;
    let y = Number(r[3]);
    if (r[3]!.length === 2) y += y < 50 ? 2000 : 1900;
    else if (r[3]!.length === 3) y += 1900;
    const off = offsetMinutes(r[7] ?? '');
    if (off === null) return null;
    return utc(y, mo, +r[1]!, +(r[4] ?? 0), +(r[5] ?? 0), +(r[6] ?? 0), 0, off);
  }
  return undefined;
}

/** The date a feed string means, or null. Dates after `now` become `now`. */
export function parseFeedDate(s: string | null, now: Date): Date | null {
  if (!s) return null;
  const t = asciiDigits(s).replace(/\s+/g, ' ').trim();
  if (t === '' || t.length > 80) return null;
  let d = parseStrict(t);
  // Last resort for other spellings ("Mon Oct 19 2020 17:04:00 GMT+0000"), only when a year is visible.
  if (d === undefined && /\b(19|20)\d{2}\b/.test(t) && /[a-z]{3}/i.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) d = new Date(ms);
  }
  if (!d || Number.isNaN(d.getTime())) return null;
  if (d.getUTCFullYear() < 1970) return null;
  return d.getTime() > now.getTime() ? new Date(now.getTime()) : d;
}
