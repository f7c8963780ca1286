// OPML 2.0 listing every section feed (one outline per section, pointing at its RSS).
import type { SiteConfig } from '../domain/types.ts';
import { cleanText, escapeXml, safeHttpUrl, safeLang } from './clean.ts';

export interface OpmlSection {
  id: string;
  title: string;
  lang: string;
  urls: { rss: string; atom: string; json: string };
}

/** The index page's block for a section (pages.ts gives each block `id="section-<id>"`). */
export function sectionHtmlUrl(baseUrl: string, sectionId: string): string | null {
  const base = safeHttpUrl(baseUrl);
  if (base === null) return null;
  return new URL(
    `#section-${encodeURIComponent(sectionId)}`,
    base.endsWith('/') ? base : `${base}/`,
  ).href;
}

export function renderOpml(input: { site: SiteConfig; sections: OpmlSection[] }): string {
  const title = cleanText(input.site.title).trim() || 'Tributary';
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeXml(title)}</title>`,
    '  </head>',
    '  <body>',
  ];
  for (const s of input.sections) {
    const xmlUrl = safeHttpUrl(s.urls.rss);
    if (xmlUrl === null) continue;
    const text = cleanText(s.title).trim() || cleanText(s.id);
    const htmlUrl = sectionHtmlUrl(input.site.baseUrl, cleanText(s.id));
    const lang = safeLang(s.lang);
    let line = `    <outline type="rss" text="${escapeXml(text)}" title="${escapeXml(text)}" xmlUrl="${escapeXml(xmlUrl)}"`;
    if (htmlUrl) line += ` htmlUrl="${escapeXml(htmlUrl)}"`;
    if (lang) line += ` language="${escapeXml(lang)}"`;
    lines.push(`${line}/>`);
  }
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}
