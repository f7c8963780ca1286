// String and URL hygiene for everything that reaches a renderer: every value is cleaned here
// first, and the writers (rss.ts, atom.ts, json-feed.ts) only escape and place it.

/**
 * Characters XML 1.0 forbids (C0 controls except tab/newline/return, lone surrogates, U+FFFE,
 * U+FFFF) plus the discouraged DEL and C1 controls. With the `u` flag a lone surrogate is one
 * code point, so it matches `[^…]` on its own.
 */
const INVALID_XML_CHARS = /[^\t\n\r\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes characters that may not appear in XML 1.0 (and so in any of our outputs). */
export function cleanText(value: string | null | undefined): string {
  if (value == null) return '';
  return value.replace(INVALID_XML_CHARS, '');
}

/** True when a string still holds a character XML forbids (or one of our markers). */
export function hasInvalidXmlChars(value: string): boolean {
  INVALID_XML_CHARS.lastIndex = 0;
  const found = INVALID_XML_CHARS.test(value);
  INVALID_XML_CHARS.lastIndex = 0;
  return found;
}

/**
 * Clean text as one or more CDATA sections: each `]]>` is split across two sections
 * (`]]` + `]]><![CDATA[` + `>`), so no text can close the section early.
 */
export function cdata(clean: string): string {
  return `<![CDATA[${clean.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for XML/HTML element content and double- or single-quoted attributes. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/**
 * A link we are willing to publish: parses with WHATWG URL and uses http(s). Returns the
 * serialized URL (which percent-encodes spaces, quotes and angle brackets) or null.
 */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (value == null) return null;
  const text = cleanText(value).trim();
  if (text === '') return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.hostname === '') return null;
  return url.href;
}

/** A BCP 47-looking language tag, or null. */
export function safeLang(value: string | null | undefined): string | null {
  if (value == null) return null;
  const text = value.trim();
  return /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/.test(text) ? text : null;
}

/** A date from an ISO string, or null when it does not parse. */
export function safeDate(value: string | null | undefined): Date | null {
  if (value == null || value === '') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Stable, URL-safe id of an article in every output format. */
export function articleUrn(id: string): string {
  return `urn:tributary:article:${encodeURIComponent(id)}`;
}

/** Guesses an image MIME type from a URL's extension (for items whose source gave none). */
export function guessImageType(url: string): string {
  const path = new URL(url).pathname.toLowerCase();
  const ext = path.slice(path.lastIndexOf('.') + 1);
  switch (ext) {
    case 'png':
      return 'image/png';
    case 'gif':
      return 'image/gif';
    case 'webp':
      return 'image/webp';
    case 'avif':
      return 'image/avif';
    case 'svg':
      return 'image/svg+xml';
    default:
      return 'image/jpeg';
  }
}

/** `<media:content>` for a lead image (RSS and Atom both carry it; newsletter tools render it). */
export function mediaContentXml(image: {
  url: string;
  type: string;
  width: number | null;
  height: number | null;
}): string {
  let media = `<media:content url="${escapeXml(image.url)}" type="${escapeXml(image.type)}" medium="image"`;
  if (image.width) media += ` width="${image.width}"`;
  if (image.height) media += ` height="${image.height}"`;
  return `${media}/>`;
}
