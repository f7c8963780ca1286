// The store stage: writes one tagged article with all three levels of dedupe, then materializes
// its section membership. Every step is idempotent, so a job retried after a crash converges on
// the state of one clean run.
import type { Article, Config } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import type { Curator } from '../curate/curator.ts';
import type { UpsertOutcome } from '../store/articles.ts';
import type { SectionChange } from '../store/sections.ts';
import {
  compactSignature,
  estimateJaccard,
  packSignature,
  unpackSignature,
} from '../text/minhash.ts';
import { applyManualTags } from '../store/curation.ts';
import type { ArticleTokens } from '../text/tokenize.ts';

export interface PersistInput {
  article: Article;
  text: string;
  /** Tokens of title, summary and text (`articleTokens`), when the caller has them. */
  tokens?: ArticleTokens;
  fingerprint: { signature: Uint32Array; bands: string[] } | null;
  explicitSections?: string[];
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

async function assignCluster(
  deps: PersistDeps,
  id: string,
  input: PersistInput,
  publishedMs: number,
  sources: string[],
  now: Date,
  expireAt: number,
) {
  const { store, config } = deps;
  const fp = input.fingerprint;
  if (!fp || fp.bands.length === 0)
    return { clusterId: id, clustered: false, repSections: [] as string[] };
  const window = config.dedupe.window;
  // Buckets hold an article for the dedupe window, and never past its own expiry.
  const deadline = Math.min(now.getTime() + window, expireAt);
  const candidates = await store.clusters.swapBuckets(id, fp.bands, deadline, now.getTime());
  let best: { clusterId: string; published: number } | null = null;
  if (candidates.length > 0) {
    const mine = compactSignature(fp.signature);
    const sigs = await store.articles.getSignatures(candidates.slice(0, 200));
    for (const [cid, c] of sigs) {
      if (Math.abs(c.published - publishedMs) > window) continue;
      if (c.sources.every((s) => sources.includes(s)) && sources.length === c.sources.length) {
        // The same outlet re-running a story is an update, not a second source for it.
        continue;
      }
      if (estimateJaccard(mine, unpackSignature(c.sig)) < config.dedupe.threshold) continue;
      const clusterId = c.clusterId ?? cid;
      if (!best || c.published < best.published) best = { clusterId, published: c.published };
    }
  }
  const clusterId = best?.clusterId ?? id;
  const ttl = Math.max(window, config.retention.maxAge);
  const [, , [repSections]] = await Promise.all([
    store.clusters.addMember(clusterId, id, publishedMs, ttl),
    store.articles.setFields(id, { clusterId }),
    // The representative's items now list this article among their related links.
    best ? store.articles.sectionsOf([clusterId]) : Promise.resolve([[]]),
  ]);
  return { clusterId, clustered: best !== null, repSections: repSections ?? [] };
}

export async function persistArticle(
  deps: PersistDeps,
  input: PersistInput,
  now: Date,
): Promise<PersistResult | null> {
  const { store, config, curator } = deps;
  const a = input.article;
  const publishedMs = Date.parse(a.published);
  const expireAt = publishedMs + config.retention.maxAge;
  if (expireAt <= now.getTime()) return null; // already past retention: never stored

  // Level 1 is the stable id itself (guid, else canonical URL, else title+date).
  // Level 2: the same canonical URL from another source (or under a new guid) is one article.
  const id = a.url ? await store.articles.claimUrl(a.url, a.id, expireAt) : a.id;
  const owner = id === a.id;
  // Tags an editor added or removed by hand survive every re-poll.
  const tagged = { ...a, tags: applyManualTags(a.tags, await store.curation.manualTags(id)) };
  const signature =
    input.fingerprint && input.fingerprint.bands.length > 0
      ? packSignature(input.fingerprint.signature)
      : null;
  const res = await store.articles.upsert(
    id,
    owner ? tagged : { ...tagged, id },
    owner,
    now,
    expireAt,
    signature,
  );

  // Level 3: near-duplicate text from other sources joins a story cluster (once per article).
  let clustered = false;
  let alsoChanged: string[] = [];
  if (res.clusterId === null) {
    const c = await assignCluster(deps, id, input, publishedMs, res.sources, now, expireAt);
    clustered = c.clustered;
    alsoChanged = c.repSections;
  }

  const sections = curator.sectionsFor({
    tags: tagged.tags,
    sources: res.sources,
    lang: a.lang,
    title: a.title,
    summary: a.summary,
    text: input.text,
    tokens: input.tokens,
    explicitSections: input.explicitSections ?? [],
  });
  return {
    id,
    outcome: res.outcome,
    clustered,
    publishedMs,
    sections,
    previousSections: res.sections,
    contentChanged: res.outcome !== 'unchanged' || clustered,
    alsoChanged,
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
