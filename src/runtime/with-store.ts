// For one-shot commands (import-opml, retag): a store on REDIS_URL or on the embedded Redis of
// DATA_DIR, started for the command and stopped after it.
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { Config } from '../domain/types.ts';
import { createRedis, parseRedisTarget, checkRedis, closeRedis } from '../store/client.ts';
import { createStore } from '../store/index.ts';
import type { Store } from '../store/index.ts';
import { ensureRedisServer } from './redis-binary.ts';
import { runningEmbeddedRedis, startRedisServer } from './redis-server.ts';
import type { Logger } from './logger.ts';

export async function withStore<T>(
  config: Config,
  log: Logger,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  let url = config.env.redisUrl;
  let stopEmbedded: (() => Promise<void>) | null = null;
  // A running service owns the embedded Redis of this data dir: talk to it instead of starting one.
  if (!url) url = runningEmbeddedRedis(join(config.env.dataDir, 'redis'))?.url ?? null;
  if (!url) {
    const bin = await ensureRedisServer({
      env: { redisServerBin: config.env.redisServerBin, autoRedis: config.env.autoRedis },
      cacheDir: join(homedir(), '.cache', 'tributary'),
      log: (m) => log.info(m),
    });
    const embedded = await startRedisServer({
      bin,
      dataDir: join(config.env.dataDir, 'redis'),
      appendOnly: true,
      supervise: false,
      log: (m, level = 'info') => log[level](`redis-server: ${m}`),
    });
    url = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  const redis = createRedis(parseRedisTarget(url));
  try {
    await checkRedis(redis);
    return await fn(
      createStore(redis, {
        prefix: config.env.redisPrefix,
        unhealthyAfter: config.fetch.unhealthyAfter,
      }),
    );
  } finally {
    await closeRedis(redis);
    await stopEmbedded?.();
  }
}
