// Short leases in Redis, so only one process at a time does singleton work (scheduler sync,
// retention sweeps) even when several start at once; and waiting exclusion (`exclusive`), so two
// ingests of one source (a poll and a push) never run at once.
import { randomBytes } from 'node:crypto';
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';

const RELEASE =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
const EXTEND =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";

/** Waits before the next try for a held lock: short at first (a push waits on a poll). */
const retryDelay = (attempt: number) => Math.min(10 * 1.5 ** attempt, 100);

export function createLocks(redis: RedisClient, keys: Keys) {
  const release = (key: string, token: string) => redis.eval(RELEASE, 1, key, token);
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
        await release(key, token);
      }
    },

    /**
     * Runs `fn` holding the lock `name`, waiting up to `waitMs` for another holder to let go
     * (tries 10 ms apart at first, then up to 100 ms); `{ran: false}` when it did not come free
     * in time. The lease is `leaseMs`, renewed every third of it while `fn` runs, so a long holder
     * keeps it and a dead one's lapses. Not fair: two waiters take it in no particular order.
     */
    async exclusive<T>(
      name: string,
      opts: { leaseMs: number; waitMs: number },
      fn: () => Promise<T>,
    ): Promise<{ ran: true; value: T; waitedMs: number } | { ran: false; waitedMs: number }> {
      const key = keys.lock(name);
      const token = randomBytes(8).toString('hex');
      const t0 = Date.now();
      for (let attempt = 0; ; attempt++) {
        if ((await redis.set(key, token, 'PX', opts.leaseMs, 'NX')) === 'OK') break;
        const waited = Date.now() - t0;
        if (waited >= opts.waitMs) return { ran: false, waitedMs: waited };
        await new Promise((r) =>
          setTimeout(r, Math.min(retryDelay(attempt), opts.waitMs - waited)),
        );
      }
      const waitedMs = Date.now() - t0;
      const renew = setInterval(
        () => void redis.eval(EXTEND, 1, key, token, opts.leaseMs).catch(() => undefined),
        Math.max(50, Math.floor(opts.leaseMs / 3)),
      );
      renew.unref();
      try {
        return { ran: true, value: await fn(), waitedMs };
      } finally {
        clearInterval(renew);
        await release(key, token);
      }
    },
  };
}
