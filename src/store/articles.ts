// Article operations in Redis: per article one string (body format 4, see article-codec.ts: the
// MinHash signature, the small fields — version, sources, dates, cluster, sections — and the
// deflated article), written by Lua scripts (lua/upsert-article.lua and its siblings) so a write
// is atomic and a retried job leaves exactly the state of one run. Articles stored before format
// 4 (a body of format 2 or 3 plus a hash of the small fields) are still read, and the first write
// to one migrates it.
import type { Article, StoredArticle } from '../domain/types.ts';
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';
import { LUA } from './lua.ts';
import {
  articlePart,
  bodyParts,
  decodeArticle,
  firstSeenIso,
  OWN_STORY,
  storyOf,
  signatureHead,
  storedVersion,
} from './article-codec.ts';
import { createUrlClaims } from './url-claims.ts';
import { metaOf, readHeads } from './article-heads.ts';

export { urlHash } from './article-codec.ts';

/** Result of one article write. */
export type UpsertOutcome = 'inserted' | 'updated' | 'merged' | 'unchanged';

export interface UpsertResult {
  outcome: UpsertOutcome;
  id: string;
  sources: string[];
  firstSeen: string;
  clusterId: string | null;
  sections: string[];
}

interface ArticleCommands {
  tribUpsert(
    key: string,
    legacyKey: string,
    ...args: (string | Buffer | number)[]
  ): Promise<[string, string, string, string | null, string | null]>;
  tribSetArticleFields(key: string, legacyKey: string, ...fields: string[]): Promise<number>;
  tribReplaceArticle(key: string, legacyKey: string, ...args: (string | Buffer)[]): Promise<number>;
}

export function createArticleStore(redis: RedisClient, keys: Keys) {
  redis.defineCommand('tribUpsert', { numberOfKeys: 2, lua: LUA.upsertArticle });
  redis.defineCommand('tribSetArticleFields', { numberOfKeys: 2, lua: LUA.setArticleFields });
  redis.defineCommand('tribReplaceArticle', { numberOfKeys: 2, lua: LUA.replaceArticle });
  const r = redis as RedisClient & ArticleCommands;
  const urlClaims = createUrlClaims(redis, keys);

  return {
    /**
     * Level-2 dedupe: claims the canonical URL for `id`, or returns the article that already
     * holds it (the same story from another source, or the same item under a new guid). See
     * url-claims.ts.
     */
    claimUrl(url: string, id: string, expireAtMs: number): Promise<string> {
      return urlClaims.claim(url, id, expireAtMs);
    },

    /**
     * Writes an article (with its packed MinHash signature, if it has one). A change of anything
     * we publish about an item the source owns is an update; when the source did not move the
     * item's `updated` past what readers already have, the stored copy gets a later `updated`
     * (now), so feed readers see the correction.
     */
    async upsert(
      id: string,
      article: Article,
      owner: boolean,
      now: Date,
      expireAtMs: number,
      signature: Buffer | null = null,
    ): Promise<UpsertResult> {
      // Tags are part of the stored version: a rule edit or a manual tag rewrites the article.
      const version = storedVersion(article);
      const sourceUpdated = String(Date.parse(article.updated));
      const head = signatureHead(signature);
      const write = (body: Article, forced: boolean) =>
        r.tribUpsert(
          keys.article(id),
          keys.articleLegacyHash(id),
          head,
          articlePart(body),
          version,
          article.sourceId,
          owner ? '1' : '0',
          String(now.getTime()),
          String(expireAtMs),
          String(Date.parse(article.published)),
          sourceUpdated,
          String(Date.parse(body.updated)),
          forced ? '1' : '0',
        );
      let reply = await write(article, false);
      if (reply[0] === 'stale') {
        const bumped = new Date(Math.max(now.getTime(), Number(reply[1]) + 1000));
        reply = await write({ ...article, updated: bumped.toISOString() }, true);
      }
      const [outcome, srcs, fs, cl, secs] = reply;
      return {
        outcome: outcome as UpsertOutcome,
        id,
        sources: srcs ? srcs.split(',') : [],
        firstSeen: firstSeenIso(fs),
        clusterId: storyOf(cl ?? '', id),
        sections: secs ? secs.split(',').filter(Boolean) : [],
      };
    },

    async setFields(id: string, fields: { clusterId?: string; sections?: string[] }) {
      const args: string[] = [];
      if (fields.clusterId !== undefined)
        args.push('cl', fields.clusterId === id ? OWN_STORY : fields.clusterId);
      if (fields.sections !== undefined) args.push('secs', fields.sections.join(','));
      if (args.length === 0) return;
      // Only touch an article that exists: a late write must not resurrect an expired article.
      await r.tribSetArticleFields(keys.article(id), keys.articleLegacyHash(id), ...args);
    },

    /** Stored signatures (see `unpackSignature`) and cluster facts of candidate articles. */
    async getSignatures(
      ids: string[],
    ): Promise<
      Map<string, { sig: Buffer; published: number; clusterId: string | null; sources: string[] }>
    > {
      const heads = await readHeads(redis, keys, ids);
      const out = new Map<
        string,
        { sig: Buffer; published: number; clusterId: string | null; sources: string[] }
      >();
      heads.forEach((h, i) => {
        if (!h || !h.meta.p || h.signature.length === 0) return;
        out.set(ids[i]!, {
          sig: h.signature,
          published: Number(h.meta.p),
          clusterId: storyOf(h.meta.cl, ids[i]!),
          sources: h.meta.srcs.split(',').filter(Boolean),
        });
      });
      return out;
    },

    /** Loads stored articles; missing (expired) ids are skipped. Order follows `ids`. */
    async getMany(ids: string[]): Promise<StoredArticle[]> {
      const rows = await Promise.all(
        ids.map(async (id) => {
          const body = await redis.getBuffer(keys.article(id));
          if (!body) return null;
          const parts = bodyParts(body);
          return { parts, meta: await metaOf(redis, keys, id, parts) };
        }),
      );
      const out: StoredArticle[] = [];
      rows.forEach((row, i) => {
        if (!row) return;
        const { parts, meta } = row;
        const id = ids[i]!;
        const a = decodeArticle(parts.article.subarray(1), id, parts.article[0]);
        out.push({
          ...a,
          id,
          sources: meta?.srcs ? meta.srcs.split(',').filter(Boolean) : [a.sourceId],
          clusterId: storyOf(meta?.cl ?? '', id) ?? id,
          firstSeen: meta?.fs ? firstSeenIso(meta.fs) : a.published,
        });
      });
      return out;
    },

    async get(id: string): Promise<StoredArticle | null> {
      return (await this.getMany([id]))[0] ?? null;
    },

    /** Records articles in the global by-date index (retention sweeps, retag). */
    async trackMany(entries: [number, string][]): Promise<void> {
      if (entries.length === 0) return;
      await redis.zadd(keys.allArticles(), ...entries.flatMap(([score, id]) => [score, id]));
    },

    /** Ids in the global index, oldest first, in pages (retag, retention). */
    async scanIds(offset: number, count: number): Promise<string[]> {
      return redis.zrange(keys.allArticles(), String(offset), String(offset + count - 1));
    },

    async total(): Promise<number> {
      return redis.zcard(keys.allArticles());
    },

    /** Retention: forgets index entries older than maxAge (the articles expire by themselves). */
    async trimIndex(nowMs: number, maxAgeMs: number): Promise<number> {
      return redis.zremrangebyscore(keys.allArticles(), '-inf', `(${nowMs - maxAgeMs}`);
    },

    /**
     * Rewrites an article's stored item (retag, manual tags) and its stored version (content hash
     * and tags, as the upsert records them), so the next poll with the same tags is "unchanged".
     * With `expected`, only while the stored version is still that one: a poll that updated the
     * article meanwhile wins, and the caller sees `false`.
     */
    async replace(id: string, article: Article, expected?: Article): Promise<boolean> {
      const n = await r.tribReplaceArticle(
        keys.article(id),
        keys.articleLegacyHash(id),
        articlePart(article),
        storedVersion(article),
        expected ? storedVersion(expected) : '',
      );
      return n === 1;
    },

    /** The sections each article is materialized in (as last indexed); [] for missing ids. */
    async sectionsOf(ids: string[]): Promise<string[][]> {
      const heads = await readHeads(redis, keys, ids);
      return heads.map((h) => (h?.meta.secs ?? '').split(',').filter(Boolean));
    },
  };
}

export type ArticleStore = ReturnType<typeof createArticleStore>;
