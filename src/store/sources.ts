// Per-source fetch state (validators, health, schedule) and the runtime sources added through the
// admin API or OPML import. Fetch failures become source state here, never a crash elsewhere.
import type { SourceConfig, SourceState, SourceStatus } from '../domain/types.ts';
import type { Keys } from './keys.ts';
import { Cluster } from 'ioredis';
import type { RedisClient } from './client.ts';

// KEYS[1] state hash; ARGV: 1 lastFetch ('' = none), 2 n deletions, then the fields to delete,
// then field/value pairs to set.
const PATCH_STATE_LUA = `
local key = KEYS[1]
if ARGV[1] ~= '' then
  local cur = redis.call('HGET', key, 'lastFetch')
  if cur and cur > ARGV[1] then return 0 end
end
local n = tonumber(ARGV[2])
for i = 3, 2 + n do redis.call('HDEL', key, ARGV[i]) end
for i = 3 + n, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
return 1
`;

/**
 * Whether the stored last error is one retrying will not cure. Polls record it
 * (`lastErrorPermanent`); states written before that are judged by kind and HTTP status.
 */
function isPermanentError(h: Record<string, string>): boolean {
  if (h.lastErrorPermanent !== undefined) return h.lastErrorPermanent === 'true';
  if (h.lastErrorKind === 'not-a-feed' || h.lastErrorKind === 'blocked-address') return true;
  const status = /^HTTP (\d{3}) /.exec(h.lastError ?? '')?.[1];
  return h.lastErrorKind === 'http' && (status === '404' || status === '410');
}

function toState(
  sourceId: string,
  h: Record<string, string>,
  articleCount: number,
  unhealthyAfter: number,
): SourceState {
  const failures = Number(h.consecutiveFailures ?? 0);
  const failing = h.status === 'error';
  const permanent = failing && isPermanentError(h);
  return {
    sourceId,
    url: h.url ?? '',
    movedFrom: h.movedFrom || null,
    status: (h.status as SourceStatus) ?? 'new',
    // Only a source whose last poll failed can be unhealthy: a permanent error at once, a
    // transient one after `unhealthyAfter` consecutive failures.
    healthy: !failing || (!permanent && failures < unhealthyAfter),
    lastFetch: h.lastFetch || null,
    lastSuccess: h.lastSuccess || null,
    lastError: h.lastError || null,
    lastErrorKind: h.lastErrorKind || null,
    lastErrorPermanent: permanent,
    consecutiveFailures: failures,
    nextPoll: h.nextPoll || null,
    etag: h.etag || null,
    lastModified: h.lastModified || null,
    undatedItems: Number(h.undatedItems ?? 0),
    articleCount,
    lastNewItems: Number(h.lastNewItems ?? 0),
    duplicateGuids: Number(h.duplicateGuids ?? 0),
    skippedTooOld: Number(h.skippedTooOld ?? 0),
    epoch: h.epoch || null,
    repairs: h.repairs ? (JSON.parse(h.repairs) as string[]) : [],
    lastHttpStatus: h.lastHttpStatus ? Number(h.lastHttpStatus) : null,
    fullTextNote: h.fullTextNote || null,
  };
}

export type SourceStatePatch = Partial<Omit<SourceState, 'sourceId' | 'healthy' | 'articleCount'>>;

export function createSourceStore(
  redis: RedisClient,
  keys: Keys,
  opts: { unhealthyAfter: number },
) {
  return {
    async getState(sourceId: string): Promise<SourceState> {
      const [h, count] = await Promise.all([
        redis.hgetall(keys.sourceState(sourceId)),
        redis.zcard(keys.sourceArticles(sourceId)),
      ]);
      return toState(sourceId, h, count, opts.unhealthyAfter);
    },

    /**
     * The states of many sources in one round trip (one pipeline of HGETALL + ZCARD each): the
     * desk and the health page read every source's state per request. On Cluster the keys lie in
     * different slots, so there each source is read on its own (in parallel).
     */
    async getStates(sourceIds: readonly string[]): Promise<SourceState[]> {
      if (redis instanceof Cluster || sourceIds.length === 0)
        return Promise.all(
          sourceIds.map(async (id) => {
            const [h, count] = await Promise.all([
              redis.hgetall(keys.sourceState(id)),
              redis.zcard(keys.sourceArticles(id)),
            ]);
            return toState(id, h, count, opts.unhealthyAfter);
          }),
        );
      const p = redis.pipeline();
      for (const id of sourceIds) p.hgetall(keys.sourceState(id)).zcard(keys.sourceArticles(id));
      const res = (await p.exec()) ?? [];
      return sourceIds.map((id, i) => {
        const [e1, h] = res[2 * i] ?? [];
        const [e2, count] = res[2 * i + 1] ?? [];
        if (e1 || e2) throw e1 ?? e2;
        return toState(id, h as Record<string, string>, count as number, opts.unhealthyAfter);
      });
    },

    /**
     * Applies a state patch atomically. A patch that carries `lastFetch` older than the stored one
     * is dropped: when two polls of one source overlap, the state shows the newest.
     */
    async patchState(sourceId: string, patch: SourceStatePatch): Promise<void> {
      const set: string[] = [];
      const del: string[] = [];
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) continue;
        if (v === null || (Array.isArray(v) && v.length === 0)) del.push(k);
        else set.push(k, Array.isArray(v) ? JSON.stringify(v) : String(v));
      }
      await redis.eval(
        PATCH_STATE_LUA,
        1,
        keys.sourceState(sourceId),
        patch.lastFetch ?? '',
        String(del.length),
        ...del,
        ...set,
      );
    },

    /** What the last poll saw: item key -> item hash (skips unchanged items on the next poll). */
    async seenItems(sourceId: string): Promise<Map<string, string>> {
      return new Map(Object.entries(await redis.hgetall(keys.sourceSeen(sourceId))));
    },

    /** Replaces the seen-items map with this poll's items, expiring with retention. */
    async replaceSeen(sourceId: string, entries: [string, string][], ttlMs: number): Promise<void> {
      const key = keys.sourceSeen(sourceId);
      const tx = redis.multi().del(key);
      if (entries.length > 0) tx.hset(key, ...entries.flat()).pexpire(key, ttlMs);
      await tx.exec();
    },

    async recordFailure(sourceId: string): Promise<number> {
      return redis.hincrby(keys.sourceState(sourceId), 'consecutiveFailures', 1);
    },

    async addArticles(
      sourceId: string,
      items: { id: string; publishedMs: number }[],
    ): Promise<void> {
      if (items.length === 0) return;
      const args = items.flatMap((i) => [i.publishedMs, i.id]);
      await redis.zadd(keys.sourceArticles(sourceId), ...args);
    },

    /** Ids of every stored article of a source, newest first. */
    async articleIds(sourceId: string): Promise<string[]> {
      return redis.zrevrange(keys.sourceArticles(sourceId), 0, -1);
    },

    /** Recent publish times of a source's articles (adaptive polling input). */
    async recentPublishTimes(sourceId: string, limit = 50): Promise<number[]> {
      const flat = await redis.zrevrange(keys.sourceArticles(sourceId), 0, limit - 1, 'WITHSCORES');
      const out: number[] = [];
      for (let i = 1; i < flat.length; i += 2) out.push(Number(flat[i]));
      return out;
    },

    async trimArticles(sourceId: string, nowMs: number, maxAgeMs: number): Promise<void> {
      await redis.zremrangebyscore(keys.sourceArticles(sourceId), '-inf', `(${nowMs - maxAgeMs}`);
    },

    async deleteState(sourceId: string): Promise<void> {
      await Promise.all([
        redis.del(keys.sourceState(sourceId)),
        redis.del(keys.sourceArticles(sourceId)),
        redis.del(keys.sourceSeen(sourceId)),
      ]);
    },

    // ---- runtime sources (admin API, OPML import)
    async listRuntime(): Promise<SourceConfig[]> {
      const h = await redis.hgetall(keys.runtimeSources());
      return Object.values(h)
        .map((v) => JSON.parse(v) as SourceConfig)
        .sort((a, b) => a.id.localeCompare(b.id));
    },

    async putRuntime(source: SourceConfig): Promise<void> {
      await redis.hset(
        keys.runtimeSources(),
        source.id,
        JSON.stringify({ ...source, origin: 'runtime' }),
      );
    },

    async deleteRuntime(sourceId: string): Promise<boolean> {
      return (await redis.hdel(keys.runtimeSources(), sourceId)) > 0;
    },
  };
}

export type SourceStore = ReturnType<typeof createSourceStore>;
