import { describe, it, expect, afterEach } from 'vitest';
import { createRedis, parseRedisTarget, closeRedis } from './client.ts';
import type { RedisClient } from './client.ts';
import { createStore } from './index.ts';
import { watchSectionVersions } from './section-versions.ts';
import { testRedisUrl, uniquePrefix } from '../../tests/helpers/redis.ts';

const clients: RedisClient[] = [];
const connect = () => {
  const c = createRedis(parseRedisTarget(testRedisUrl()));
  clients.push(c);
  return c;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => closeRedis(c)));
});

describe('watchSectionVersions', () => {
  it('serves versions from memory and learns every bump from pub/sub', async () => {
    const store = createStore(connect(), { prefix: uniquePrefix('ver'), unhealthyAfter: 3 });
    let reads = 0;
    const versions = await watchSectionVersions(connect(), store.keys, (id) => {
      reads++;
      return store.sections.version(id);
    });
    expect(await versions.get('s')).toBe(0);
    expect(await versions.get('s')).toBe(0);
    expect(reads).toBe(1);
    // Another process (another connection) bumps the section.
    const other = createStore(connect(), { prefix: store.keys.prefix, unhealthyAfter: 3 });
    await other.sections.bump(['s']);
    await other.sections.bump(['s']);
    for (let i = 0; i < 50 && (await versions.get('s')) !== 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await versions.get('s')).toBe(2);
    expect(reads).toBe(1);
    await versions.close();
  });

  it('reads Redis when the subscription is down', async () => {
    const store = createStore(connect(), { prefix: uniquePrefix('ver'), unhealthyAfter: 3 });
    const sub = connect();
    let reads = 0;
    const versions = await watchSectionVersions(sub, store.keys, (id) => {
      reads++;
      return store.sections.version(id);
    });
    await versions.get('s');
    sub.disconnect(); // no reconnect: the watcher must stop trusting memory
    await new Promise((r) => setTimeout(r, 50));
    await store.redis.incr(store.keys.sectionVersion('s')); // a bump whose message nobody hears
    expect(await versions.get('s')).toBe(1);
    expect(reads).toBe(2);
  });
});
