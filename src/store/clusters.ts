// Story clusters: LSH buckets (band value -> article ids) find near-duplicate candidates; a
// cluster is a sorted set of member ids. Every key expires with the dedupe window or retention.
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';

function bandKey(keys: Keys, band: string) {
  const i = band.indexOf(':');
  return keys.lshBucket(Number(band.slice(0, i)), band.slice(i + 1));
}

export function createClusterStore(redis: RedisClient, keys: Keys) {
  return {
    async candidates(bands: string[]): Promise<string[]> {
      const sets = await Promise.all(bands.map((b) => redis.smembers(bandKey(keys, b))));
      return [...new Set(sets.flat())];
    },

    async addToBuckets(id: string, bands: string[], ttlMs: number): Promise<void> {
      await Promise.all(
        bands.map(async (b) => {
          const k = bandKey(keys, b);
          await redis.sadd(k, id);
          await redis.pexpire(k, ttlMs);
        }),
      );
    },

    async addMember(clusterId: string, id: string, publishedMs: number, ttlMs: number): Promise<void> {
      const k = keys.cluster(clusterId);
      await redis.zadd(k, publishedMs, id);
      await redis.pexpire(k, ttlMs);
    },

    async members(clusterId: string): Promise<string[]> {
      return redis.zrange(keys.cluster(clusterId), '0', '49');
    },
  };
}

export type ClusterStore = ReturnType<typeof createClusterStore>;
