// Every source as an OPML 2.0 document (admin API and desk export).
import type { SourceConfig } from '../../domain/types.ts';
import { escapeXml, cleanText } from '../../publish/clean.ts';

export function renderSourcesOpml(
  title: string,
  sources: readonly SourceConfig[],
  now: Date,
): string {
  const attr = (v: string) => escapeXml(cleanText(v));
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${attr(`${title} — sources`)}</title>`,
    `    <dateCreated>${now.toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
  ];
  for (const s of sources) {
    const text = s.title || s.id;
    let line = `    <outline type="rss" text="${attr(text)}" title="${attr(text)}" xmlUrl="${attr(s.url)}"`;
    if (s.lang) line += ` language="${attr(s.lang)}"`;
    if (s.tags.length) line += ` category="${attr(s.tags.join(','))}"`;
    lines.push(`${line}/>`);
  }
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}
