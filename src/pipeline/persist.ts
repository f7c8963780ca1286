// The store stage: classifies and records one tagged article (all dedupe levels live in
// pipeline/dedupe/classify.ts), then works out its section membership. Every step is idempotent,
// so a job retried after a crash converges on the state of one clean run.
import type { Article, Config } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import type { Curator } from '../curate/curator.ts';
import type { UpsertOutcome } from '../store/articles.ts';
import type { SectionChange } from '../store/sections.ts';
import { applyManualTags } from '../store/curation.ts';
import type { ArticleTokens } from '../text/tokenize.ts';
import { classifyArticle } from './dedupe/classify.ts';
import type { DedupeStore } from './dedupe/classify.ts';

export interface PersistInput {
  article: Article;
  text: string;
  /** Tokens of title, summary and text (`articleTokens`), when the caller has them. */
  tokens?: ArticleTokens;
  fingerprint: { signature: Uint32Array; bands: string[] } | null;
  explicitSections?: string[];
  /** Ids of this poll's other articles from the same source (see `classifyArticle`). */
  sameSourceIds?: ReadonlySet<string>;
}

export interface PersistResult {
  id: string;
  outcome: UpsertOutcome;
  clustered: boolean;
  publishedMs: number;
  /** Sections the article belongs to now, and those it was indexed in before. */
  sections: string[];
  previousSections: string[];
  contentChanged: boolean;
  /** Other sections whose rendering this write changed (the story's representative shows a new related link). */
  alsoChanged: string[];
}

export interface PersistDeps {
  config: Pick<Config, 'retention' | 'dedupe' | 'sources'>;
  store: Store;
  curator: Curator;
  /** source id -> priority, for choosing cluster representatives */
  priorityOf(sourceId: string): number;
}

/** The store's operations under the names dedupe uses. */
export function dedupeStore(store: Store): DedupeStore {
  return {
    claimUrl: (url, id, expireAtMs) => store.articles.claimUrl(url, id, expireAtMs),
    ownerOf: async (id) => (await store.articles.get(id))?.sourceId ?? null,
    tagsFor: async (id, computed) => applyManualTags(computed, await store.curation.manualTags(id)),
    upsert: (...args) => store.articles.upsert(...args),
    swapBuckets: (id, bands, deadlineMs, nowMs, limits) =>
      store.clusters.swapBuckets(id, bands, deadlineMs, nowMs, limits),
    storiesOf: (ids) => store.clusters.storiesOf(ids),
    getSignatures: (ids) => store.articles.getSignatures(ids),
    joinStory: async (clusterId, id, publishedMs, ttlMs) => {
      await Promise.all([
        store.clusters.addMember(clusterId, id, publishedMs, ttlMs),
        store.articles.setFields(id, { clusterId }),
      ]);
    },
    sectionsOf: async (id) => (await store.articles.sectionsOf([id]))[0] ?? [],
  };
}

/** Stores one article; null when it is already past retention (never stored). */
export async function persistArticle(
  deps: PersistDeps,
  input: PersistInput,
  now: Date,
): Promise<PersistResult | null> {
  const c = await classifyArticle(
    { config: deps.config, store: dedupeStore(deps.store) },
    input,
    now,
  );
  if (c.kind === 'too-old') return null;
  const a = c.article;
  const sections = deps.curator.sectionsFor({
    tags: a.tags,
    sources: c.sources,
    lang: a.lang,
    title: a.title,
    summary: a.summary,
    text: input.text,
    tokens: input.tokens,
    explicitSections: input.explicitSections ?? [],
  });
  return {
    id: c.id,
    outcome: c.outcome,
    clustered: c.sameStory,
    publishedMs: c.publishedMs,
    sections,
    previousSections: c.previousSections,
    contentChanged: c.kind !== 'unchanged' || c.sameStory,
    alsoChanged: c.alsoChanged,
  };
}

/**
 * Materializes section membership for a poll's articles: one atomic script per section (adds,
 * removals, one version bump), then each article's own record of its sections, then the global
 * index. In this order a crash at any point is repaired by the retry.
 */
export async function indexArticles(
  store: Store,
  results: readonly PersistResult[],
  maxPerSection = 0,
): Promise<string[]> {
  const batch = new Map<string, SectionChange>();
  const entry = (s: string) => {
    let c = batch.get(s);
    if (!c) batch.set(s, (c = { add: [], remove: [], changed: false }));
    return c;
  };
  for (const r of results) {
    for (const s of r.sections) {
      const c = entry(s);
      c.add.push([r.publishedMs, r.id]);
      if (r.contentChanged) c.changed = true;
    }
    for (const s of r.previousSections) if (!r.sections.includes(s)) entry(s).remove.push(r.id);
    for (const s of r.alsoChanged) entry(s).changed = true;
  }
  const changed = await store.sections.apply(batch, maxPerSection);
  await Promise.all(
    results
      .filter((r) => r.sections.join(',') !== r.previousSections.join(','))
      .map((r) => store.articles.setFields(r.id, { sections: r.sections })),
  );
  await store.articles.trackMany(results.map((r) => [r.publishedMs, r.id]));
  return changed;
}
