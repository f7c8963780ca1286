// The store: every Redis read and write of Tributary's own data goes through here.
import { createHash } from 'node:crypto';
import { Cluster } from 'ioredis';
import { createKeys } from './keys.ts';
import type { RedisClient } from './client.ts';
import { createArticleStore } from './articles.ts';
import { createSectionStore } from './sections.ts';
import { createClusterStore } from './clusters.ts';
import { createSourceStore } from './sources.ts';
import { createWorkerRegistry } from './workers.ts';
import { createLocks } from './locks.ts';
import { createCurationStore } from './curation.ts';
import { createPushStore } from './push.ts';
import { createPageCache } from './page-cache.ts';
import { createRulesStore } from './rules.ts';
import { createDeskSessionStore } from './desk-sessions.ts';
import { redisMemory } from './redis-info.ts';

/** How often a Cluster store re-reads its masters' run ids. */
const EPOCH_RECHECK_MS = 5_000;

export function createStore(redis: RedisClient, opts: { prefix: string; unhealthyAfter: number }) {
  const keys = createKeys(opts.prefix);
  let epochValue: string | null = null;
  let epochAt = 0;
  const runId = async (node: { info(section: string): Promise<string> }) =>
    /run_id:(\w+)/.exec(await node.info('server'))?.[1] ?? '?';
  const readEpoch = async () => {
    if (!(redis instanceof Cluster)) return runId(redis);
    // On Cluster every master has its own life: any of them restarting (or a failover) may have
    // lost writes of some sources' articles, so the epoch is a digest of all masters' run ids.
    const ids = await Promise.all(redis.nodes('master').map(runId));
    return createHash('sha1').update(ids.sort().join(',')).digest('base64url').slice(0, 16);
  };
  redis.on('ready', () => {
    epochValue = null;
  });
  return {
    redis,
    keys,
    /**
     * HGETALL of many keys in one round trip (a pipeline); on Cluster the keys lie in different
     * slots, so there each is read on its own (in parallel).
     */
    async readHashes(hashKeys: readonly string[]): Promise<Record<string, string>[]> {
      if (redis instanceof Cluster || hashKeys.length === 0)
        return Promise.all(hashKeys.map((k) => redis.hgetall(k)));
      const p = redis.pipeline();
      for (const k of hashKeys) p.hgetall(k);
      return ((await p.exec()) ?? []).map(([err, h]) => {
        if (err) throw err;
        return h as Record<string, string>;
      });
    },
    articles: createArticleStore(redis, keys),
    sections: createSectionStore(redis, keys),
    clusters: createClusterStore(redis, keys),
    sources: createSourceStore(redis, keys, { unhealthyAfter: opts.unhealthyAfter }),
    workers: createWorkerRegistry(redis, keys),
    locks: createLocks(redis, keys),
    curation: createCurationStore(redis, keys),
    push: createPushStore(redis, keys),
    pages: createPageCache(redis, keys),
    rules: createRulesStore(redis, keys),
    deskSessions: createDeskSessionStore(redis, keys),
    /** Redis memory in use, peak, limit and policy (INFO memory). */
    memory: () => redisMemory(redis),
    /** Reachable within `timeoutMs` (never waits on the client's offline queue during an outage). */
    async ping(timeoutMs = 1000): Promise<boolean> {
      if (redis.status !== 'ready') return false;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((r) => {
        timer = setTimeout(() => r(false), timeoutMs);
      });
      try {
        return await Promise.race([
          redis.ping().then(
            (p) => p === 'PONG',
            () => false,
          ),
          late,
        ]);
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
      // A single client learns of a restart by reconnecting ('ready'); a Cluster client does not
      // always, so there the value is re-read every few seconds.
      if (
        epochValue === null ||
        (redis instanceof Cluster && Date.now() - epochAt > EPOCH_RECHECK_MS)
      ) {
        epochValue = await readEpoch();
        epochAt = Date.now();
      }
      return epochValue;
    },
  };
}

export type Store = ReturnType<typeof createStore>;
export type { RedisClient } from './client.ts';
