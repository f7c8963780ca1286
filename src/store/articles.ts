// Articles in Redis: per article a small hash (version, sources, dates, cluster, sections) and a
// body string (signature + compressed article), both under the article's hash tag, written by one
// Lua script so a write is atomic and a retried job leaves exactly the state of one run.
import { deflateRawSync, inflateRawSync, constants as zc } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { Article, StoredArticle } from '../domain/types.ts';
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';

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

// KEYS[1] article hash (small fields: a compact listpack), KEYS[2] article body (string: see
// `encodeBody`), both under the article's hash tag.
// ARGV: 1 body, 2 stored version, 3 sourceId, 4 owner ("1" when this source owns the article),
//       5 firstSeen, 6 expireAt (ms), 7 published score
// Returns { outcome, srcs, fs, cl, secs }
const UPSERT_LUA = `
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then
  redis.call('HSET', key, 'ch', ARGV[2], 'srcs', ARGV[3], 'fs', ARGV[5], 'p', ARGV[7])
  redis.call('PEXPIREAT', key, ARGV[6])
  redis.call('SET', KEYS[2], ARGV[1], 'PXAT', ARGV[6])
  return {'inserted', ARGV[3], ARGV[5], false, false}
end
local outcome = 'unchanged'
local srcs = redis.call('HGET', key, 'srcs') or ''
if not string.find(',' .. srcs .. ',', ',' .. ARGV[3] .. ',', 1, true) then
  if srcs == '' then srcs = ARGV[3] else srcs = srcs .. ',' .. ARGV[3] end
  redis.call('HSET', key, 'srcs', srcs)
  outcome = 'merged'
end
if ARGV[4] == '1' and redis.call('HGET', key, 'ch') ~= ARGV[2] then
  redis.call('HSET', key, 'ch', ARGV[2], 'p', ARGV[7])
  -- (an article written before bodies had their own key keeps them in the hash: moved out)
  redis.call('HDEL', key, 'z', 'sig')
  redis.call('PEXPIREAT', key, ARGV[6])
  redis.call('SET', KEYS[2], ARGV[1], 'PXAT', ARGV[6])
  outcome = 'updated'
end
local fs = redis.call('HGET', key, 'fs')
local cl = redis.call('HGET', key, 'cl')
local secs = redis.call('HGET', key, 'secs')
return {outcome, srcs, fs, cl, secs}
`;

// KEYS[1] url claim; ARGV: 1 article id, 2 expireAt (ms). Returns the holder's id.
const CLAIM_URL_LUA = `
local cur = redis.call('GET', KEYS[1])
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
  return ARGV[1]
end
if cur == ARGV[1] then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
return cur
`;

interface UpsertCommand {
  tribUpsert(
    key: string,
    bodyKey: string,
    ...args: (string | Buffer | number)[]
  ): Promise<[string, string, string, string | null, string | null]>;
}

/**
 * Preset deflate dictionary: what every stored article repeats (its JSON field names, common
 * markup). A small article repeats little of itself, so without it every field name and tag is
 * paid in full once per article: measured 1,746 -> 1,618 bytes on the bench mix and 589 -> 522
 * on the real-world fixture feeds. NEVER edit it: bodies written with it are only readable with
 * the same bytes (a new dictionary needs a new body format byte).
 */
const BODY_DICTIONARY = Buffer.from(
  '<p dir="rtl"></p>\n<p><strong></strong></p><figure><img src="https://" alt="" width="" height="" />' +
    '<figcaption></figcaption></figure><a href="https://www.">, <br /><em></em><ul><li></li></ul>' +
    '<blockquote></blockquote><h2></h2>.jpg.png.html?' +
    '{"id":"","sourceId":"","guid":"","url":"","title":"","published":"","updated":"","author":"",' +
    '"summary":"","contentHtml":"","image":"","lang":"","tags":"","sourceCategories":"","contentHash":""}',
);

export function encodeArticle(a: Article): Buffer {
  return deflateRawSync(Buffer.from(JSON.stringify(a)), {
    level: zc.Z_BEST_SPEED,
    dictionary: BODY_DICTIONARY,
  });
}

/** `withDictionary`: false for content written before the dictionary (body format 1, hash field `z`). */
export function decodeArticle(b: Buffer, withDictionary = true): Article {
  return JSON.parse(
    inflateRawSync(b, withDictionary ? { dictionary: BODY_DICTIONARY } : {}).toString('utf8'),
  ) as Article;
}

/**
 * What the `ch` field holds: content hash and a digest of the tags (a tag change is a new
 * version), 25 characters whatever the number of tags, so the hash stays a listpack.
 */
function storedVersion(a: Pick<Article, 'contentHash' | 'tags'>): string {
  return `${a.contentHash}:${createHash('sha1').update(a.tags.join(',')).digest('base64url').slice(0, 8)}`;
}

/**
 * An article body (its own string key): format byte, signature length (uint16 LE), the packed
 * MinHash signature (`packSignature`, may be empty), then the deflated article JSON. One string
 * of ~2 KB costs ~200 bytes of overhead; as a field of a hash that is also a hash table it cost
 * more than twice that, and pushed every small field into the hash table too.
 */
const BODY_V1 = 0x01; // deflate without a dictionary (read only)
const BODY_V2 = 0x02; // deflate with BODY_DICTIONARY
/** Enough of a body to hold its header and any signature written (the 16-bit form: 257 bytes). */
const BODY_HEAD_BYTES = 3 + 257;

/** Format byte and signature length: the first 3 bytes of a body. */
function bodyHeader(signatureLength: number): Buffer {
  const head = Buffer.alloc(3);
  head[0] = BODY_V2;
  head.writeUInt16LE(signatureLength, 1);
  return head;
}

export function encodeBody(article: Article, signature: Buffer | null): Buffer {
  const sig = signature ?? Buffer.alloc(0);
  return Buffer.concat([bodyHeader(sig.length), sig, encodeArticle(article)]);
}

function bodyParts(body: Buffer): { signature: Buffer; article: Buffer; dictionary: boolean } {
  if ((body[0] !== BODY_V1 && body[0] !== BODY_V2) || body.length < 3)
    throw new Error(`article body: unknown format ${body[0]}`);
  const n = body.readUInt16LE(1);
  return {
    signature: body.subarray(3, 3 + n),
    article: body.subarray(3 + n),
    dictionary: body[0] === BODY_V2,
  };
}

export function urlHash(url: string): string {
  // Scheme-less, so http/https flips of one URL meet.
  return createHash('sha1')
    .update(url.replace(/^https?:\/\//i, ''))
    .digest('base64url')
    .slice(0, 20);
}

export function createArticleStore(redis: RedisClient, keys: Keys) {
  redis.defineCommand('tribUpsert', { numberOfKeys: 2, lua: UPSERT_LUA });
  const r = redis as RedisClient & UpsertCommand;

  return {
    /**
     * Level-2 dedupe: claims the canonical URL for `id`, or returns the article that already
     * holds it (the same story from another source, or the same item under a new guid).
     */
    async claimUrl(url: string, id: string, expireAtMs: number): Promise<string> {
      // One script: claim, or read the holder; the holder's own re-claim moves the expiry along
      // with its article's (an edit can move `published`), so the claim never outlives it.
      const holder = await redis.eval(
        CLAIM_URL_LUA,
        1,
        keys.urlIndex(urlHash(url)),
        id,
        String(expireAtMs),
      );
      return typeof holder === 'string' ? holder : id;
    },

    /** Writes an article (with its packed MinHash signature, if it has one). */
    async upsert(
      id: string,
      article: Article,
      owner: boolean,
      now: Date,
      expireAtMs: number,
      signature: Buffer | null = null,
    ): Promise<UpsertResult> {
      const [outcome, srcs, fs, cl, secs] = await r.tribUpsert(
        keys.article(id),
        keys.articleBody(id),
        encodeBody(article, signature),
        // Tags are part of the stored version: a rule edit or a manual tag rewrites the article.
        storedVersion(article),
        article.sourceId,
        owner ? '1' : '0',
        now.toISOString(),
        String(expireAtMs),
        String(Date.parse(article.published)),
      );
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
      await redis.eval(
        "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], unpack(ARGV)) end return 0",
        1,
        keys.article(id),
        ...args,
      );
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
            redis.hmgetBuffer(keys.article(id), 'p', 'cl', 'srcs', 'sig'),
          ]),
        ),
      );
      const out = new Map<
        string,
        { sig: Buffer; published: number; clusterId: string | null; sources: string[] }
      >();
      rows.forEach(([head, [p, cl, srcs, oldSig]], i) => {
        const sig = head.length > 0 ? bodyParts(head).signature : oldSig;
        if (!sig || sig.length === 0 || !p) return;
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
            // (`z`: the body of an article written before bodies had their own key)
            redis.hmgetBuffer(keys.article(id), 'srcs', 'cl', 'fs', 'z'),
          ]),
        ),
      );
      const out: StoredArticle[] = [];
      rows.forEach(([body, [srcs, cl, fs, z]], i) => {
        const parts = body ? bodyParts(body) : z ? { article: z, dictionary: false } : null;
        if (!parts) return;
        const a = decodeArticle(parts.article, parts.dictionary);
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
    async replace(
      id: string,
      article: Article,
      expected?: Pick<Article, 'contentHash' | 'tags'>,
    ): Promise<boolean> {
      const n = await redis.eval(
        "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end " +
          // (ARGV[4]: the bare content hash, as versions were recorded before tags joined them)
          "local ch = redis.call('HGET', KEYS[1], 'ch') " +
          "if ARGV[3] ~= '' and ch ~= ARGV[3] and ch ~= ARGV[4] then return 0 end " +
          // The body keeps its signature (the text did not change): header and signature stay.
          "local head = redis.call('GETRANGE', KEYS[2], 0, 2) " +
          "local keep = '' " +
          // (the format byte is the new body's: ARGV[5] is a header with no signature)
          "if string.len(head) == 3 then keep = string.sub(ARGV[5], 1, 1) .. redis.call('GETRANGE', KEYS[2], 1, 2 + string.byte(head, 2) + 256 * string.byte(head, 3)) end " +
          // (an article of the single-hash layout: its signature moves into the body)
          "if keep == '' then local old = redis.call('HGET', KEYS[1], 'sig') " +
          "if old then keep = string.sub(ARGV[5], 1, 1) .. struct.pack('<H', string.len(old)) .. old else keep = ARGV[5] end end " +
          "local ttl = redis.call('PTTL', KEYS[1]) " +
          "redis.call('HSET', KEYS[1], 'ch', ARGV[2]) " +
          "redis.call('HDEL', KEYS[1], 'z', 'sig') " +
          "if ttl > 0 then redis.call('SET', KEYS[2], keep .. ARGV[1], 'PX', ttl) else redis.call('SET', KEYS[2], keep .. ARGV[1]) end " +
          'return 1',
        2,
        keys.article(id),
        keys.articleBody(id),
        encodeArticle(article),
        storedVersion(article),
        expected ? storedVersion(expected) : '',
        expected ? expected.contentHash : '',
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
