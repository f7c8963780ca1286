// A page's main article: @mozilla/readability over linkedom (a DOM without a browser), then our
// own sanitizer, which also makes every URL absolute against the page (its <base href>, else its
// final URL). The article keeps its direction and language (RTL pages stay RTL).
import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import { sanitizeWithImages } from '../normalize/sanitize.ts';
import { htmlToText } from '../../text/html-text.ts';
import { MIN_READABLE_CHARS, textLength } from './teaser.ts';

export interface ExtractedArticle {
  /** Sanitized HTML with absolute URLs. */
  html: string;
  /** Plain text of `html`, one line. */
  text: string;
  title: string | null;
  image: { url: string; width: number | null; height: number | null } | null;
}

/** linkedom's document, as the DOM type Readability declares (no DOM lib in this project). */
type ReadabilityDoc = ConstructorParameters<typeof Readability>[0];

const LANG = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;

/** Readability alone (no sanitizing): the baseline the bench compares against. */
export function readabilityOnly(html: string): { content: string; textContent: string } | null {
  const { document } = parseHTML(html);
  const article = new Readability(document as unknown as ReadabilityDoc).parse();
  return article?.content
    ? { content: article.content, textContent: article.textContent ?? '' }
    : null;
}

function baseOf(
  document: { querySelector(s: string): { getAttribute(a: string): string | null } | null },
  pageUrl: string,
): string {
  const href = document.querySelector('base[href]')?.getAttribute('href');
  if (!href) return pageUrl;
  try {
    return new URL(href, pageUrl).href;
  } catch {
    return pageUrl;
  }
}

/** The page's article, or null when it has nothing readable (or Readability gives up on it). */
export function extractArticle(html: string, pageUrl: string): ExtractedArticle | null {
  let parsed: ReturnType<Readability['parse']>;
  let base = pageUrl;
  try {
    const { document } = parseHTML(html);
    base = baseOf(document, pageUrl);
    parsed = new Readability(document as unknown as ReadabilityDoc).parse();
  } catch {
    return null; // a DOM Readability cannot walk is a page without a readable article
  }
  if (!parsed?.content) return null;
  const dir = parsed.dir === 'rtl' || parsed.dir === 'ltr' ? ` dir="${parsed.dir}"` : '';
  const lang = parsed.lang && LANG.test(parsed.lang) ? ` lang="${parsed.lang}"` : '';
  const wrapped = dir || lang ? `<div${dir}${lang}>${parsed.content}</div>` : parsed.content;
  const { html: clean, firstImage } = sanitizeWithImages(wrapped, base);
  const text = htmlToText(clean).replace(/\s+/g, ' ').trim();
  if (textLength(text) < MIN_READABLE_CHARS) return null;
  return { html: clean, text, title: parsed.title?.trim() || null, image: firstImage };
}
