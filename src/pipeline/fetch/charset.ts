// Bytes -> text for feeds. Order: BOM, HTTP charset, the document's own declaration (XML
// encoding or HTML meta charset), then sniffing; but the bytes have the last word: a declaration
// that would produce mojibake (valid multi-byte UTF-8 declared Latin-1, U+FFFD from the declared
// decoder) loses to what the bytes say.
import iconv from 'iconv-lite';

export interface DecodedBody {
  text: string;
  /** Encoding name used (WHATWG name where there is one, e.g. `windows-1256`, `utf-32le`). */
  charset: string;
}

const LATIN_DEFAULTS = new Set(['windows-1252', 'iso-8859-1', 'us-ascii', 'iso-8859-15']);

/** Canonical name for an encoding label, or null if neither TextDecoder nor iconv-lite knows it. */
export function canonicalCharset(label: string): string | null {
  const l = label
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  if (!l) return null;
  if (l === 'utf-32' || l === 'utf32' || l === 'ucs-4') return 'utf-32le';
  if (l === 'utf-32le' || l === 'utf-32be') return l;
  try {
    const enc = new TextDecoder(l).encoding;
    return enc === 'replacement' ? null : enc;
  } catch {
    return iconv.encodingExists(l) ? l : null;
  }
}

// WHATWG windows-1252 for 0x80..0x9F. Node 20's TextDecoder decodes windows-1252 as Latin-1
// (0x92 -> U+0092 instead of U+2019), so we do this one ourselves.
const W1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
  0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const codes = Array.from(bytes.subarray(i, i + CHUNK), (b) =>
      b >= 0x80 && b <= 0x9f ? W1252_HIGH[b - 0x80]! : b,
    );
    out += String.fromCharCode(...codes);
  }
  return out;
}

function decodeWith(bytes: Uint8Array, charset: string): string {
  if (charset === 'windows-1252') return decodeWindows1252(bytes);
  if (charset.startsWith('utf-32'))
    return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), charset);
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), charset);
  }
}

function bomOf(b: Uint8Array): { charset: string; length: number } | null {
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0)
    return { charset: 'utf-32le', length: 4 };
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff)
    return { charset: 'utf-32be', length: 4 };
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { charset: 'utf-8', length: 3 };
  if (b[0] === 0xff && b[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return null;
}

/** UTF-16/32 without a BOM, recognised from how `<?` (or `<`) is laid out. */
function wideWithoutBom(b: Uint8Array): string | null {
  if (b[0] === 0x3c && b[1] === 0 && b[2] === 0 && b[3] === 0) return 'utf-32le';
  if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0x3c) return 'utf-32be';
  if (b[0] === 0x3c && b[1] === 0 && b[2] !== 0) return 'utf-16le';
  if (b[0] === 0 && b[1] === 0x3c) return 'utf-16be';
  return null;
}

export function httpCharset(contentType: string | null): string | null {
  if (!contentType) return null;
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType);
  return m ? m[2]! : null;
}

/** The encoding a document declares about itself in its first bytes (XML decl or HTML meta). */
function declaredCharset(b: Uint8Array): string | null {
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, 2048)).toString('latin1');
  const xml = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (xml) return xml[1]!;
  if (/^\s*<\?xml/i.test(head)) return null;
  const meta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  return meta ? meta[1]! : null;
}

/** Strict UTF-8 validity, and whether there is any multi-byte sequence at all. */
function utf8Status(b: Uint8Array): { valid: boolean; multibyte: number } {
  let multibyte = 0;
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n =
      c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0) return { valid: false, multibyte };
    const min = n === 1 ? 0x80 : n === 2 ? 0x800 : 0x10000;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const t = b[i + k];
      if (t === undefined || (t & 0xc0) !== 0x80) return { valid: false, multibyte };
      cp = (cp << 6) | (t & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return { valid: false, multibyte };
    multibyte++;
    i += n + 1;
  }
  return { valid: true, multibyte };
}

function hasReplacementBytes(b: Uint8Array): boolean {
  for (let i = 0; i + 2 < b.length; i++)
    if (b[i] === 0xef && b[i + 1] === 0xbf && b[i + 2] === 0xbd) return true;
  return false;
}

// Most frequent letters of the languages whose legacy single-byte encodings we meet most, as
// bytes in each encoding: Arabic (ا ل ي م ن و ه ر ب ت), Russian (о е а и н т с р в л).
const LETTER_PROFILES: { charset: string; bytes: number[] }[] = [
  { charset: 'windows-1256', bytes: [0xc7, 0xe1, 0xed, 0xe3, 0xe4, 0xe6, 0xe5, 0xd1, 0xc8, 0xca] },
  { charset: 'windows-1251', bytes: [0xee, 0xe5, 0xe0, 0xe8, 0xed, 0xf2, 0xf1, 0xf0, 0xe2, 0xeb] },
  { charset: 'koi8-r', bytes: [0xcf, 0xc5, 0xc1, 0xc9, 0xce, 0xd4, 0xd3, 0xd2, 0xd7, 0xcc] },
];

/** Guess for undeclared non-UTF-8 bytes: a non-Latin single-byte script, else windows-1252. */
function sniffLegacy(b: Uint8Array): string {
  const counts = new Array<number>(256).fill(0);
  let high = 0;
  let letters = 0;
  for (const c of b) {
    counts[c]!++;
    if (c >= 0xc0) high++;
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) letters++;
  }
  // Latin text with accents has few high bytes among many ASCII letters; Arabic or Cyrillic
  // text is made of them.
  if (high < 8 || high < letters * 0.3) return 'windows-1252';
  let best = 'windows-1252';
  let bestShare = 0.35;
  for (const p of LETTER_PROFILES) {
    const share = p.bytes.reduce((s, x) => s + counts[x]!, 0) / high;
    if (share > bestShare) {
      best = p.charset;
      bestShare = share;
    }
  }
  return best;
}

/** Removes the encoding pseudo-attribute from a leading XML declaration (the text is decoded now). */
function dropXmlEncoding(text: string): string {
  return text.replace(/^(\s*<\?xml\b[^>]*?)\s+encoding\s*=\s*(["'])[^"']*\2/i, '$1');
}

function finish(text: string, charset: string): DecodedBody {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return { text: dropXmlEncoding(t), charset };
}

export function decodeBody(
  bytes: Uint8Array,
  contentType: string | null,
  override: string | null = null,
): DecodedBody {
  const forced = override ? canonicalCharset(override) : null;
  if (forced) {
    // The operator knows better than the server, the BOM and the document: only a BOM of the
    // forced charset itself is dropped (as bytes it is not text).
    const bom = bomOf(bytes);
    const skip = bom && bom.charset === forced ? bom.length : 0;
    return finish(decodeWith(bytes.subarray(skip), forced), forced);
  }
  const bom = bomOf(bytes);
  if (bom) return finish(decodeWith(bytes.subarray(bom.length), bom.charset), bom.charset);
  const wide = wideWithoutBom(bytes);
  if (wide) return finish(decodeWith(bytes, wide), wide);

  const fromHttp = httpCharset(contentType);
  const fromDoc = declaredCharset(bytes);
  const http = fromHttp ? canonicalCharset(fromHttp) : null;
  const doc = fromDoc ? canonicalCharset(fromDoc) : null;
  // A Latin-1 family charset in HTTP is usually a server default; a document that declares
  // something specific about itself knows better.
  const candidates =
    http && doc && LATIN_DEFAULTS.has(http) && !LATIN_DEFAULTS.has(doc) ? [doc, http] : [http, doc];

  const utf8 = utf8Status(bytes);
  const rawFffd = hasReplacementBytes(bytes);
  for (const c of candidates) {
    if (!c) continue;
    // UTF-16/32 declared inside an ASCII-compatible document cannot be true (no BOM, no NULs).
    if (c.startsWith('utf-16') || c.startsWith('utf-32')) continue;
    if (c === 'utf-8') {
      if (utf8.valid) return finish(decodeWith(bytes, 'utf-8'), 'utf-8');
      continue;
    }
    // Valid multi-byte UTF-8 is practically never legacy-encoded text: the declaration is wrong.
    if (utf8.valid && utf8.multibyte > 0) return finish(decodeWith(bytes, 'utf-8'), 'utf-8');
    const text = decodeWith(bytes, c);
    if (!rawFffd && text.includes('\ufffd')) continue;
    return finish(text, c);
  }
  if (utf8.valid) return finish(decodeWith(bytes, 'utf-8'), 'utf-8');
  const guess = sniffLegacy(bytes);
  return finish(decodeWith(bytes, guess), guess);
}
