// Redis connections. The store is the only code that talks to Redis (BullMQ gets its own
// connection options from here). A `redis+cluster://` URL, or a seed that reports cluster mode,
// yields an ioredis Cluster; everything else a plain client.
import { Redis, Cluster } from 'ioredis';
import type { RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  url: string;
  cluster: boolean;
}

export function parseRedisTarget(url: string): RedisTarget {
  if (url.startsWith('redis+cluster://')) return { url: url.replace('redis+cluster://', 'redis://'), cluster: true };
  return { url, cluster: false };
}

function hostPort(url: string): { host: string; port: number; password?: string; username?: string } {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
  };
}

export interface ConnectOptions {
  /** BullMQ workers need `null` (block forever); the store uses a small number. */
  maxRetriesPerRequest?: number | null;
  connectionName?: string;
  lazyConnect?: boolean;
}

export function createRedis(target: RedisTarget, opts: ConnectOptions = {}): RedisClient {
  const base: RedisOptions = {
    maxRetriesPerRequest: opts.maxRetriesPerRequest === undefined ? 2 : opts.maxRetriesPerRequest,
    enableAutoPipelining: true,
    connectionName: opts.connectionName ?? 'tributary',
    lazyConnect: opts.lazyConnect ?? false,
    // Reconnect forever with a capped back-off: an outage must not need a restart.
    retryStrategy: (times) => Math.min(200 * times, 2000),
  };
  if (target.cluster) {
    const hp = hostPort(target.url);
    return new Cluster([{ host: hp.host, port: hp.port }], {
      redisOptions: { ...base, password: hp.password, username: hp.username },
      enableAutoPipelining: true,
      clusterRetryStrategy: (times) => Math.min(200 * times, 2000),
      lazyConnect: base.lazyConnect,
    });
  }
  return new Redis(target.url, base);
}

/** Connection options in the shape BullMQ wants (it builds its own ioredis clients). */
export function bullConnection(target: RedisTarget, role: 'worker' | 'queue') {
  const hp = hostPort(target.url);
  if (target.cluster) {
    return new Cluster([{ host: hp.host, port: hp.port }], {
      redisOptions: { maxRetriesPerRequest: null, password: hp.password, username: hp.username },
    });
  }
  return new Redis(target.url, {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    connectionName: `tributary-${role}`,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
}

export interface RedisCheck {
  version: string;
  evictionPolicy: string | null;
  cluster: boolean;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Refuses a Redis that would lose jobs or articles: older than 6.2, or evicting keys. */
export async function checkRedis(redis: RedisClient): Promise<RedisCheck> {
  const node = redis instanceof Cluster ? redis.nodes('master')[0] ?? redis : redis;
  const info = await (node as Redis).info();
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? null;
  const version = field('redis_version') ?? '0.0.0';
  const evictionPolicy = field('maxmemory_policy');
  if (compareVersions(version, '6.2.0') < 0) {
    throw new Error(`Redis ${version} is too old: Tributary needs Redis 6.2 or newer.`);
  }
  if (evictionPolicy !== null && evictionPolicy !== 'noeviction') {
    throw new Error(
      `Redis maxmemory-policy is "${evictionPolicy}": Tributary needs "noeviction" (an evicting Redis silently loses queued jobs and articles). ` +
        'Set it with `CONFIG SET maxmemory-policy noeviction` or in redis.conf.',
    );
  }
  return { version, evictionPolicy, cluster: field('cluster_enabled') === '1' };
}

export async function closeRedis(redis: RedisClient): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
