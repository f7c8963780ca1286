// Feed autodiscovery in HTML pages, and telling an HTML page from a feed.
import { Parser } from 'htmlparser2';

const FEED_TYPES = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/rdf+xml',
  'application/feed+json',
  'application/json',
  'application/x.atom+xml',
  'application/x-atom+xml',
  'application/x-rss+xml',
  'text/xml',
  'application/xml',
]);

/** Feed URLs announced by `<link rel="alternate" type="…feed type…" href>`, absolute, in document order. */
export function discoverFeedLinks(html: string, baseUrl: string): string[] {
  const found: string[] = [];
  let base = baseUrl;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'base' && attrs.href) {
          try {
            base = new URL(attrs.href, baseUrl).href;
          } catch {
            /* keep the document URL */
          }
          return;
        }
        if (name !== 'link' || !attrs.href) return;
        const rels = (attrs.rel ?? '').toLowerCase().split(/\s+/);
        const type = (attrs.type ?? '').toLowerCase().split(';')[0]?.trim() ?? '';
        if (!rels.includes('alternate') || !FEED_TYPES.has(type)) return;
        try {
          const url = new URL(attrs.href.trim(), base);
          if ((url.protocol === 'http:' || url.protocol === 'https:') && !found.includes(url.href))
            found.push(url.href);
        } catch {
          /* unusable href */
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return found;
}

const HTML_ROOTS = new Set([
  'html',
  'head',
  'body',
  'meta',
  'title',
  'script',
  'div',
  'p',
  'a',
  'style',
]);

/** True for an HTML page (doctype html or an HTML root element), false for XML feeds and JSON. */
export function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 8192);
  let doctypeHtml = false;
  let root: string | null = null;
  const parser = new Parser(
    {
      onprocessinginstruction(name, data) {
        if (name.toLowerCase() === '!doctype' && /^!doctype\s+html\b/i.test(data))
          doctypeHtml = true;
      },
      onopentag(name) {
        if (root === null) root = name;
      },
    },
    { xmlMode: false, lowerCaseTags: true },
  );
  parser.end(head);
  if (doctypeHtml) return true;
  return root !== null && HTML_ROOTS.has(root);
}
