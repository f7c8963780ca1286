// Sanitized article HTML: sanitize-html with an allow-list, absolute URLs, lazy images resolved,
// tracking pixels and non-embed iframes dropped, dir/lang kept (RTL text).
import sanitizeHtml from 'sanitize-html';
import { stripInvalidXmlChars } from '../../text/xml-chars.ts';

const IFRAME_HOSTS = [
  'www.youtube.com',
  'youtube.com',
  'www.youtube-nocookie.com',
  'player.vimeo.com',
];

const URL_ATTRS = ['href', 'src', 'cite', 'poster'];
const LAZY_SRC = ['data-src', 'data-lazy-src', 'data-original', 'data-lazy', 'data-url'];
const PLACEHOLDER = /^data:image\/(gif|png|svg\+xml)[;,]/i;
const DATA_IMAGE = /^data:image\/(png|gif|jpe?g|webp|avif|bmp);base64,[a-z0-9+/=\s]+$/i;

function absolute(url: string, base: string | null): string {
  const t = url.trim();
  if (t === '' || t.startsWith('data:') || t.startsWith('#')) return t;
  try {
    return new URL(t, base ?? undefined).href;
  } catch {
    return t;
  }
}

/** The largest (by w/x descriptor) candidate of a srcset, else the first. */
function fromSrcset(srcset: string): string | null {
  let best: string | null = null;
  let bestScore = -1;
  for (const cand of srcset.split(/,\s+/)) {
    const [url, desc] = cand.trim().split(/\s+/);
    if (!url) continue;
    const score = desc ? parseFloat(desc) || 0 : 0;
    if (score > bestScore) {
      best = url;
      bestScore = score;
    }
  }
  return best;
}

export interface SanitizedContent {
  html: string;
  /** First kept `<img>` (absolute src), for the lead image. */
  firstImage: { url: string; width: number | null; height: number | null } | null;
}

const dim = (v: string | undefined) => {
  const n = v === undefined ? NaN : parseInt(v, 10);
  return Number.isFinite(n) ? n : null;
};

function isPixel(attribs: Record<string, string>): boolean {
  const w = dim(attribs.width);
  const h = dim(attribs.height);
  return (w !== null && w <= 1) || (h !== null && h <= 1);
}

/**
 * The state of the sanitize call in progress (sanitize-html runs synchronously), so the options
 * object below is built once instead of on every call.
 */
let baseUrl: string | null = null;
let firstImage: SanitizedContent['firstImage'] = null;

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'style'),
    'img',
    'figure',
    'figcaption',
    'picture',
    'iframe',
    'video',
    'audio',
    'source',
    'del',
    'ins',
    'mark',
    'time',
    'h1',
    'h2',
  ],
  disallowedTagsMode: 'discard',
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'title',
    'template',
    'svg',
    'math',
  ],
  allowedAttributes: {
    '*': ['dir', 'lang', 'title'],
    a: ['href', 'name'],
    img: ['src', 'alt', 'width', 'height'],
    iframe: ['src', 'width', 'height', 'allowfullscreen', 'frameborder'],
    video: ['src', 'poster', 'controls', 'width', 'height'],
    audio: ['src', 'controls'],
    source: ['src', 'type'],
    blockquote: ['cite'],
    q: ['cite'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan', 'scope'],
    ol: ['start', 'reversed'],
    time: ['datetime'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowedSchemesAppliedToAttributes: URL_ATTRS,
  allowProtocolRelative: false,
  allowedIframeHostnames: IFRAME_HOSTS,
  allowIframeRelativeUrls: false,
  transformTags: {
    '*': (tagName, attribs) => {
      const out: Record<string, string> = { ...attribs };
      if (tagName === 'img') {
        const src = out.src?.trim() ?? '';
        if (!src || PLACEHOLDER.test(src)) {
          const lazy = LAZY_SRC.map((a) => out[a]).find((v) => v && v.trim());
          const fromSet = out['data-srcset'] ?? out.srcset;
          const chosen = lazy ?? (fromSet ? fromSrcset(fromSet) : null);
          if (chosen) out.src = chosen;
        }
        if (out.src?.startsWith('data:') && !DATA_IMAGE.test(out.src)) delete out.src;
      }
      for (const a of URL_ATTRS) if (out[a] !== undefined) out[a] = absolute(out[a], baseUrl);
      if (tagName === 'iframe' && out.src && !out.src.startsWith('https:')) delete out.src;
      return { tagName, attribs: out };
    },
  },
  exclusiveFilter(frame) {
    if (frame.tag === 'img') {
      const src = frame.attribs.src;
      if (!src || isPixel(frame.attribs)) return true;
      if (!firstImage && !src.startsWith('data:')) {
        firstImage = {
          url: src,
          width: dim(frame.attribs.width),
          height: dim(frame.attribs.height),
        };
      }
      return false;
    }
    if (frame.tag === 'iframe') return !frame.attribs.src;
    return false;
  },
};

export function sanitizeWithImages(html: string, base: string | null): SanitizedContent {
  baseUrl = base;
  firstImage = null;
  try {
    const clean = sanitizeHtml(stripInvalidXmlChars(html), OPTIONS);
    return { html: clean.trim(), firstImage };
  } finally {
    baseUrl = null;
    firstImage = null;
  }
}

/** Sanitized HTML with absolute URLs; see `sanitizeWithImages`. */
export function sanitizeContent(html: string, baseUrl: string | null): string {
  return sanitizeWithImages(html, baseUrl).html;
}
