// renderFeed: one section's items as RSS 2.0, Atom 1.0 or JSON Feed 1.1. Items are cleaned and
// validated once (prepare.ts), then handed to one renderer per format.
import type { OutputFormat, PublishedItem, SiteConfig } from '../domain/types.ts';
import { renderAtom } from './atom.ts';
import { cleanText, safeHttpUrl, safeLang } from './clean.ts';
import { renderJsonFeed } from './json-feed.ts';
import { prepareItems } from './prepare.ts';
import type { PreparedItem } from './prepare.ts';
import { renderRss } from './rss.ts';

export interface FeedMeta {
  id: string;
  title: string;
  description: string;
  lang: string;
  site: SiteConfig;
  selfUrl: string;
  htmlUrl: string;
  nextUrl: string | null;
  updated: Date;
  formatUrls: { rss: string; atom: string; json: string };
  /** Our WebSub hub, advertised as rel=hub (absent or null: no hub). */
  hubUrl?: string | null;
}

/** FeedMeta after cleaning: every string XML-safe, every URL valid http(s). */
export interface PreparedMeta {
  /** Feed id as an IRI (Atom `<id>`). */
  idIri: string;
  title: string;
  description: string;
  lang: string;
  siteTitle: string;
  selfUrl: string;
  htmlUrl: string;
  nextUrl: string | null;
  updated: Date;
  formatUrls: { rss: string; atom: string; json: string };
  hubUrl: string | null;
}

function requireUrl(name: string, value: string): string {
  const url = safeHttpUrl(value);
  if (url === null)
    throw new Error(
      `renderFeed: meta.${name} is not a valid http(s) URL: ${JSON.stringify(value)}`,
    );
  return url;
}

export function prepareMeta(meta: FeedMeta, format: OutputFormat): PreparedMeta {
  const id = cleanText(meta.id).trim();
  const selfUrl = requireUrl('selfUrl', meta.selfUrl);
  const formatUrls = {
    rss: safeHttpUrl(meta.formatUrls.rss) ?? (format === 'rss' ? selfUrl : ''),
    atom: safeHttpUrl(meta.formatUrls.atom) ?? (format === 'atom' ? selfUrl : ''),
    json: safeHttpUrl(meta.formatUrls.json) ?? (format === 'json' ? selfUrl : ''),
  };
  const updated = Number.isNaN(meta.updated.getTime()) ? new Date(0) : meta.updated;
  return {
    idIri: /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(id)
      ? id
      : `urn:tributary:section:${encodeURIComponent(id)}`,
    title: cleanText(meta.title).trim() || cleanText(meta.site.title).trim() || id,
    description: cleanText(meta.description).trim(),
    lang: safeLang(meta.lang) ?? 'en',
    siteTitle: cleanText(meta.site.title).trim() || 'Tributary',
    selfUrl,
    htmlUrl: requireUrl('htmlUrl', meta.htmlUrl),
    nextUrl: safeHttpUrl(meta.nextUrl),
    updated,
    formatUrls,
    hubUrl: safeHttpUrl(meta.hubUrl ?? null),
  };
}

/**
 * Renders items (given newest first; order kept) in one format. Items with a link that does not
 * parse as an http(s) URL are left out; every string is cleaned of characters XML forbids.
 * Throws only when the meta URLs are invalid (a configuration error).
 */
export function renderFeed(format: OutputFormat, meta: FeedMeta, items: PublishedItem[]): string {
  const m = prepareMeta(meta, format);
  return renderPrepared(format, m, prepareItems(items, m.updated).items);
}

/** The one switch over formats, for feeds and digests alike. */
export function renderPrepared(
  format: OutputFormat,
  m: PreparedMeta,
  prepared: PreparedItem[],
): string {
  switch (format) {
    case 'rss':
      return renderRss(m, prepared);
    case 'atom':
      return renderAtom(m, prepared);
    case 'json':
      return renderJsonFeed(m, prepared);
    default: {
      const never: never = format;
      throw new Error(`renderFeed: unknown format ${String(never)}`);
    }
  }
}
