// Short leases in Redis, so only one process at a time does singleton work (scheduler sync,
// retention sweeps) even when several start at once.
import { randomBytes } from 'node:crypto';
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';

export function createLocks(redis: RedisClient, keys: Keys) {
  return {
    /** Runs `fn` if the lease `name` is free; returns false when another process holds it. */
    async withLease<T>(
      name: string,
      ttlMs: number,
      fn: () => Promise<T>,
    ): Promise<{ ran: true; value: T } | { ran: false }> {
      const key = keys.lock(name);
      const token = randomBytes(8).toString('hex');
      const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
      if (ok !== 'OK') return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        await redis.eval(
          "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
          1,
          key,
          token,
        );
      }
    },
  };
}
