// Our WebSub subscriptions in Redis: one hash per source (keys.websubSubscription) and the
// callback token -> source index (keys.websubTokens). Written only by the subscriber.
import type { Store } from '../../store/index.ts';

export type PushState = 'pending' | 'subscribed' | 'denied' | 'expired' | 'failed';

export interface Subscription {
  sourceId: string;
  /** The hub we talk to (after a 308 the new one). */
  hub: string;
  /** The hub the source advertises (a changed one means subscribing afresh). */
  advertisedHub: string;
  topic: string;
  state: PushState;
  /** Unguessable last segment of our callback URL. */
  token: string;
  /** The hub.secret we gave; pushed bodies are signed with it. */
  secret: string;
  /** A request sent and awaiting the hub's verification of intent, or null. */
  pending: 'subscribe' | 'unsubscribe' | null;
  /** When the last request was sent (ms). */
  requestedAt: number;
  /** Lease end (ms) once verified, else null. */
  leaseEnds: number | null;
  /** When to renew (ms): ~85 % into the granted lease. */
  renewAt: number | null;
  lastError: string | null;
}

const num = (v: string | undefined) => (v ? Number(v) : null);

function fromHash(sourceId: string, h: Record<string, string>): Subscription | null {
  if (!h.token) return null;
  return {
    sourceId,
    hub: h.hub ?? '',
    advertisedHub: h.advertisedHub ?? h.hub ?? '',
    topic: h.topic ?? '',
    state: (h.state as PushState) ?? 'pending',
    token: h.token,
    secret: h.secret ?? '',
    pending: h.pending === 'subscribe' || h.pending === 'unsubscribe' ? h.pending : null,
    requestedAt: num(h.requestedAt) ?? 0,
    leaseEnds: num(h.leaseEnds),
    renewAt: num(h.renewAt),
    lastError: h.lastError || null,
  };
}

export function subscriptionState(store: Store) {
  const { redis, keys } = store;
  return {
    async get(sourceId: string): Promise<Subscription | null> {
      return fromHash(sourceId, await redis.hgetall(keys.websubSubscription(sourceId)));
    },
    /** Many sources' subscriptions in one round trip (the desk lists every source's push state). */
    async getMany(sourceIds: readonly string[]): Promise<(Subscription | null)[]> {
      const hs = await store.readHashes(sourceIds.map((id) => keys.websubSubscription(id)));
      return sourceIds.map((id, i) => fromHash(id, hs[i]!));
    },
    async put(s: Subscription): Promise<void> {
      await redis
        .multi()
        .del(keys.websubSubscription(s.sourceId))
        .hset(keys.websubSubscription(s.sourceId), {
          hub: s.hub,
          advertisedHub: s.advertisedHub,
          topic: s.topic,
          state: s.state,
          token: s.token,
          secret: s.secret,
          pending: s.pending ?? '',
          requestedAt: String(s.requestedAt),
          leaseEnds: s.leaseEnds === null ? '' : String(s.leaseEnds),
          renewAt: s.renewAt === null ? '' : String(s.renewAt),
          lastError: s.lastError ?? '',
        })
        .exec();
      await redis.hset(keys.websubTokens(), s.token, s.sourceId);
    },
    /** Sets some fields only (the hub's verification may have written others meanwhile). */
    async patch(
      sourceId: string,
      fields: Partial<Pick<Subscription, 'hub' | 'state' | 'pending' | 'lastError'>>,
    ): Promise<void> {
      const h: Record<string, string> = {};
      for (const [k, v] of Object.entries(fields)) h[k] = v === null ? '' : String(v);
      if (Object.keys(h).length) await redis.hset(keys.websubSubscription(sourceId), h);
    },
    async sourceOfToken(token: string): Promise<string | null> {
      return redis.hget(keys.websubTokens(), token);
    },
    async remove(s: Pick<Subscription, 'sourceId' | 'token'>): Promise<void> {
      await redis.del(keys.websubSubscription(s.sourceId));
      await redis.hdel(keys.websubTokens(), s.token);
    },
  };
}
