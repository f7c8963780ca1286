// The store: every Redis read and write of Tributary's own data goes through here.
import { createKeys } from './keys.ts';
import type { RedisClient } from './client.ts';
import { createArticleStore } from './articles.ts';
import { createSectionStore } from './sections.ts';
import { createClusterStore } from './clusters.ts';
import { createSourceStore } from './sources.ts';
import { createWorkerRegistry } from './workers.ts';
import { createLocks } from './locks.ts';
import { createCurationStore } from './curation.ts';

export function createStore(redis: RedisClient, opts: { prefix: string; unhealthyAfter: number }) {
  const keys = createKeys(opts.prefix);
  let epochValue: string | null = null;
  const readEpoch = async () => {
    // On Cluster every node has its own run id; the dataset's life is then not one value.
    if (!('info' in redis) || redis.constructor.name === 'Cluster') return 'cluster';
    return /run_id:(\w+)/.exec(await redis.info('server'))?.[1] ?? '';
  };
  redis.on('ready', () => {
    epochValue = null;
  });
  return {
    redis,
    keys,
    articles: createArticleStore(redis, keys),
    sections: createSectionStore(redis, keys),
    clusters: createClusterStore(redis, keys),
    sources: createSourceStore(redis, keys, { unhealthyAfter: opts.unhealthyAfter }),
    workers: createWorkerRegistry(redis, keys),
    locks: createLocks(redis, keys),
    curation: createCurationStore(redis, keys),
    /** Reachable within `timeoutMs` (never waits on the client's offline queue during an outage). */
    async ping(timeoutMs = 1000): Promise<boolean> {
      if (redis.status !== 'ready') return false;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((r) => {
        timer = setTimeout(() => r(false), timeoutMs);
      });
      try {
        return await Promise.race([redis.ping().then((p) => p === 'PONG', () => false), late]);
      } finally {
        clearTimeout(timer);
      }
    },

    /**
     * Identity of the Redis data set's current life (its run id): it changes when Redis restarts,
     * which may have lost the last second of writes (AOF everysec). A poll that started in an
     * earlier life is not trusted: the next one fetches and processes everything again.
     */
    async epoch(): Promise<string> {
      epochValue ??= await readEpoch();
      return epochValue;
    },
  };
}

export type Store = ReturnType<typeof createStore>;
export type { RedisClient } from './client.ts';
