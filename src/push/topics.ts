// Which URLs are our WebSub topics, and the hub/self links every section feed and digest carries.
// A topic is exactly a self URL we advertise: a section feed (/feeds/{id}.rss|.atom|.json, also
// with the query filters and page cursor it is served with, in the canonical form its own
// rel=self names) or a digest (/feeds/{id}/digest.rss|.atom|.json, ?period=weekly).
import type { Config } from '../domain/types.ts';
import type { FeedLink } from '../publish/prepare.ts';

export const HUB_PATH = '/websub';

export function hubUrl(config: Pick<Config, 'site'>): string {
  return `${config.site.baseUrl}${HUB_PATH}`;
}

/** The rel=hub link for documents (FeedMeta.links) and the HTTP `Link` header; none without a hub. */
export function hubLinks(
  config: Pick<Config, 'site' | 'push'>,
  selfUrl: string,
): { links: FeedLink[]; header: string | null } {
  if (!config.push.hub) return { links: [], header: null };
  const hub = hubUrl(config);
  return {
    links: [{ rel: 'hub', href: hub }],
    header: `<${hub}>; rel="hub", <${selfUrl}>; rel="self"`,
  };
}

/**
 * The section a topic URL belongs to, when it names one of ours (the hub still renders it and
 * compares its rel=self before accepting it); null otherwise.
 */
export function topicSection(
  config: Pick<Config, 'site' | 'sections'>,
  topic: string,
): string | null {
  const base = `${config.site.baseUrl}/feeds/`;
  if (!topic.startsWith(base)) return null;
  let u: URL;
  try {
    u = new URL(topic);
  } catch {
    return null;
  }
  const m = /^\/feeds\/([a-z0-9-]+)(?:\.(?:rss|atom|json)|\/digest\.(?:rss|atom|json))$/.exec(
    u.pathname,
  );
  if (!m || !config.sections.some((s) => s.id === m[1])) return null;
  return m[1]!;
}

/** The rel="self" target of an HTTP Link header value. */
export function selfFromLink(link: string | null): string | null {
  if (!link) return null;
  const m = /<([^>]*)>\s*;\s*rel="?self"?/.exec(link);
  return m ? m[1]! : null;
}

/** The path and query of one of our URLs (what the app is asked for). */
export function localPath(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}
