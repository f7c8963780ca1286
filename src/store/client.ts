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
  if (url.startsWith('redis+cluster://'))
    return { url: url.replace('redis+cluster://', 'redis://'), cluster: true };
  return { url, cluster: false };
}

function hostPort(url: string): {
  host: string;
  port: number;
  password?: string;
  username?: string;
} {
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
    // BullMQ duplicates this client for its blocking connection; the options travel with it.
    // Its keys share the `{…:q}` hash tag of the queue prefix, so every script is single-slot.
    return new Cluster([{ host: hp.host, port: hp.port }], {
      redisOptions: {
        maxRetriesPerRequest: null,
        password: hp.password,
        username: hp.username,
        connectionName: `tributary-${role}`,
      },
      clusterRetryStrategy: (times) => Math.min(200 * times, 2000),
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

/** A Cluster client learns its masters only once connected: wait for that (bounded). */
async function clusterMasters(c: Cluster, timeoutMs = 10_000): Promise<Redis[]> {
  if (c.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => done(new Error(`Redis Cluster not ready after ${timeoutMs} ms (status ${c.status})`)),
        timeoutMs,
      );
      const onReady = () => done();
      const onEnd = () => done(new Error('Redis Cluster connection ended before it was ready'));
      function done(err?: Error) {
        clearTimeout(t);
        c.off('ready', onReady);
        c.off('end', onEnd);
        if (err) reject(err);
        else resolve();
      }
      c.once('ready', onReady);
      c.once('end', onEnd);
      if (c.status === 'wait') c.connect().catch(() => undefined); // lazyConnect
    });
  }
  return c.nodes('master');
}

/**
 * Refuses a Redis that would lose jobs or articles: older than 6.2, or evicting keys. On a
 * Cluster every master is checked (each holds its own share of the keys).
 */
export async function checkRedis(redis: RedisClient): Promise<RedisCheck> {
  const nodes: Redis[] = redis instanceof Cluster ? await clusterMasters(redis) : [redis];
  let result: RedisCheck | null = null;
  for (const node of nodes) {
    const info = await node.info();
    const field = (name: string) =>
      new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? null;
    const version = field('redis_version') ?? '0.0.0';
    const evictionPolicy = field('maxmemory_policy');
    const where = nodes.length > 1 ? ` (node ${node.options.host}:${node.options.port})` : '';
    if (compareVersions(version, '6.2.0') < 0) {
      throw new Error(`Redis ${version}${where} is too old: Tributary needs Redis 6.2 or newer.`);
    }
    if (evictionPolicy !== null && evictionPolicy !== 'noeviction') {
      throw new Error(
        `Redis maxmemory-policy is "${evictionPolicy}"${where}: Tributary needs "noeviction" (an evicting Redis silently loses queued jobs and articles). ` +
          'Set it with `CONFIG SET maxmemory-policy noeviction` or in redis.conf.',
      );
    }
    result ??= { version, evictionPolicy, cluster: field('cluster_enabled') === '1' };
  }
  if (!result) throw new Error('Redis Cluster reports no masters');
  return result;
}

export async function closeRedis(redis: RedisClient): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
