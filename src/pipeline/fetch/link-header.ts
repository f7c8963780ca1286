// HTTP `Link` header (RFC 8288) for WebSub discovery: the `rel="hub"` and `rel="self"` targets,
// resolved against the response URL. Tolerant: a malformed link-value is skipped, not fatal.
import type { FeedLinks } from '../../domain/types.ts';

/** Every link-value of a Link header: its target and its rel tokens (lower-case). */
export function parseLinkHeader(value: string): { href: string; rels: string[] }[] {
  const out: { href: string; rels: string[] }[] = [];
  // <uri> followed by ;params up to the next comma outside quotes.
  const re = /<([^>]*)>((?:\s*;\s*[^;,"=]+(?:=(?:"(?:[^"\\]|\\.)*"|[^;,]*))?)*)/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const params = m[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;,\s]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    out.push({ href: m[1]!.trim(), rels });
  }
  return out;
}

/** The WebSub links of Link header value(s), absolute; null when there is neither hub nor self. */
export function webSubLinks(
  values: string | string[] | null | undefined,
  base: string,
): FeedLinks | null {
  if (!values) return null;
  const hubs: string[] = [];
  let self: string | null = null;
  for (const v of Array.isArray(values) ? values : [values]) {
    for (const l of parseLinkHeader(v)) {
      let href: string;
      try {
        href = new URL(l.href, base).href;
      } catch {
        continue;
      }
      if (l.rels.includes('hub') && !hubs.includes(href)) hubs.push(href);
      if (l.rels.includes('self') && self === null) self = href;
    }
  }
  return hubs.length || self ? { hubs, self } : null;
}
