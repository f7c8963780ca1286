// `tributary retag [--dry-run]`: re-applies the current tag rules and section definitions to every
// stored article, so rule edits reach old articles. Pages through the global article index,
// recomputes tags (keywords over title/summary/text, the source's configured tags, feed
// categories; manual tags from the curation store on top) and sections, and — unless dry-running —
// writes what changed: the article's tags, its section index entries and its `secs` field.
// Returns the diff either way.
//
// A service still running with the old config re-tags articles it re-polls with the old rules:
// restart it (or run retag after it picked up the new config).
import type { Writable } from 'node:stream';
import type { Article, Config, SourceConfig, StoredArticle } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import { applyManualTags } from '../store/curation.ts';
import { createTagger } from '../pipeline/tag/tagger.ts';
import { createCurator } from '../curate/curator.ts';
import { htmlToText } from '../text/html-text.ts';
import { allSources } from '../catalog/sources.ts';
import type { Logger } from 'pino';

export interface RetagChange {
  id: string;
  title: string;
  tagsBefore: string[];
  tagsAfter: string[];
  sectionsBefore: string[];
  sectionsAfter: string[];
}

export interface RetagResult {
  /** Stored articles examined (index entries whose article already expired are not counted). */
  scanned: number;
  changed: RetagChange[];
  /** Articles re-polled or expired while retagging (left as the poll wrote them). */
  lostRaces: number;
}

export interface RetagDeps {
  config: Pick<Config, 'tags' | 'sections' | 'sources'>;
  store: Store;
  log?: Pick<Logger, 'info' | 'warn'>;
}

export interface RetagOptions {
  dryRun: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Articles read per round trip (default 200). */
  pageSize?: number;
  /**
   * Only the articles of this source (after its tags or sections changed: PATCH
   * /admin/api/sources/:id applies the change at once this way).
   */
  sourceId?: string;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);
const sorted = (xs: readonly string[]) => [...xs].sort();

/** The plain article of a stored one (what the article hash holds), with `tags`: every field kept. */
export function toArticle(s: StoredArticle, tags: string[]): Article {
  const { sources: _s, clusterId: _c, firstSeen: _f, ...a } = s;
  return { ...a, tags };
}

export async function runRetag(deps: RetagDeps, opts: RetagOptions): Promise<RetagResult> {
  const { config, store } = deps;
  const tagger = createTagger(config.tags);
  const curator = createCurator(config.sections);
  const curation = store.curation;
  const sourceById = new Map<string, SourceConfig>(
    (await allSources(config, store)).map((s) => [s.id, s]),
  );
  const pageSize = opts.pageSize ?? 200;
  const total = opts.sourceId !== undefined ? 0 : await store.articles.total();
  const seen = new Set<string>();
  const changed: RetagChange[] = [];
  let scanned = 0;
  let done = 0;
  let lostRaces = 0;
  if (opts.sourceId === undefined) opts.onProgress?.(0, total);

  const processPage = async (page: string[]): Promise<number> => {
    const ids = page.filter((id) => !seen.has(id));
    ids.forEach((id) => seen.add(id));
    const [articles, sectionRows] = await Promise.all([
      store.articles.getMany(ids),
      store.articles.sectionsOf(ids),
    ]);
    const sectionsById = new Map(ids.map((id, i) => [id, sectionRows[i]!]));
    const manual = await Promise.all(articles.map((a) => curation.manualTags(a.id)));

    await Promise.all(
      articles.map(async (a, i) => {
        scanned++;
        const text = htmlToText(a.contentHtml);
        const owner = sourceById.get(a.sourceId);
        const computed = tagger.tag({
          title: a.title,
          summary: a.summary,
          text,
          categories: a.sourceCategories,
          sourceTags: owner?.tags ?? [],
        });
        // Stored in the order persist would store them (tagger's sorted tags, manual additions last).
        const newTags = applyManualTags(computed, manual[i]!);
        const tagsAfter = sorted(newTags);
        const tagsBefore = sorted(a.tags);
        const explicitSections = [
          ...new Set(a.sources.flatMap((s) => sourceById.get(s)?.sections ?? [])),
        ];
        const sectionsAfter = curator.sectionsFor({
          tags: tagsAfter,
          sources: a.sources,
          lang: a.lang,
          title: a.title,
          summary: a.summary,
          text,
          explicitSections,
        });
        const sectionsBefore = sectionsById.get(a.id) ?? [];
        const tagsChanged = !sameList(tagsBefore, tagsAfter);
        const sectionsChanged = !sameList(sorted(sectionsBefore), sorted(sectionsAfter));
        if (!tagsChanged && !sectionsChanged) return;
        if (!opts.dryRun) {
          if (tagsChanged && !(await store.articles.replace(a.id, toArticle(a, newTags), a))) {
            lostRaces++; // expired or re-polled meanwhile: the poll's write stands
            return;
          }
          await store.sections.index(
            a.id,
            Date.parse(a.published),
            sectionsAfter,
            sectionsBefore,
            tagsChanged,
          );
          if (sectionsChanged) await store.articles.setFields(a.id, { sections: sectionsAfter });
        }
        changed.push({
          id: a.id,
          title: a.title,
          tagsBefore,
          tagsAfter,
          sectionsBefore,
          sectionsAfter,
        });
      }),
    );
    return ids.length;
  };

  if (opts.sourceId !== undefined) {
    const ids = await store.sources.articleIds(opts.sourceId);
    opts.onProgress?.(0, ids.length);
    for (let i = 0; i < ids.length; i += pageSize) {
      done += await processPage(ids.slice(i, i + pageSize));
      opts.onProgress?.(done, ids.length);
    }
  } else {
    for (let offset = 0; ; offset += pageSize) {
      // New articles may enter the index while we page; an id seen twice is done once.
      const page = await store.articles.scanIds(offset, pageSize);
      if (page.length === 0) break;
      done += await processPage(page);
      opts.onProgress?.(Math.min(done, Math.max(total, done)), Math.max(total, done));
    }
  }
  if (lostRaces > 0)
    deps.log?.warn(
      `retag: ${lostRaces} articles changed or expired while retagging; left as the poll wrote them`,
    );
  deps.log?.info(
    `retag: ${scanned} articles scanned, ${changed.length} ${opts.dryRun ? 'would change' : 'changed'}`,
  );
  changed.sort((x, y) => x.id.localeCompare(y.id));
  return { scanned, changed, lostRaces };
}

/** Human-readable report of a retag run: one block per changed article, then a summary line. */
export function formatRetagReport(res: RetagResult, dryRun: boolean): string {
  const lines: string[] = [];
  const diff = (before: string[], after: string[]) => {
    const added = after.filter((x) => !before.includes(x)).map((x) => `+${x}`);
    const removed = before.filter((x) => !after.includes(x)).map((x) => `-${x}`);
    return [...added, ...removed].join(' ') || '(same)';
  };
  for (const c of res.changed) {
    lines.push(`${c.id}  ${c.title}`);
    lines.push(`  tags:     ${diff(c.tagsBefore, c.tagsAfter)}`);
    lines.push(`  sections: ${diff(c.sectionsBefore, c.sectionsAfter)}`);
  }
  lines.push(
    `${res.scanned} articles scanned, ${res.changed.length} ${dryRun ? 'would change (dry run: nothing written)' : 'changed'}.`,
  );
  if (res.lostRaces > 0)
    lines.push(
      `${res.lostRaces} articles changed or expired while retagging; left as the poll wrote them.`,
    );
  return lines.join('\n') + '\n';
}

export interface ProgressBar {
  update(done: number, total: number): void;
  /** Ends the bar's line (TTY) or prints the last count (not a TTY). */
  finish(): void;
}

/**
 * A tiny progress bar: on a TTY one `\r`-rewritten line (`[#####-----]  42%  420/1000`); otherwise
 * a plain line at most every 10% (and at the end), so logs stay readable.
 */
export function progressBar(
  stream: Writable & { isTTY?: boolean; columns?: number },
  label = 'retag',
): ProgressBar {
  const tty = stream.isTTY === true;
  let last = { done: -1, total: 0 };
  let lastDecile = -1;
  let lastDraw = 0;
  const line = (done: number, total: number) => {
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - label.length - 30));
    const fill = Math.round((pct / 100) * width);
    return `${label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${String(pct).padStart(3)}%  ${done}/${total}`;
  };
  return {
    update(done, total) {
      last = { done, total };
      if (tty) {
        const now = Date.now();
        if (done < total && now - lastDraw < 50) return; // at most 20 redraws a second
        lastDraw = now;
        stream.write(`\r${line(done, total)}\x1b[K`);
        return;
      }
      const decile = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (decile === lastDecile) return;
      lastDecile = decile;
      stream.write(`${line(done, total)}\n`);
    },
    finish() {
      if (last.done < 0) return;
      if (tty) stream.write(`\r${line(last.done, last.total)}\x1b[K\n`);
      else if (lastDecile !== 10) stream.write(`${line(last.done, last.total)}\n`);
    },
  };
}
