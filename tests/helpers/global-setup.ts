// Starts one real redis-server for the whole test run on a free loopback port (never the
// user's Redis on 6379, never a mock), through the same runtime code `npm start` uses: found
// via REDIS_SERVER_BIN or PATH, or provisioned (apt-get as root on Debian, else built from
// source into ~/.cache/tributary) on a fresh machine unless TRIBUTARY_AUTO_REDIS=0. Tests reach it
// with `inject('redisUrl')` and isolate themselves with a unique key prefix (tests/helpers/redis.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureRedisServer } from '../../src/runtime/redis-binary.ts';
import { startRedisServer } from '../../src/runtime/redis-server.ts';
import { ensureBuilt } from './ensure-built.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

const say = (msg: string) => process.stderr.write(`[test redis] ${msg}\n`);

export default async function setup(project: TestProject) {
  ensureBuilt();
  const bin = await ensureRedisServer({
    env: {
      redisServerBin: process.env.REDIS_SERVER_BIN || null,
      autoRedis: !/^(0|false|no|off)$/i.test(process.env.TRIBUTARY_AUTO_REDIS ?? ''),
    },
    cacheDir: join(homedir(), '.cache', 'tributary'), // the same cache `npm start` uses
    log: say,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-test-redis-'));
  const redis = await startRedisServer({
    bin,
    dataDir,
    appendOnly: false,
    log: (msg, level) => {
      if (level === 'warn' || level === 'error') say(msg);
    },
  });
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
