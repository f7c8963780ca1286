// OPML import: every feed outline becomes a runtime source (kept in Redis; the config file is
// never touched). Ids are derived from titles or hosts and made unique. Each feed is checked the
// way POST /admin/api/sources checks one (in parallel, a few at a time) unless verify is off.
import { readFile } from 'node:fs/promises';
import { Parser } from 'htmlparser2';
import { z } from 'zod';
import type { Config, SourceConfig } from '../domain/types.ts';
import { sourceSettings } from '../config/schema.ts';
import { withSourceSettings } from '../pipeline/source-fetch.ts';
import type { Store } from '../store/index.ts';
import { allSources } from './sources.ts';
import { resolveFeed } from './resolve-feed.ts';
import { sourceSlug, uniqueId } from './slug.ts';
import type { ResolvedFeed } from './resolve-feed.ts';

export interface OpmlOutline {
  title: string | null;
  xmlUrl: string;
  htmlUrl: string | null;
  lang: string | null;
  /** The `tributary` attribute: the source's own settings as JSON (same keys as the config). */
  settings?: string | null;
}

/** `<outline … tributary='{"fullText":"always","fetch":{"charset":"windows-1256"}}'>` */
const settingsSchema = z.strictObject(sourceSettings).partial();

function readSettings(o: OpmlOutline): Partial<SourceConfig> | string {
  if (!o.settings) return {};
  let json: unknown;
  try {
    json = JSON.parse(o.settings);
  } catch {
    return 'the tributary attribute is not JSON';
  }
  const r = settingsSchema.safeParse(json);
  if (r.success) return r.data as Partial<SourceConfig>;
  return `invalid tributary settings: ${r.error.issues
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ')}`;
}

export function parseOpml(text: string): OpmlOutline[] {
  const out: OpmlOutline[] = [];
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name.toLowerCase() !== 'outline') return;
        const xmlUrl = attrs.xmlUrl ?? attrs.xmlurl;
        if (!xmlUrl) return;
        out.push({
          title: attrs.title ?? attrs.text ?? null,
          xmlUrl: xmlUrl.trim(),
          htmlUrl: attrs.htmlUrl ?? attrs.htmlurl ?? null,
          lang: attrs.language ?? null,
          settings: attrs.tributary ?? null,
        });
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(text);
  parser.end();
  return out;
}

/** The id of a source made from this outline (its title, Arabic transliterated; see slug.ts). */
export function slugFor(o: OpmlOutline): string {
  return sourceSlug(o.title, o.xmlUrl);
}

export interface OpmlFeedReport {
  /** The outline's xmlUrl as written. */
  url: string;
  outcome: 'added' | 'skipped';
  /** The new source's id (added). */
  id?: string;
  /** The feed URL saved, when it differs from `url` (found on an HTML page, or moved). */
  feedUrl?: string;
  /** Why it was skipped. */
  reason?: string;
}

export interface OpmlImportResult {
  added: string[];
  skipped: { url: string; reason: string }[];
  /** One line per feed outline, in document order. */
  feeds: OpmlFeedReport[];
}

export interface OpmlImportOptions {
  section: string | null;
  /**
   * Check each feed as POST /admin/api/sources does (fetch it, follow an HTML page to its feed,
   * prove it parses) before saving it. Default true.
   */
  verify?: boolean;
  /** Feeds checked at once (default 6). */
  concurrency?: number;
}

export async function importOpmlFile(
  config: Pick<Config, 'sources' | 'fetch'>,
  store: Store,
  file: string,
  opts: OpmlImportOptions,
): Promise<OpmlImportResult> {
  return importOpml(config, store, await readFile(file, 'utf8'), opts);
}

/** Runs fn over items with at most `limit` running at once; results in input order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

type Checked =
  | {
      ok: true;
      outline: OpmlOutline;
      feed: ResolvedFeed | null;
      settings: Partial<SourceConfig>;
    }
  | { ok: false; url: string; reason: string };

/**
 * Adds every feed outline of an OPML document as a runtime source. URLs already present are
 * skipped; unless `verify` is false, so is every feed that POST /admin/api/sources would refuse
 * (404, an HTML page without a feed, a private address…), with the reason.
 */
export async function importOpml(
  config: Pick<Config, 'sources' | 'fetch'>,
  store: Store,
  text: string,
  opts: OpmlImportOptions,
): Promise<OpmlImportResult> {
  const outlines = parseOpml(text);
  const existing = await allSources(config, store);
  const ids = new Set(existing.map((s) => s.id));
  const urls = new Set(existing.map((s) => s.url));
  const verify = opts.verify ?? true;
  const seenInFile = new Set<string>();
  const checked = await mapBounded(outlines, opts.concurrency ?? 6, async (o): Promise<Checked> => {
    let url: URL;
    try {
      url = new URL(o.xmlUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    } catch {
      return { ok: false, url: o.xmlUrl, reason: 'not an http(s) URL' };
    }
    if (urls.has(url.href)) return { ok: false, url: url.href, reason: 'already a source' };
    if (seenInFile.has(url.href))
      return { ok: false, url: url.href, reason: 'listed twice in this file' };
    seenInFile.add(url.href);
    const outline = { ...o, xmlUrl: url.href };
    const settings = readSettings(o);
    if (typeof settings === 'string') return { ok: false, url: url.href, reason: settings };
    if (!verify) return { ok: true, outline, feed: null, settings };
    // Checked with the source's own headers and credentials, as its polls will fetch it.
    const asSource = { id: 'opml', url: url.href, ...settings } as SourceConfig;
    try {
      const feed = await resolveFeed(config.fetch, url.href, (req) =>
        withSourceSettings(req, asSource),
      );
      return { ok: true, outline, feed, settings };
    } catch (e) {
      return { ok: false, url: url.href, reason: (e as Error).message };
    }
  });
  const added: string[] = [];
  const skipped: OpmlImportResult['skipped'] = [];
  const feeds: OpmlFeedReport[] = [];
  const skip = (url: string, reason: string) => {
    skipped.push({ url, reason });
    feeds.push({ url, outcome: 'skipped', reason });
  };
  // Ids and duplicates are settled in document order, so a re-run gives the same ids.
  for (const c of checked) {
    if (!c.ok) {
      skip(c.url, c.reason);
      continue;
    }
    const { outline: o, feed, settings } = c;
    const feedUrl = feed?.url ?? o.xmlUrl;
    if (urls.has(feedUrl)) {
      skip(o.xmlUrl, `already a source (${feedUrl})`);
      continue;
    }
    const id = uniqueId(slugFor(o), ids);
    const source: SourceConfig = {
      id,
      url: feedUrl,
      title: o.title ?? feed?.title ?? null,
      lang: (o.lang ?? feed?.lang)?.toLowerCase() ?? null,
      interval: null,
      tags: [],
      priority: 0,
      enabled: true,
      origin: 'runtime',
      ...(opts.section ? { sections: [opts.section] } : {}),
      ...settings,
    };
    await store.sources.putRuntime(source);
    ids.add(id);
    urls.add(feedUrl);
    added.push(id);
    feeds.push({
      url: o.xmlUrl,
      outcome: 'added',
      id,
      ...(feedUrl !== o.xmlUrl ? { feedUrl } : {}),
    });
  }
  return { added, skipped, feeds };
}
