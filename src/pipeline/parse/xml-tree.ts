// Feed XML to a small element tree, tolerantly, the way libxml2's recover mode and feedparser's
// loose parser read it: htmlparser2 in xmlMode never gives up. An end tag that closes elements
// still open inside it closes them there; an end tag that closes nothing is ignored; a document
// that stops early is closed at its end; so every element that closed before the damage is
// kept. Each such fix is recorded as a repair. Element names carry a canonical prefix taken from
// the namespace URI (so `<a:feed xmlns:a="…/Atom">` reads as `atom:feed`), lower-cased like
// feedparser does (CDF writes `<CHANNEL>`, RSS 1.1 `<Channel>`).
import { Parser } from 'htmlparser2';

export interface XElement {
  /** `prefix:local`, canonical prefix ('' for no namespace), lower case. */
  name: string;
  local: string;
  /** Attributes by name as written, lower case. */
  attrs: Record<string, string>;
  children: XNode[];
}
export type XNode = XElement | string;

export interface XmlTree {
  root: XElement | null;
  /** What had to be fixed to read the document, `kind: detail` (kind is a metric label). */
  repairs: string[];
}

/** Namespace URI -> the prefix we read it as. RSS 0.9/1.0/1.1 read as plain RSS. */
const NAMESPACES: Record<string, string> = {
  'http://www.w3.org/2005/atom': 'atom',
  'http://purl.org/atom/ns#': 'atom',
  'http://purl.org/rss/1.0/': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://purl.org/net/rss1.1#': '',
  'http://backend.userland.com/rss2': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://purl.org/rss/1.0/modules/syndication/': 'sy',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://purl.oclc.org/net/rss_2.0/enc#': 'enc',
};

/** Deeper elements are dropped (their text kept): the tree is walked recursively, and no feed nests this deep. */
export const MAX_DEPTH = 256;

function lineAt(xml: string, index: number): number {
  let line = 1;
  for (let i = xml.indexOf('\n'); i >= 0 && i < index; i = xml.indexOf('\n', i + 1)) line++;
  return line;
}

export function parseXmlTree(xml: string): XmlTree {
  const repairs: string[] = [];
  let root: XElement | null = null;
  let extraRoots = 0;
  const stack: { el: XElement; scope: Map<string, string> }[] = [];
  const mismatched: string[] = [];
  let ended = false;
  let tooDeep = 0;
  let tooDeepTotal = 0;
  let unclosedAtEnd: string[] = [];

  const scopeOf = () => stack[stack.length - 1]?.scope ?? new Map<string, string>();

  const parser = new Parser(
    {
      onopentag(qname, rawAttrs) {
        if (stack.length >= MAX_DEPTH) {
          tooDeep++;
          tooDeepTotal++;
          return;
        }
        let scope = scopeOf();
        const attrs: Record<string, string> = {};
        for (const [k, v] of Object.entries(rawAttrs)) {
          const key = k.toLowerCase();
          attrs[key] = v;
          if (key === 'xmlns' || key.startsWith('xmlns:')) {
            if (scope === scopeOf()) scope = new Map(scope);
            scope.set(key === 'xmlns' ? '' : key.slice(6), v.trim().toLowerCase());
          }
        }
        const colon = qname.indexOf(':');
        const prefix = colon > 0 ? qname.slice(0, colon) : '';
        const local = qname.slice(colon + 1).toLowerCase();
        const uri = scope.get(prefix);
        const canonical =
          uri !== undefined && uri !== '' ? (NAMESPACES[uri] ?? prefix.toLowerCase()) : prefix;
        const el: XElement = {
          name: `${canonical.toLowerCase()}:${local}`,
          local,
          attrs,
          children: [],
        };
        const parent = stack[stack.length - 1];
        if (parent) parent.el.children.push(el);
        else if (!root) root = el;
        else extraRoots++;
        stack.push({ el, scope });
      },
      ontext(text) {
        const parent = stack[stack.length - 1];
        if (!parent) return;
        const kids = parent.el.children;
        const last = kids[kids.length - 1];
        if (typeof last === 'string') kids[kids.length - 1] = last + text;
        else kids.push(text);
      },
      onclosetag(name, implied) {
        if (tooDeep > 0) return void tooDeep--;
        const top = stack.pop();
        // htmlparser2 reports a self-closed `<x/>` as an implied close too: that one is fine.
        if (!implied || !top || (!ended && xml[parser.endIndex - 1] === '/')) return;
        if (ended) unclosedAtEnd.push(name);
        else if (mismatched.length < 3) {
          mismatched.push(
            `<${name}> closed by an outer end tag at line ${lineAt(xml, parser.startIndex)}`,
          );
        } else mismatched.push('');
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeCDATA: true, recognizeSelfClosing: true },
  );
  parser.write(xml);
  ended = true;
  parser.end();

  if (mismatched.length > 0) {
    const shown = mismatched.filter((m) => m !== '');
    repairs.push(
      `mismatched-tag: ${shown.join('; ')}${mismatched.length > shown.length ? ` (and ${mismatched.length - shown.length} more)` : ''}`,
    );
  }
  if (unclosedAtEnd.length > 0) {
    unclosedAtEnd = unclosedAtEnd.reverse();
    repairs.push(
      `unclosed-tag: the document ends inside ${unclosedAtEnd
        .slice(-3)
        .map((n) => `<${n}>`)
        .join(' ')}; closed at the end`,
    );
  }
  if (tooDeepTotal > 0)
    repairs.push(
      `too-deep: ${tooDeepTotal} element(s) nested deeper than ${MAX_DEPTH} levels dropped`,
    );
  if (extraRoots > 0) repairs.push(`extra-root: ${extraRoots} element(s) after the root ignored`);
  return { root, repairs };
}

// ------------------------------------------------------------------ reading the tree

export const elements = (el: XElement | null | undefined): XElement[] =>
  el ? el.children.filter((c): c is XElement => typeof c !== 'string') : [];

/** Text content of an element (all descendant text, in order). */
export function textOf(el: XElement | null | undefined): string {
  if (!el) return '';
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? c : textOf(c);
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) => esc(s).replace(/"/g, '&quot;');

function serialize(node: XNode): string {
  if (typeof node === 'string') return esc(node);
  const attrs = Object.entries(node.attrs)
    .filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:'))
    .map(([k, v]) => ` ${k.startsWith('xml:') ? k : k.slice(k.indexOf(':') + 1)}="${escAttr(v)}"`)
    .join('');
  if (node.children.length === 0) return `<${node.local}${attrs} />`;
  return `<${node.local}${attrs}>${node.children.map(serialize).join('')}</${node.local}>`;
}

/** The children as markup (child elements written out, text escaped). */
export const innerXml = (el: XElement): string => el.children.map(serialize).join('');

/**
 * An element's content as an HTML string: its text when it holds only text (escaped or CDATA
 * HTML, as feeds send it), else its children written out as markup (HTML sent unescaped).
 */
export function htmlOf(el: XElement | null | undefined): string | null {
  if (!el) return null;
  const s = (el.children.some((c) => typeof c !== 'string') ? innerXml(el) : textOf(el)).trim();
  return s === '' ? null : s;
}
