// Atom `type="xhtml"` text constructs, read in document order. xml2js (under rss-parser) keeps
// text and child elements apart, so "Hello <b>world</b> again" would come back reordered; this
// light htmlparser2 pass (xmlMode) serializes them faithfully instead.
import { Parser } from 'htmlparser2';

export interface XhtmlParts {
  title?: string;
  summary?: string;
  content?: string;
}

const local = (name: string) => name.slice(name.indexOf(':') + 1).toLowerCase();
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) => esc(s).replace(/"/g, '&quot;');

/** Per top-level entry, in order: the inner XHTML (wrapper div removed) of its xhtml title/summary/content. */
export function extractAtomXhtml(xml: string): XhtmlParts[] {
  const entries: XhtmlParts[] = [];
  let depth = 0;
  let entryDepth = -1;
  let field: keyof XhtmlParts | null = null;
  let fieldDepth = -1;
  let wrapperDepth = -1;
  let out: string[] = [];
  const openAt: number[] = [];

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        depth++;
        const ln = local(name);
        if (entryDepth < 0 && depth === 2 && ln === 'entry') {
          entryDepth = depth;
          entries.push({});
          return;
        }
        if (field === null) {
          if (
            entryDepth > 0 &&
            depth === entryDepth + 1 &&
            (ln === 'title' || ln === 'summary' || ln === 'content')
          ) {
            if ((attrs.type ?? '').toLowerCase() === 'xhtml') {
              field = ln;
              fieldDepth = depth;
              wrapperDepth = -1;
              out = [];
            }
          }
          return;
        }
        if (
          depth === fieldDepth + 1 &&
          ln === 'div' &&
          wrapperDepth < 0 &&
          out.join('').trim() === ''
        ) {
          wrapperDepth = depth;
          return;
        }
        const attrText = Object.entries(attrs)
          .filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:'))
          .map(
            ([k, v]) =>
              ` ${local(k) === k ? k : k.startsWith('xml:') ? k : local(k)}="${escAttr(v)}"`,
          )
          .join('');
        openAt.push(out.length);
        out.push(`<${ln}${attrText}>`);
      },
      ontext(text) {
        if (field !== null) out.push(esc(text));
      },
      onclosetag(name) {
        const ln = local(name);
        if (field !== null) {
          if (depth === fieldDepth) {
            const entry = entries[entries.length - 1];
            if (entry) entry[field] = out.join('').trim();
            field = null;
          } else if (depth !== wrapperDepth) {
            const at = openAt.pop();
            // An element with nothing inside is written self-closed (`<br />`, `<img … />`).
            if (at !== undefined && at === out.length - 1) out[at] = out[at]!.replace(/>$/, ' />');
            else out.push(`</${ln}>`);
          }
        } else if (depth === entryDepth && ln === 'entry') {
          entryDepth = -1;
        }
        depth--;
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
  return entries;
}
