// Article operations in Redis: per article a small hash (version, sources, dates, cluster,
// sections) and a body string (see article-codec.ts), both under the article's hash tag, written
// by one Lua script (lua/upsert-article.lua) so a write is atomic and a retried job leaves
// exactly the state of one run.
import type { Article, StoredArticle } from '../domain/types.ts';
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';
import { LUA } from './lua.ts';
import {
  BODY_HEAD_BYTES,
  bodyHeader,
  bodyParts,
  decodeBody,
  encodeArticle,
  encodeBody,
  storedVersion,
} from './article-codec.ts';
import { createUrlClaims } from './url-claims.ts';

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
    bodyKey: string,
    ...args: (string | Buffer | number)[]
  ): Promise<[string, string, string, string | null, string | null]>;
  tribSetArticleFields(key: string, ...fields: string[]): Promise<number>;
  tribReplaceArticle(key: string, bodyKey: string, ...args: (string | Buffer)[]): Promise<number>;
}

export function createArticleStore(redis: RedisClient, keys: Keys) {
  redis.defineCommand('tribUpsert', { numberOfKeys: 2, lua: LUA.upsertArticle });
  redis.defineCommand('tribSetArticleFields', { numberOfKeys: 1, lua: LUA.setArticleFields });
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
      const write = (body: Article, forced: boolean) =>
        r.tribUpsert(
          keys.article(id),
          keys.articleBody(id),
          encodeBody(body, signature),
          version,
          article.sourceId,
          owner ? '1' : '0',
          now.toISOString(),
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
        firstSeen: fs,
        clusterId: cl || null,
        sections: secs ? secs.split(',').filter(Boolean) : [],
      };
    },

    async setFields(id: string, fields: { clusterId?: string; sections?: string[] }) {
      const args: string[] = [];
      if (fields.clusterId !== undefined) args.push('cl', fields.clusterId);
      if (fields.sections !== undefined) args.push('secs', fields.sections.join(','));
      if (args.length === 0) return;
      // Only touch a hash that exists: a late write must not resurrect an expired article.
      await r.tribSetArticleFields(keys.article(id), ...args);
    },

    /** Stored signatures (see `unpackSignature`) and cluster facts of candidate articles. */
    async getSignatures(
      ids: string[],
    ): Promise<
      Map<string, { sig: Buffer; published: number; clusterId: string | null; sources: string[] }>
    > {
      const rows = await Promise.all(
        ids.map((id) =>
          Promise.all([
            redis.getrangeBuffer(keys.articleBody(id), 0, BODY_HEAD_BYTES - 1),
            redis.hmgetBuffer(keys.article(id), 'p', 'cl', 'srcs'),
          ]),
        ),
      );
      const out = new Map<
        string,
        { sig: Buffer; published: number; clusterId: string | null; sources: string[] }
      >();
      rows.forEach(([head, [p, cl, srcs]], i) => {
        if (head.length === 0 || !p) return;
        const sig = bodyParts(head).signature;
        if (sig.length === 0) return;
        out.set(ids[i]!, {
          sig,
          published: Number(p.toString()),
          clusterId: cl && cl.length ? cl.toString() : null,
          sources: (srcs?.toString() ?? '').split(',').filter(Boolean),
        });
      });
      return out;
    },

    /** Loads stored articles; missing (expired) ids are skipped. Order follows `ids`. */
    async getMany(ids: string[]): Promise<StoredArticle[]> {
      const rows = await Promise.all(
        ids.map((id) =>
          Promise.all([
            redis.getBuffer(keys.articleBody(id)),
            redis.hmgetBuffer(keys.article(id), 'srcs', 'cl', 'fs'),
          ]),
        ),
      );
      const out: StoredArticle[] = [];
      rows.forEach(([body, [srcs, cl, fs]], i) => {
        if (!body) return;
        const a = decodeBody(body, ids[i]!);
        out.push({
          ...a,
          id: ids[i]!,
          sources: srcs ? srcs.toString().split(',').filter(Boolean) : [a.sourceId],
          clusterId: cl && cl.length ? cl.toString() : ids[i]!,
          firstSeen: fs ? fs.toString() : a.published,
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

    /** Retention: forgets index entries older than maxAge (the hashes expire by themselves). */
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
        keys.articleBody(id),
        encodeArticle(article),
        storedVersion(article),
        expected ? storedVersion(expected) : '',
        bodyHeader(0),
      );
      return n === 1;
    },

    /** The sections each article is materialized in (as last indexed); [] for missing ids. */
    async sectionsOf(ids: string[]): Promise<string[][]> {
      const rows = await Promise.all(ids.map((id) => redis.hget(keys.article(id), 'secs')));
      return rows.map((secs) => (secs ?? '').split(',').filter(Boolean));
    },
  };
}

export type ArticleStore = ReturnType<typeof createArticleStore>;
