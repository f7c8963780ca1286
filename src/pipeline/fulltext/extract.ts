// The readable article of an HTML page: Mozilla's Readability over linkedom's DOM (no browser, no
// jsdom). What comes out is raw HTML: the caller's sanitizer and URL absolutizer run on it (the
// article becomes an item's content and goes through normalize like any feed content).
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { htmlToText } from '../../text/html-text.ts';

export interface Extracted {
  /** Article HTML (unsanitized, URLs as in the page), wrapped in `dir` when the page is RTL. */
  html: string;
  /** Characters of text, whitespace collapsed. */
  textLength: number;
}

export const textLength = (html: string | null | undefined): number =>
  htmlToText(html ?? '')
    .replace(/\s+/g, ' ')
    .trim().length;

/** Null when the page holds nothing readable. */
export function extractReadable(html: string): Extracted | null {
  let article: ReturnType<Readability['parse']>;
  try {
    const { document } = parseHTML(html);
    article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], {
      keepClasses: false,
    }).parse();
  } catch {
    return null;
  }
  const content = article?.content?.trim();
  if (!content) return null;
  const length = textLength(content);
  if (length === 0) return null;
  const dir = article?.dir?.toLowerCase() === 'rtl' ? 'rtl' : null;
  return { html: dir ? `<div dir="rtl">${content}</div>` : content, textLength: length };
}
