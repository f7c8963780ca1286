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
    /** Every worker heard from in the last 10 minutes, with its last beat (ms), latest first. */
    async list(): Promise<{ id: string; lastBeatMs: number }[]> {
      const flat = await redis.zrevrange(keys.workers(), 0, 99, 'WITHSCORES');
      const out: { id: string; lastBeatMs: number }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2)
        out.push({ id: flat[i]!, lastBeatMs: Number(flat[i + 1]) });
      return out;
    },
  };
}

export type WorkerRegistry = ReturnType<typeof createWorkerRegistry>;
