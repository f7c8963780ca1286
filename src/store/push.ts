// Push state in Redis (issue 12): the hub's subscriptions and the webhooks' claims, pending and
// failed deliveries. Hub keys share the hash tag {hub}; a webhook's keys share its id as hash tag,
// so every multi-key write below stays in one slot on Cluster.
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';

export interface HubSubscription {
  /** sha256(topic + callback), hex, 32 chars: one subscription per (topic, callback). */
  id: string;
  topic: string;
  callback: string;
  sectionId: string;
  secret: string | null;
  leaseSeconds: number;
  /** ms since epoch. */
  leaseEnds: number;
  createdAt: number;
}

export interface WebhookDelivery {
  id: string;
  sectionId: string;
  itemIds: string[];
  /** The JSON body, fixed at the first attempt: every retry sends the same items. */
  body: string | null;
  createdAt: number;
  lastError?: string;
}

/** A webhook added through the admin API, as stored (its secret, or the variable holding it). */
export interface RuntimeWebhook {
  id: string;
  url: string;
  /** null = every section. */
  sections: string[] | null;
  secret: string | null;
  secretEnv: string | null;
  createdAt: number;
}

export interface WebhookState {
  /** When the service first ran with this hook (ms): it gets items that arrive after. */
  since: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAt: number | null;
}

// KEYS: 1 subs hash, 2 leases zset, 3 section set; ARGV: id, json, leaseEnds, max.
// Returns 1 when stored (new or renewed), 0 when the hub is full.
const PUT_SUB = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1`;

// KEYS: 1 claimed zset, 2 pending hash; ARGV: now, trimBefore, deliveryId, createdJson-prefix,
// then item ids. Claims the ids not yet claimed for this hook and section and records them as one
// pending delivery. Idempotent per delivery id: a re-run returns the delivery's ids again.
const CLAIM = `
local existing = redis.call('HGET', KEYS[2], ARGV[3])
if existing then return existing end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local fresh = {}
for i = 5, #ARGV do
  if redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[i]) == 1 then
    fresh[#fresh + 1] = ARGV[i]
  end
end
if #fresh == 0 or ARGV[4] == '' then return false end
local json = string.sub(ARGV[4], 1, -2) .. ',"itemIds":' .. cjson.encode(fresh) .. '}'
redis.call('HSET', KEYS[2], ARGV[3], json)
return json`;

/** Failed webhook deliveries kept per hook (each holds its items until re-sent). */
export const MAX_FAILED = 1000;

// KEYS: 1 failed hash, 2 failed order zset, 3 pending hash; ARGV: id, json, createdAt, max.
const FAIL = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local old = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
  redis.call('HDEL', KEYS[1], unpack(old))
end
return 1`;

export function createPushStore(redis: RedisClient, keys: Keys) {
  const subKey = keys.hubSubscriptions();
  const leaseKey = keys.hubLeases();
  return {
    hub: {
      async count(): Promise<number> {
        return redis.hlen(subKey);
      },
      async get(id: string): Promise<HubSubscription | null> {
        const raw = await redis.hget(subKey, id);
        return raw ? (JSON.parse(raw) as HubSubscription) : null;
      },
      /** Stores or renews; false when `max` subscriptions exist and this one is new. */
      async put(sub: HubSubscription, max: number): Promise<boolean> {
        const r = await redis.eval(
          PUT_SUB,
          3,
          subKey,
          leaseKey,
          keys.hubSectionSubs(sub.sectionId),
          sub.id,
          JSON.stringify(sub),
          String(sub.leaseEnds),
          String(max),
        );
        return r === 1;
      },
      /** sha256 of the last document delivered (kept apart from the subscription, which a
       *  renewal may rewrite meanwhile); an unchanged document is not sent again. */
      async lastSent(id: string): Promise<string | null> {
        return redis.hget(keys.hubLastSent(), id);
      },
      async setLastSent(id: string, hash: string | null): Promise<void> {
        if (hash === null) await redis.hdel(keys.hubLastSent(), id);
        else await redis.hset(keys.hubLastSent(), id, hash);
      },
      async remove(id: string, sectionId: string): Promise<boolean> {
        const res = await redis
          .multi()
          .hdel(subKey, id)
          .zrem(leaseKey, id)
          .srem(keys.hubSectionSubs(sectionId), id)
          .hdel(keys.hubLastSent(), id)
          .exec();
        return Number(res?.[0]?.[1] ?? 0) > 0;
      },
      /** Active subscriptions to one section's topics (expired leases are left out). */
      async forSection(sectionId: string, nowMs: number): Promise<HubSubscription[]> {
        const ids = await redis.smembers(keys.hubSectionSubs(sectionId));
        if (ids.length === 0) return [];
        const raws = await redis.hmget(subKey, ...ids);
        return raws
          .filter((r): r is string => r !== null)
          .map((r) => JSON.parse(r) as HubSubscription)
          .filter((s) => s.leaseEnds > nowMs);
      },
      /** Drops subscriptions whose lease ended; returns how many. */
      async dropExpired(nowMs: number): Promise<number> {
        const ids = await redis.zrangebyscore(leaseKey, '-inf', nowMs);
        let n = 0;
        for (const id of ids) {
          const sub = await this.get(id);
          if (sub && sub.leaseEnds > nowMs) continue; // renewed meanwhile
          if (await this.remove(id, sub?.sectionId ?? '')) n++;
          else await redis.zrem(leaseKey, id);
        }
        return n;
      },
    },

    webhooks: {
      async listRuntime(): Promise<RuntimeWebhook[]> {
        const h = await redis.hgetall(keys.runtimeWebhooks());
        return Object.values(h)
          .map((v) => JSON.parse(v) as RuntimeWebhook)
          .sort((a, b) => a.id.localeCompare(b.id));
      },
      async getRuntime(hookId: string): Promise<RuntimeWebhook | null> {
        const raw = await redis.hget(keys.runtimeWebhooks(), hookId);
        return raw ? (JSON.parse(raw) as RuntimeWebhook) : null;
      },
      async countRuntime(): Promise<number> {
        return redis.hlen(keys.runtimeWebhooks());
      },
      /** Adds (when `onlyNew`: only if no hook has this id; false then) or replaces one. */
      async putRuntime(hook: RuntimeWebhook, onlyNew = false): Promise<boolean> {
        const json = JSON.stringify(hook);
        if (onlyNew) return (await redis.hsetnx(keys.runtimeWebhooks(), hook.id, json)) === 1;
        await redis.hset(keys.runtimeWebhooks(), hook.id, json);
        return true;
      },
      async deleteRuntime(hookId: string): Promise<boolean> {
        return (await redis.hdel(keys.runtimeWebhooks(), hookId)) > 0;
      },
      /** Drops everything kept for one hook: state, claims, pending and failed deliveries. */
      async forget(hookId: string): Promise<void> {
        await redis.del(
          keys.webhookClaimed(hookId),
          keys.webhookPending(hookId),
          keys.webhookFailed(hookId),
          keys.webhookFailedOrder(hookId),
        );
        await redis.hdel(keys.webhookState(), hookId);
      },
      async state(hookId: string): Promise<WebhookState | null> {
        const raw = await redis.hget(keys.webhookState(), hookId);
        return raw ? (JSON.parse(raw) as WebhookState) : null;
      },
      /** Records the hook's start once; true when this call did (the caller then baselines it). */
      async start(hookId: string, nowMs: number): Promise<boolean> {
        const st: WebhookState = { since: nowMs, lastStatus: null, lastError: null, lastAt: null };
        return (await redis.hsetnx(keys.webhookState(), hookId, JSON.stringify(st))) === 1;
      },
      async record(hookId: string, status: number | null, error: string | null, nowMs: number) {
        const cur = (await this.state(hookId)) ?? {
          since: nowMs,
          lastStatus: null,
          lastError: null,
          lastAt: null,
        };
        const next: WebhookState = { ...cur, lastStatus: status, lastError: error, lastAt: nowMs };
        await redis.hset(keys.webhookState(), hookId, JSON.stringify(next));
      },
      /**
       * Claims the item ids this hook has not had (in any section). With a delivery id, the
       * fresh ones become that pending delivery (returned; a re-run returns the same one); without,
       * they are only marked as had (a new hook's starting point).
       */
      async claim(
        hookId: string,
        sectionId: string,
        itemIds: string[],
        opts: { nowMs: number; keepMs: number; deliveryId: string | null },
      ): Promise<WebhookDelivery | null> {
        const head = opts.deliveryId
          ? JSON.stringify({
              id: opts.deliveryId,
              sectionId,
              body: null,
              createdAt: opts.nowMs,
            })
          : '';
        const r = (await redis.eval(
          CLAIM,
          2,
          keys.webhookClaimed(hookId),
          keys.webhookPending(hookId),
          String(opts.nowMs),
          String(opts.nowMs - opts.keepMs),
          opts.deliveryId ?? '',
          head,
          ...itemIds,
        )) as string | null;
        return r ? (JSON.parse(r) as WebhookDelivery) : null;
      },
      async pending(hookId: string, deliveryId: string): Promise<WebhookDelivery | null> {
        const raw = await redis.hget(keys.webhookPending(hookId), deliveryId);
        return raw ? (JSON.parse(raw) as WebhookDelivery) : null;
      },
      async savePending(hookId: string, d: WebhookDelivery): Promise<void> {
        await redis.hset(keys.webhookPending(hookId), d.id, JSON.stringify(d));
      },
      async delivered(hookId: string, deliveryId: string): Promise<void> {
        await redis.hdel(keys.webhookPending(hookId), deliveryId);
      },
      /** Moves a delivery that used every attempt from pending to failed. */
      /** Keeps at most `max` failed deliveries per hook: the oldest go first. */
      async fail(hookId: string, d: WebhookDelivery, max = MAX_FAILED): Promise<void> {
        await redis.eval(
          FAIL,
          3,
          keys.webhookFailed(hookId),
          keys.webhookFailedOrder(hookId),
          keys.webhookPending(hookId),
          d.id,
          JSON.stringify(d),
          String(d.createdAt),
          String(max),
        );
      },
      /** Moves every failed delivery back to pending; returns them (to be queued again). */
      async unfail(hookId: string): Promise<WebhookDelivery[]> {
        const all = await redis.hgetall(keys.webhookFailed(hookId));
        const out: WebhookDelivery[] = [];
        for (const [id, raw] of Object.entries(all)) {
          const d = JSON.parse(raw) as WebhookDelivery;
          await redis
            .multi()
            .hset(keys.webhookPending(hookId), id, raw)
            .hdel(keys.webhookFailed(hookId), id)
            .zrem(keys.webhookFailedOrder(hookId), id)
            .exec();
          out.push(d);
        }
        return out;
      },
      async counts(hookId: string): Promise<{ pending: number; failed: number }> {
        const [pending, failed] = await Promise.all([
          redis.hlen(keys.webhookPending(hookId)),
          redis.hlen(keys.webhookFailed(hookId)),
        ]);
        return { pending, failed };
      },
      async pendingIds(hookId: string): Promise<string[]> {
        return redis.hkeys(keys.webhookPending(hookId));
      },
    },
  };
}

export type PushStore = ReturnType<typeof createPushStore>;

/**
 * Calls `onBump(section, version)` for every section version bump (the pub/sub message
 * sections.ts publishes), on a connection of its own (a subscribed client can do nothing else).
 */
export async function watchSectionBumps(
  subscriber: RedisClient,
  keys: Keys,
  onBump: (sectionId: string, version: number) => void,
): Promise<{ close(): Promise<void> }> {
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== keys.sectionVersionChannel()) return;
    const i = message.lastIndexOf(' ');
    const v = Number(message.slice(i + 1));
    if (i > 0 && Number.isFinite(v)) onBump(message.slice(0, i), v);
  });
  await subscriber.subscribe(keys.sectionVersionChannel());
  return {
    async close() {
      try {
        await subscriber.quit();
      } catch {
        subscriber.disconnect();
      }
    },
  };
}
