// What an incoming article is to the store, decided in one place: too old to keep, new, an update
// of one we hold, unchanged, and whether it is the same story as another source's article.
// Level 0 (an item exactly as the last poll saw it) is `changedItems` in unchanged.ts, before
// normalize; this module holds levels 1–3:
// 1. the stable id itself (guid, else canonical URL, else title + date: `articleIdFor`);
// 2. the same canonical URL from another source is one article, and so is an item without a guid
//    that a source re-sends under a URL it already holds; within one source, items with different
//    guids are different items even when they share a link (podcast episodes linking the show);
// 3. near-duplicate text from other sources joins a story cluster (once per article).
// Deciding and recording are one step: the store's atomic scripts (URL claim, upsert, bucket
// swap) settle the races between pollers, so a decision made apart from its write could be stale.
// Like every stage, this one does not import the store: it names the operations it needs
// (`DedupeStore`), and persist.ts hands it the store's.
import type { Article, Config } from '../../domain/types.ts';
import { compactSignature, packSignature, unpackSignature } from '../../text/minhash.ts';
import { isSameStoryCompact } from './fingerprint.ts';

/** Result of one article write, as the store's upsert reports it. */
export type UpsertOutcome = 'inserted' | 'updated' | 'merged' | 'unchanged';

/** The store operations dedupe runs on (see store/articles.ts, clusters.ts, curation.ts). */
export interface DedupeStore {
  /** Level 2: claims the canonical URL for `id`, or returns the id already holding it. */
  claimUrl(url: string, id: string, expireAtMs: number): Promise<string>;
  /** The source that owns a stored article (whose item it was made from); null if not stored. */
  ownerOf(id: string): Promise<string | null>;
  /** The article's tags with an editor's manual additions and removals applied. */
  tagsFor(id: string, computed: string[]): Promise<string[]>;
  upsert(
    id: string,
    article: Article,
    owner: boolean,
    now: Date,
    expireAtMs: number,
    signature: Buffer | null,
  ): Promise<{
    outcome: UpsertOutcome;
    sources: string[];
    clusterId: string | null;
    sections: string[];
  }>;
  /**
   * Adds `id` to its LSH buckets until the deadline; returns per band the others in its bucket,
   * newest first: at most `keep`, found among the newest `scan` entries of the band's bucket group.
   */
  swapBuckets(
    id: string,
    bands: string[],
    deadlineMs: number,
    nowMs: number,
    limits: { scan: number; keep: number },
  ): Promise<string[][]>;
  /** The story (cluster id) of each article; null when none is recorded. */
  storiesOf(ids: string[]): Promise<(string | null)[]>;
  getSignatures(ids: string[]): Promise<Map<string, StoryCandidate>>;
  /** Records `id` as a member of story `clusterId` (itself: a story of one). */
  joinStory(clusterId: string, id: string, publishedMs: number, ttlMs: number): Promise<void>;
  /** Sections an article is indexed in. */
  sectionsOf(id: string): Promise<string[]>;
}

export interface ClassifyDeps {
  config: Pick<Config, 'retention' | 'dedupe'>;
  store: DedupeStore;
}

export interface ClassifyInput {
  article: Article;
  fingerprint: { signature: Uint32Array; bands: string[] } | null;
  /**
   * Ids of the articles made from this poll's items of the same source: one of them may hold the
   * URL before its own write lands (the items of a poll are stored concurrently).
   */
  sameSourceIds?: ReadonlySet<string>;
}

/** The upsert's outcome in the product's words. */
export type ArticleClass = 'new' | 'update' | 'unchanged';

export type Classification =
  | { kind: 'too-old'; publishedMs: number }
  | {
      kind: ArticleClass;
      /** The stored id: the article's own, or the one holding its canonical URL (level 2). */
      id: string;
      outcome: UpsertOutcome;
      /** The article as stored (manual tags applied). */
      article: Article;
      publishedMs: number;
      /** The stored id is another article's: the same URL under another source or guid. */
      sameUrl: boolean;
      /** It joined another article's story cluster on this write (level 3). */
      sameStory: boolean;
      /** Sources of the stored article, and the sections it was indexed in before this write. */
      sources: string[];
      previousSections: string[];
      /** Sections of the story's representative, whose related links this write changed. */
      alsoChanged: string[];
    };

const CLASS_OF: Record<UpsertOutcome, ArticleClass> = {
  inserted: 'new',
  updated: 'update',
  // Another source's copy of an article we hold: its sources grew.
  merged: 'update',
  unchanged: 'unchanged',
};

/** An article whose retention ends at or before `nowMs` is never stored. */
export const pastRetention = (publishedMs: number, nowMs: number, maxAgeMs: number): boolean =>
  publishedMs + maxAgeMs <= nowMs;

/** A stored candidate of level 3, as `store.articles.getSignatures` returns it. */
export interface StoryCandidate {
  sig: Buffer;
  published: number;
  clusterId: string | null;
  sources: string[];
}

/**
 * Level 3's decision, pure: the story (cluster id) an article joins among the candidates sharing a
 * band with it, or null. A candidate counts when it was published within the dedupe window, comes
 * from other sources (the same outlet re-running a story is an update, not a second source for
 * it) and reaches the same-story threshold; of several, the earliest story wins.
 */
export function chooseStory(
  mine: { signature: Uint32Array; publishedMs: number; sources: readonly string[] },
  candidates: Iterable<[string, StoryCandidate]>,
  dedupe: Pick<Config['dedupe'], 'window' | 'threshold'>,
): string | null {
  const compact = compactSignature(mine.signature);
  let best: { clusterId: string; published: number } | null = null;
  for (const [cid, c] of candidates) {
    if (Math.abs(c.published - mine.publishedMs) > dedupe.window) continue;
    if (
      c.sources.length === mine.sources.length &&
      c.sources.every((s) => mine.sources.includes(s))
    )
      continue;
    if (!isSameStoryCompact(compact, unpackSignature(c.sig), dedupe.threshold)) continue;
    if (!best || c.published < best.published)
      best = { clusterId: c.clusterId ?? cid, published: c.published };
  }
  return best?.clusterId ?? null;
}

/**
 * Bounds of the near-duplicate lookup, so its cost per article does not grow with the corpus
 * (README, "Bounded near-duplicate lookup"):
 * - per band, only the newest `keep` members of the article's bucket, found among the newest
 *   `scan` entries of the band's bucket group, within the dedupe window;
 * - candidates are grouped by story: each story is compared once, through its representative;
 * - a band whose members belong to `hotStories` or more different stories is hot (text shared by
 *   that many unrelated items is a template: job boards, classifieds, scores) and is skipped;
 * - at most `maxStories` stories are compared.
 */
export const LOOKUP_LIMITS = { scan: 256, keep: 8, hotStories: 4, maxStories: 32 } as const;

/** Counters of the lookup's work since the process started (or `reset`). */
export const lookupStats = {
  /** Articles that looked for their story. */
  lookups: 0,
  /** Candidate signatures read, in all, and at most for one article. */
  signaturesRead: 0,
  maxSignaturesRead: 0,
  /** Bands skipped as hot. */
  hotBands: 0,
  reset() {
    this.lookups = this.signaturesRead = this.maxSignaturesRead = this.hotBands = 0;
  },
};

/** Level 3's reads: the stories worth comparing, and one stored signature per story. */
async function storyCandidates(
  store: DedupeStore,
  perBand: string[][],
): Promise<Map<string, StoryCandidate>> {
  lookupStats.lookups++;
  const ids = [...new Set(perBand.flat())];
  if (ids.length === 0) return new Map();
  const recorded = await store.storiesOf(ids);
  // (An article whose story is not recorded yet is being stored right now: a story of its own.)
  const storyOf = new Map(ids.map((x, i) => [x, recorded[i] ?? x]));
  const stories = new Map<string, string>(); // story -> its newest member seen here
  for (const members of perBand) {
    const distinct = new Set(members.map((m) => storyOf.get(m)!));
    if (distinct.size >= LOOKUP_LIMITS.hotStories) {
      lookupStats.hotBands++;
      continue;
    }
    for (const m of members) {
      const story = storyOf.get(m)!;
      if (!stories.has(story)) stories.set(story, m);
    }
  }
  const reps = [...stories.keys()].slice(0, LOOKUP_LIMITS.maxStories);
  const sigs = reps.length > 0 ? await store.getSignatures(reps) : new Map();
  // A representative that expired: the story's newest member here stands in for it.
  const standIns = reps
    .filter((r) => !sigs.has(r) && stories.get(r) !== r)
    .map((r) => stories.get(r)!);
  if (standIns.length > 0)
    for (const [id, c] of await store.getSignatures(standIns)) sigs.set(id, c);
  const read = reps.length + standIns.length;
  lookupStats.signaturesRead += read;
  lookupStats.maxSignaturesRead = Math.max(lookupStats.maxSignaturesRead, read);
  return sigs;
}

async function assignStory(
  deps: ClassifyDeps,
  id: string,
  fp: { signature: Uint32Array; bands: string[] },
  publishedMs: number,
  sources: string[],
  now: Date,
  expireAt: number,
): Promise<{ sameStory: boolean; repSections: string[] }> {
  const { store, config } = deps;
  const window = config.dedupe.window;
  // Buckets hold an article for the dedupe window, and never past its own expiry.
  const deadline = Math.min(now.getTime() + window, expireAt);
  const perBand = await store.swapBuckets(id, fp.bands, deadline, now.getTime(), LOOKUP_LIMITS);
  const joined = chooseStory(
    { signature: fp.signature, publishedMs, sources },
    await storyCandidates(store, perBand),
    config.dedupe,
  );
  const clusterId = joined ?? id;
  const ttl = Math.max(window, config.retention.maxAge);
  const [, repSections] = await Promise.all([
    store.joinStory(clusterId, id, publishedMs, ttl),
    // The representative's items now list this article among their related links.
    joined ? store.sectionsOf(clusterId) : Promise.resolve([]),
  ]);
  return { sameStory: joined !== null, repSections };
}

/**
 * Level 2: the id an article is stored under, given its canonical URL: its own, or the id of the
 * article already holding the URL, unless that one is another item (another guid) of the same source.
 */
async function urlHolder(
  store: DedupeStore,
  input: ClassifyInput,
  expireAt: number,
): Promise<string> {
  const a = input.article;
  const holder = await store.claimUrl(a.url!, a.id, expireAt);
  if (holder === a.id || a.guid === null) return holder;
  const sameSource =
    input.sameSourceIds?.has(holder) || (await store.ownerOf(holder)) === a.sourceId;
  return sameSource ? a.id : holder;
}

/** Classifies an incoming (normalized, tagged) article and records it in the store. */
export async function classifyArticle(
  deps: ClassifyDeps,
  input: ClassifyInput,
  now: Date,
): Promise<Classification> {
  const { store, config } = deps;
  const a = input.article;
  const publishedMs = Date.parse(a.published);
  if (pastRetention(publishedMs, now.getTime(), config.retention.maxAge))
    return { kind: 'too-old', publishedMs };
  const expireAt = publishedMs + config.retention.maxAge;

  const id = a.url ? await urlHolder(store, input, expireAt) : a.id;
  const owner = id === a.id;
  // Tags an editor added or removed by hand survive every re-poll.
  const article = { ...a, tags: await store.tagsFor(id, a.tags) };
  const fp = input.fingerprint && input.fingerprint.bands.length > 0 ? input.fingerprint : null;
  const res = await store.upsert(
    id,
    owner ? article : { ...article, id },
    owner,
    now,
    expireAt,
    fp ? packSignature(fp.signature) : null,
  );

  // Too little text for bands: no story lookup (and no cluster recorded).
  const story =
    res.clusterId === null && fp
      ? await assignStory(deps, id, fp, publishedMs, res.sources, now, expireAt)
      : { sameStory: false, repSections: [] };

  return {
    kind: CLASS_OF[res.outcome],
    id,
    outcome: res.outcome,
    article,
    publishedMs,
    sameUrl: !owner,
    sameStory: story.sameStory,
    sources: res.sources,
    previousSections: res.sections,
    alsoChanged: story.repSections,
  };
}
