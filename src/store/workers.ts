// Worker heartbeats, so readiness can tell whether anything is consuming the queues.
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';

export function createWorkerRegistry(redis: RedisClient, keys: Keys) {
  return {
    async beat(workerId: string, nowMs = Date.now()): Promise<void> {
      await redis.zadd(keys.workers(), nowMs, workerId);
      await redis.zremrangebyscore(keys.workers(), '-inf', nowMs - 10 * 60_000);
    },
    async leave(workerId: string): Promise<void> {
      await redis.zrem(keys.workers(), workerId);
    },
    /** Workers seen within `withinMs`. */
    async alive(withinMs: number, nowMs = Date.now()): Promise<number> {
      return redis.zcount(keys.workers(), nowMs - withinMs, '+inf');
    },
  };
}

export type WorkerRegistry = ReturnType<typeof createWorkerRegistry>;
