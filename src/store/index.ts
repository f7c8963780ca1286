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
    async ping(): Promise<boolean> {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
  };
}

export type Store = ReturnType<typeof createStore>;
export type { RedisClient } from './client.ts';
