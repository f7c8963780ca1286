// With REDIS_URL, Tributary refuses a Redis that would lose data: an evicting policy.
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedisServer } from '../../src/runtime/redis-binary.ts';
import { startRedisServer } from '../../src/runtime/redis-server.ts';
import { testConfig, startService } from '../helpers/service.ts';

describe('external Redis checks', () => {
  it('refuses to start on a Redis whose maxmemory-policy is not noeviction', async () => {
    const bin = await ensureRedisServer({
      env: { redisServerBin: null, autoRedis: false },
      cacheDir: join(tmpdir(), 'tributary-cache'),
      log: () => undefined,
    });
    const redis = await startRedisServer({
      bin,
      dataDir: mkdtempSync(join(tmpdir(), 'trib-evict-')),
      appendOnly: false,
      supervise: false,
      log: () => undefined,
    });
    try {
      // Switch the running server to an evicting policy, as a misconfigured production Redis would be.
      const { Redis } = await import('ioredis');
      const c = new Redis(redis.url);
      await c.config('SET', 'maxmemory-policy', 'allkeys-lru');
      await c.quit();
      const config = testConfig('sections: []\n', { redisUrl: redis.url });
      await expect(startService(config)).rejects.toThrow(
        /maxmemory-policy is "allkeys-lru".*noeviction/,
      );
    } finally {
      await redis.stop();
    }
  });
});
