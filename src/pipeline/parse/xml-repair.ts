// Making feed XML safe to parse: invalid characters, DOCTYPE (entity bombs) and stray `&`.
import { decodeHTML } from 'entities';

import { stripInvalidXmlChars } from '../../text/xml-chars.ts';

/** C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF: not allowed in XML 1.0. */
export { stripInvalidXmlChars };

/**
 * Removes every `<!DOCTYPE …>` declaration, internal subset included. The parser never fetches
 * external DTDs, and without the internal subset there is nothing to expand: an entity bomb
 * ("billion laughs") is reduced to a few unknown entity references, which the repair pass then
 * escapes as text. Linear in the input.
 */
export function stripDoctype(xml: string): { xml: string; entityDeclarations: boolean } {
  let out = '';
  let entityDeclarations = false;
  let from = 0;
  // A case-insensitive search, not indexOf on a lower-cased copy of the whole feed (a copy of
  // 100s of KB per poll, for a declaration that is rarely there).
  const DOCTYPE = /<!doctype/gi;
  for (;;) {
    DOCTYPE.lastIndex = from;
    const start = DOCTYPE.exec(xml)?.index ?? -1;
    if (start < 0) break;
    out += xml.slice(from, start);
    let i = start + 9;
    // Scan to the closing `>`, stepping over a bracketed internal subset and quoted strings.
    let inSubset = false;
    let quote = '';
    for (; i < xml.length; i++) {
      const c = xml[i];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '[') {
        inSubset = true;
      } else if (c === ']') {
        inSubset = false;
      } else if (c === '>' && !inSubset) {
        break;
      }
    }
    if (/<!ENTITY/i.test(xml.slice(start, i))) entityDeclarations = true;
    from = i + 1;
  }
  return {
    xml: from === 0 ? xml : out + xml.slice(Math.min(from, xml.length)),
    entityDeclarations,
  };
}

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

function isValidXmlCodePoint(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Fixes `&` usage outside CDATA/comments: HTML named entities become numeric references, bare `&` becomes `&amp;`. */
function repairAmpersands(text: string): string {
  return text.replace(
    /&(?:(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});)?/g,
    (m, ref: string | undefined) => {
      if (ref === undefined) return '&amp;';
      if (ref.startsWith('#')) {
        const cp =
          ref[1] === 'x' || ref[1] === 'X'
            ? parseInt(ref.slice(2), 16)
            : parseInt(ref.slice(1), 10);
        return isValidXmlCodePoint(cp) ? m : '';
      }
      if (XML_ENTITIES.has(ref)) return m;
      const decoded = decodeHTML(m);
      if (decoded === m) return `&amp;${ref};`;
      return [...decoded].map((ch) => `&#${ch.codePointAt(0)};`).join('');
    },
  );
}

/** Escapes bare `&` and turns HTML named entities into numeric references, outside CDATA sections and comments. */
export function repairEntities(s: string): string {
  let out = '';
  const protectedRe = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (let m = protectedRe.exec(s); m; m = protectedRe.exec(s)) {
    out += repairAmpersands(s.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + repairAmpersands(s.slice(last));
}
