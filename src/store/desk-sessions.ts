// Desk sessions on the server side: the signed cookie names a session id, and the session is
// valid only while that id is in Redis with an expiry still ahead (one hash, id -> expiry in ms).
// Logging out removes the id, so a copied cookie stops working at once; "log out everywhere"
// removes them all. Expired ids are dropped whenever a session starts.
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';

export function createDeskSessionStore(redis: RedisClient, keys: Keys) {
  const key = keys.deskSessions();
  /** Ids and expiries of every stored session, expired ones included. */
  const all = async () =>
    Object.entries(await redis.hgetall(key)).map(([id, exp]) => ({ id, exp: Number(exp) }));
  return {
    async add(id: string, expMs: number, nowMs: number): Promise<void> {
      const stale = (await all()).filter((s) => !(s.exp > nowMs)).map((s) => s.id);
      const m = redis.multi().hset(key, id, String(expMs));
      if (stale.length) m.hdel(key, ...stale);
      await m.exec();
    },
    /** The session exists and has not expired. */
    async valid(id: string, nowMs: number): Promise<boolean> {
      const exp = await redis.hget(key, id);
      return exp !== null && Number(exp) > nowMs;
    },
    async remove(id: string): Promise<void> {
      await redis.hdel(key, id);
    },
    /** Ends every session; returns how many were active. */
    async removeAll(nowMs: number): Promise<number> {
      const active = (await all()).filter((s) => s.exp > nowMs).length;
      await redis.del(key);
      return active;
    },
    async active(nowMs: number): Promise<number> {
      return (await all()).filter((s) => s.exp > nowMs).length;
    },
  };
}

export type DeskSessionStore = ReturnType<typeof createDeskSessionStore>;
