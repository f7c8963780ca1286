// Reads of a stored article's signature and small fields (see article-codec.ts, format 4) for
// the article, curation and cluster stores: one short GETRANGE per article in the common case.
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';
import { BODY_HEAD_BYTES, META_FIELDS, bodyParts, headLength } from './article-codec.ts';
import type { ArticleMeta, BodyParts } from './article-codec.ts';

export interface ArticleHead {
  signature: Buffer;
  meta: ArticleMeta;
}

/**
 * The small fields of an article stored in the old layout (a body of format 2 or 3 and a legacy
 * hash), or null when it has no hash (gone).
 */
export async function legacyMeta(
  redis: RedisClient,
  keys: Keys,
  id: string,
): Promise<ArticleMeta | null> {
  const v = await redis.hmget(keys.articleLegacyHash(id), ...META_FIELDS);
  if (v.every((x) => x === null)) return null;
  const [p, cl, srcs, ch, u, w, fs, secs] = v;
  return {
    p: p ?? '',
    cl: cl ?? '',
    srcs: srcs ?? '',
    ch: ch ?? '',
    u: u ?? '',
    w: w ?? '',
    fs: fs ?? '',
    secs: secs ?? null,
  };
}

/** The fields of a body's parts: its own (format 4), or its legacy hash's. */
export async function metaOf(
  redis: RedisClient,
  keys: Keys,
  id: string,
  parts: BodyParts,
): Promise<ArticleMeta | null> {
  return parts.meta ?? legacyMeta(redis, keys, id);
}

/**
 * Signature and small fields of each article (null: gone). One GETRANGE of the first
 * BODY_HEAD_BYTES; a head longer than that (unusually many sources or sections) is read with a
 * GET of the whole body, and an old-layout article's fields come from its legacy hash.
 */
export async function readHeads(
  redis: RedisClient,
  keys: Keys,
  ids: readonly string[],
): Promise<(ArticleHead | null)[]> {
  return Promise.all(
    ids.map(async (id) => {
      let head = await redis.getrangeBuffer(keys.article(id), 0, BODY_HEAD_BYTES - 1);
      if (head.length === 0) return null;
      if (head.length >= BODY_HEAD_BYTES && headLength(head) > head.length) {
        const whole = await redis.getBuffer(keys.article(id));
        if (!whole) return null;
        head = whole;
      }
      const parts = bodyParts(head);
      const meta = await metaOf(redis, keys, id, parts);
      return meta ? { signature: parts.signature, meta } : null;
    }),
  );
}
