// HTML -> plain text, and truncation on a word boundary. Shared by normalize, publish, tag.
import { Parser } from 'htmlparser2';

const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'caption',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
  'img',
  'iframe',
  'video',
  'audio',
]);
const SKIP = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'head',
  'title',
  'svg',
  'math',
  'object',
]);

/**
 * Plain text of an HTML fragment: entities decoded, scripts and styles dropped, block elements
 * as line breaks, runs of spaces collapsed, blank lines removed, trimmed.
 */
export function htmlToText(html: string): string {
  return htmlLines(html).join('\n');
}

/**
 * `htmlToText` on one line: its lines joined by a space (what `.replace(/\s+/g, ' ')` of it
 * gives, since every line is already trimmed and single-spaced), without the second pass.
 */
export function htmlToLine(html: string): string {
  return htmlLines(html).join(' ');
}

/** The non-empty lines of `htmlToText`, each with its spaces collapsed and trimmed. */
function htmlLines(html: string): string[] {
  if (!html) return [];
  const parts: string[] = [];
  let skip = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIP.has(name)) skip++;
        else if (BLOCK.has(name)) parts.push('\n');
      },
      ontext(t) {
        if (skip === 0) parts.push(t.replace(/\s+/g, ' '));
      },
      onclosetag(name, implied) {
        if (SKIP.has(name)) skip = Math.max(0, skip - 1);
        else if (BLOCK.has(name) && !implied) parts.push('\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.end(html);
  const lines: string[] = [];
  for (const raw of parts.join('').split('\n')) {
    const line = raw.replace(/[^\S\n]+/g, ' ').trim();
    if (line !== '') lines.push(line);
  }
  return lines;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;

/**
 * At most `max` characters (UTF-16 units), cut at a word boundary with "…" appended when cut.
 * Never splits a surrogate pair; a single overlong word is cut hard.
 */
export function truncateOnWord(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  if (max === 1) return '…';
  let cut = text.slice(0, max - 1);
  if (isHigh(cut.charCodeAt(cut.length - 1))) cut = cut.slice(0, -1);
  // The character after the cut is a space: the cut already ends a word.
  const next = text.charAt(max - 1);
  if (!/\s/.test(next)) {
    const lastSpace = cut.search(/\s\S*$/);
    if (lastSpace > 0) cut = cut.slice(0, lastSpace);
  }
  cut = cut.replace(/[\s.,;:،؛\-–—([«"“'‘]+$/u, '');
  if (cut === '') {
    cut = text.slice(0, max - 1);
    if (isHigh(cut.charCodeAt(cut.length - 1))) cut = cut.slice(0, -1);
  }
  return cut + '…';
}
