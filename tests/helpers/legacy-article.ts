// Writes an article in the layout of the writers before body format 4 (2026-12-02): a hash of
// its small fields (`keys.articleLegacyHash`) and a body string of format 2 or 3 (format byte,
// signature length uint16 LE, signature, deflated article) under `keys.article`, both expiring at
// `expireAtMs`, as lua/upsert-article.lua of commit e757c72 stored them. The store must keep
// reading such articles, and migrate them on their first write.
import type { Article } from '../../src/domain/types.ts';
import type { RedisClient } from '../../src/store/client.ts';
import type { Keys } from '../../src/store/keys.ts';
import { encodeArticle, storedVersion } from '../../src/store/article-codec.ts';

/** The old hash's fields; those not given are left out (as the old writers left `cl`, `secs`). */
export interface LegacyFields {
  srcs?: string;
  fs?: string;
  cl?: string;
  secs?: string;
}

/** A format-3 body as the old writers encoded it. */
export function legacyBodyV3(a: Article, signature: Buffer | null): Buffer {
  const sig = signature ?? Buffer.alloc(0);
  const head = Buffer.alloc(3);
  head[0] = 3;
  head.writeUInt16LE(sig.length, 1);
  return Buffer.concat([head, sig, encodeArticle(a)]);
}

export async function writeLegacyArticle(
  redis: RedisClient,
  keys: Keys,
  a: Article,
  expireAtMs: number,
  opts: { body?: Buffer; signature?: Buffer | null; fields?: LegacyFields } = {},
): Promise<void> {
  const f = opts.fields ?? {};
  const hash: Record<string, string> = {
    ch: storedVersion(a),
    srcs: f.srcs ?? a.sourceId,
    fs: f.fs ?? '2026-11-20T10:05:00.000Z',
    p: String(Date.parse(a.published)),
    u: String(Date.parse(a.updated)),
    w: String(Date.parse(a.updated)),
  };
  if (f.cl !== undefined) hash.cl = f.cl;
  if (f.secs !== undefined) hash.secs = f.secs;
  await redis
    .multi()
    .hset(keys.articleLegacyHash(a.id), hash)
    .pexpireat(keys.articleLegacyHash(a.id), expireAtMs)
    .set(
      keys.article(a.id),
      opts.body ?? legacyBodyV3(a, opts.signature ?? null),
      'PXAT',
      expireAtMs,
    )
    .exec();
}
