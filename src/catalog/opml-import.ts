// OPML import: every feed outline becomes a runtime source (kept in Redis; the config file is
// never touched). Ids are derived from titles or hosts and made unique.
import { readFile } from 'node:fs/promises';
import { Parser } from 'htmlparser2';
import type { Config, SourceConfig } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import { allSources } from './sources.ts';

export interface OpmlOutline {
  title: string | null;
  xmlUrl: string;
  htmlUrl: string | null;
  lang: string | null;
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
        });
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(text);
  parser.end();
  return out;
}

export function slugFor(o: OpmlOutline): string {
  const fromTitle = (o.title ?? '')
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (fromTitle.length >= 3) return fromTitle.slice(0, 48);
  try {
    return new URL(o.xmlUrl).hostname
      .replace(/^www\./, '')
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 48);
  } catch {
    return 'feed';
  }
}

export interface OpmlImportResult {
  added: string[];
  skipped: { url: string; reason: string }[];
}

export async function importOpmlFile(
  config: Config,
  store: Store,
  file: string,
  opts: { section: string | null },
): Promise<OpmlImportResult> {
  return importOpml(config, store, await readFile(file, 'utf8'), opts);
}

/** Adds every feed outline of an OPML document as a runtime source (URLs already present are skipped). */
export async function importOpml(
  config: Pick<Config, 'sources'>,
  store: Store,
  text: string,
  opts: { section: string | null },
): Promise<OpmlImportResult> {
  const outlines = parseOpml(text);
  const existing = await allSources(config, store);
  const ids = new Set(existing.map((s) => s.id));
  const urls = new Set(existing.map((s) => s.url));
  const added: string[] = [];
  const skipped: OpmlImportResult['skipped'] = [];
  for (const o of outlines) {
    let url: URL;
    try {
      url = new URL(o.xmlUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    } catch {
      skipped.push({ url: o.xmlUrl, reason: 'not an http(s) URL' });
      continue;
    }
    if (urls.has(url.href)) {
      skipped.push({ url: url.href, reason: 'already a source' });
      continue;
    }
    let id = slugFor(o);
    for (let n = 2; ids.has(id); n++) id = `${slugFor(o)}-${n}`;
    const source: SourceConfig = {
      id,
      url: url.href,
      title: o.title,
      lang: o.lang?.toLowerCase() ?? null,
      interval: null,
      tags: [],
      priority: 0,
      enabled: true,
      origin: 'runtime',
      ...(opts.section ? { sections: [opts.section] } : {}),
    };
    await store.sources.putRuntime(source);
    ids.add(id);
    urls.add(url.href);
    added.push(id);
  }
  return { added, skipped };
}
