// Level-2 dedupe: canonical-URL claims (URL -> the article holding it), in 4,096 bucket hashes
// rather than a string key per URL. A key of its own cost 165-185 bytes of used_memory per claim
// (key, object, main and expires dict entries) for ~20 bytes of information; an entry of a
// listpack-encoded hash costs its own bytes (10-byte field, 16-byte value, ~30 in all) plus a
// share of its bucket's key, which is paid once per bucket: ~160 bytes, ~0.65 MB for all 4,096
// whatever the corpus. Measured (claims alone, used_memory per claim, two runs; string keys /
// 4,096 buckets): 174-185 / 162-176 at 1,000 claims, 170-177 / 88-92 at 10,000, 165 / 39 at
// 100,000, 165 / 34 at 400,000. Buckets stay listpack-encoded up to `hash-max-listpack-entries`
// (512 by default: ~2 million live claims; with 128, ~500,000); bigger ones become hash tables
// (still no key per claim). Fewer buckets would cost less below ~100,000 claims (1,024: 48 bytes
// at 10,000) and far more above what they keep in listpacks.
// The script (lua/claim-url.lua) touches one bucket key; each bucket has its own hash tag.
//
// Upgrade: claims of the older layout (`url:{hash}` strings, written before this change) stay
// alive for up to the retention age and must still win. The old key sits in another slot than the
// bucket, so it is read with a plain GET sent alongside the script (no extra round trip); only
// while such a key is alive does a fix-up follow: its holder is written into the bucket (with the
// old key's remaining life, or the new expiry when the claimer is that holder) and the old key is
// deleted. The GET can go once every `url:` key has expired (one retention age after the upgrade).
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';
import { LUA } from './lua.ts';
import { urlDigest, urlHash } from './article-codec.ts';
import { packId, unpackId } from './packed-id.ts';

/** A bucket's expired entries are swept at most this often (seconds; see claim-url.lua). */
export const URL_SWEEP_EVERY_S = 3600;
/** Entries examined per sweep step of a hash-table-encoded bucket (HSCAN COUNT). */
const URL_SWEEP_STEP = 64;

/** Where a URL's claim lives: its bucket (first 12 bits of the digest, 3 hex chars) and field. */
export function urlClaimSlot(url: string): { bucket: string; field: Buffer } {
  const d = urlDigest(url);
  return { bucket: d.subarray(0, 2).toString('hex').slice(0, 3), field: d.subarray(2, 12) };
}

interface ClaimCommands {
  tribClaimUrlBuffer(
    key: string,
    field: Buffer,
    packedId: Buffer,
    expireAtS: number,
    force: '0' | '1',
    sweepEveryS: number,
    sweepStep: number,
  ): Promise<Buffer>;
}

export function createUrlClaims(redis: RedisClient, keys: Keys) {
  redis.defineCommand('tribClaimUrl', { numberOfKeys: 1, lua: LUA.claimUrl });
  const r = redis as RedisClient & ClaimCommands;

  const write = async (url: string, id: string, expireAtMs: number, force: boolean) => {
    const { bucket, field } = urlClaimSlot(url);
    const holder = await r.tribClaimUrlBuffer(
      keys.urlClaims(bucket),
      field,
      packId(id),
      Math.ceil(expireAtMs / 1000),
      force ? '1' : '0',
      URL_SWEEP_EVERY_S,
      URL_SWEEP_STEP,
    );
    return unpackId(holder);
  };

  return {
    /**
     * Claims `url` for `id` until `expireAtMs` (rounded up to the second), or returns the article
     * that already holds it. The holder's own claim moves the expiry.
     */
    async claim(url: string, id: string, expireAtMs: number): Promise<string> {
      const legacyKey = keys.urlIndex(urlHash(url));
      const [legacy, holder] = await Promise.all([
        redis.get(legacyKey),
        write(url, id, expireAtMs, false),
      ]);
      if (legacy === null) return holder;
      // A claim of the older layout is alive: it came before any bucket entry of this URL (every
      // claim since the upgrade moved it into the bucket at once), so its holder holds the URL.
      if (legacy !== holder) {
        let until = expireAtMs;
        if (legacy !== id) {
          const left = await redis.pttl(legacyKey);
          if (left === -2) return holder; // it expired meanwhile
          until = left > 0 ? Date.now() + left : expireAtMs;
        }
        await write(url, legacy, until, true);
      }
      await redis.del(legacyKey);
      return legacy;
    },
  };
}

export type UrlClaims = ReturnType<typeof createUrlClaims>;
