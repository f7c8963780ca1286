// Per-host politeness across every worker: at most `perHost` concurrent fetches of one host.
// One sorted set per host holds leases (member = random token, score = expiry in Redis server
// time, ms). Acquire and release are single Lua scripts, so two workers never both take the
// last slot; expired leases are reclaimed on every acquire, so a killed worker never wedges a
// host for longer than `leaseMs`.
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { FeedError } from '../domain/errors.ts';

export interface HostLimiter {
  /** Waits for a slot of `host`; resolves to the release function (safe to call twice). */
  acquire(
    host: string,
    opts?: { signal?: AbortSignal; waitMs?: number },
  ): Promise<() => Promise<void>>;
}

export interface HostLimiterOptions {
  keyFor: (host: string) => string;
  perHost: number;
  /** How long a lease lives if never released; keep it above the fetch timeout. */
  leaseMs: number;
}

// KEYS[1] slots; ARGV: token, leaseMs, perHost. Returns {1, 0} when taken, else {0, ms until the
// earliest lease expires}.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  if redis.call('PTTL', KEYS[1]) < lease then redis.call('PEXPIRE', KEYS[1], lease) end
  return {1, 0}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(0, tonumber(first[2]) - now)}
`;

const RELEASE = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

const POLL_MS = 50;
const DEFAULT_WAIT_MS = 30_000;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createHostLimiter(redis: Redis | Cluster, opts: HostLimiterOptions): HostLimiter {
  const perHost = Math.max(1, Math.floor(opts.perHost));
  const leaseMs = Math.max(1000, Math.floor(opts.leaseMs));
  return {
    async acquire(host, acquireOpts = {}) {
      const key = opts.keyFor(host.toLowerCase());
      const token = randomBytes(12).toString('hex');
      const waitMs = acquireOpts.waitMs ?? DEFAULT_WAIT_MS;
      const deadline = Date.now() + waitMs;
      for (;;) {
        if (acquireOpts.signal?.aborted) throw acquireOpts.signal.reason;
        const [taken, expiresIn] = (await redis.eval(ACQUIRE, 1, key, token, leaseMs, perHost)) as [
          number,
          number,
        ];
        if (taken === 1) {
          let released = false;
          return async () => {
            if (released) return;
            released = true;
            await redis.eval(RELEASE, 1, key, token);
          };
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new FeedError(
            'rate-limited',
            `all ${perHost} fetch slots of ${host} busy for ${waitMs} ms`,
            {
              permanent: false,
              retryAfterMs: Math.max(POLL_MS, Math.min(expiresIn, leaseMs)),
            },
          );
        }
        // Short jittered polling: the slot frees on release, which we cannot be told about cheaply.
        await sleep(
          Math.min(left, POLL_MS + Math.floor(Math.random() * POLL_MS)),
          acquireOpts.signal,
        );
      }
    },
  };
}
