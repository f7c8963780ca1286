// Section versions held in memory by a server, kept current by the pub/sub message every bump
// publishes, so a cached feed is served without a Redis round trip. Versions only grow (INCR), so
// every update keeps the larger value and a slow read can never move one back. While the
// subscription is down, every read goes to Redis, and the memory is cleared: no stale hit is possible
// beyond the pub/sub delivery delay.
import type { Keys } from './keys.ts';
import type { RedisClient } from './client.ts';

export interface SectionVersions {
  get(sectionId: string): Promise<number>;
  /** The version from memory when the subscription is live and the section is known, else undefined. */
  peek(sectionId: string): number | undefined;
  close(): Promise<void>;
}

export async function watchSectionVersions(
  subscriber: RedisClient,
  keys: Keys,
  read: (sectionId: string) => Promise<number>,
): Promise<SectionVersions> {
  const known = new Map<string, number>();
  let live = false;
  const keep = (id: string, v: number) => {
    if (v > (known.get(id) ?? -1)) known.set(id, v);
  };
  const down = () => {
    live = false;
    known.clear();
  };
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== keys.sectionVersionChannel()) return;
    const i = message.lastIndexOf(' ');
    const v = Number(message.slice(i + 1));
    if (i > 0 && Number.isFinite(v)) keep(message.slice(0, i), v);
  });
  subscriber.on('close', down);
  subscriber.on('reconnecting', down);
  subscriber.on('end', down);
  subscriber.on('error', down);
  subscriber.on('ready', () => {
    // ioredis re-subscribes on reconnect before it reports ready.
    live = true;
  });
  await subscriber.subscribe(keys.sectionVersionChannel());
  live = true;
  return {
    async get(sectionId) {
      const cached = live ? known.get(sectionId) : undefined;
      if (cached !== undefined) return cached;
      const v = await read(sectionId);
      if (live) keep(sectionId, v);
      return known.get(sectionId) ?? v;
    },
    peek(sectionId) {
      return live ? known.get(sectionId) : undefined;
    },
    async close() {
      down();
      try {
        await subscriber.quit();
      } catch {
        subscriber.disconnect();
      }
    },
  };
}
