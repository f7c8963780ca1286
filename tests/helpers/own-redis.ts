// A redis-server of a test's own (not the shared one), for tests that count every command the
// server ran (INFO commandstats): nothing else talks to it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import type { RedisClient } from '../../src/store/client.ts';

export interface OwnRedis {
  url: string;
  client: RedisClient;
  /** Calls of commands that write (`write` or `may_replicate` flag), by command, since start. */
  writes(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const bin = process.env.REDIS_SERVER_BIN || 'redis-server';
  const child: ChildProcess = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const client = createRedis(parseRedisTarget(url));
  client.on('error', () => undefined); // refused until the server listens: retried below
  for (let i = 0; ; i++) {
    try {
      await client.ping();
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const flags = new Map<string, boolean>();
  return {
    url,
    client,
    async writes() {
      const info = (await client.info('commandstats')) as string;
      const out: Record<string, number> = {};
      for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        const name = m[1]!;
        if (!flags.has(name)) {
          const [entry] = (await client.call('COMMAND', 'INFO', name.split('|')[0]!)) as [
            [string, number, string[]] | null,
          ];
          const f = entry?.[2] ?? [];
          flags.set(name, f.includes('write') || f.includes('may_replicate'));
        }
        if (flags.get(name)) out[name] = Number(m[2]);
      }
      return out;
    },
    async stop() {
      await closeRedis(client);
      child.kill('SIGKILL');
    },
  };
}

/** The write commands run between two `writes()` snapshots. */
export function writesBetween(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(after))
    if (n > (before[k] ?? 0)) out[k] = n - (before[k] ?? 0);
  return out;
}
