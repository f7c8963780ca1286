// A real, local 3-master Redis Cluster for tests: three redis-server processes with
// `--cluster-enabled yes` on free loopback ports (their cluster bus port, +10000, free too), joined
// with `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes` (or, when no redis-cli sits
// beside the server binary or on PATH, the same slot assignment done by CLUSTER ADDSLOTSRANGE +
// CLUSTER MEET). Waits until every node reports `cluster_state:ok`; `stop()` kills the processes
// and removes the data dir.
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { ensureRedisServer } from '../../src/runtime/redis-binary.ts';

const run = promisify(execFile);

export interface LocalCluster {
  ports: number[];
  /** `redis+cluster://127.0.0.1:<first port>`: what REDIS_URL would be. */
  url: string;
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free as well. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20_000 + Math.floor(Math.random() * 35_000);
    if (taken.has(p) || taken.has(p + 10_000) || taken.has(p - 10_000)) continue;
    if ((await portFree(p)) && (await portFree(p + 10_000))) return p;
  }
  throw new Error('no free port pair for a cluster node');
}

function findCli(serverBin: string): string | null {
  const beside = join(dirname(serverBin), 'redis-cli');
  if (existsSync(beside)) return beside;
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (d && existsSync(join(d, 'redis-cli'))) return join(d, 'redis-cli');
  }
  return null;
}

async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`redis cluster: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function withNode<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined); // refused while the node starts: the caller retries
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

export async function startRedisCluster(opts: { masters?: number } = {}): Promise<LocalCluster> {
  const n = opts.masters ?? 3;
  const bin = await ensureRedisServer({
    env: {
      redisServerBin: process.env.REDIS_SERVER_BIN || null,
      autoRedis: !/^(0|false|no|off)$/i.test(process.env.TRIBUTARY_AUTO_REDIS ?? ''),
    },
    cacheDir: join(homedir(), '.cache', 'tributary'),
    log: (m) => process.stderr.write(`[test redis cluster] ${m}\n`),
  });
  const dir = mkdtempSync(join(tmpdir(), 'tributary-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = await clusterPort(taken);
    taken.add(p);
    ports.push(p);
  }
  const procs: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const child = spawn(
        bin,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '5000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--maxmemory-policy',
          'noeviction',
        ],
        { stdio: 'ignore' },
      );
      procs.push(child);
    }
    for (const port of ports)
      await waitFor(`node ${port}`, 10_000, () =>
        withNode(port, async (r) => (await r.ping()) === 'PONG'),
      );

    const cli = findCli(bin);
    if (cli) {
      await run(
        cli,
        [
          '--cluster',
          'create',
          ...ports.map((p) => `127.0.0.1:${p}`),
          '--cluster-replicas',
          '0',
          '--cluster-yes',
        ],
        { timeout: 20_000 },
      );
    } else {
      const per = Math.ceil(16384 / n);
      await Promise.all(
        ports.map((port, i) =>
          withNode(port, (r) =>
            r.call(
              'CLUSTER',
              'ADDSLOTSRANGE',
              String(i * per),
              String(Math.min(16383, (i + 1) * per - 1)),
            ),
          ),
        ),
      );
      await withNode(ports[0]!, async (r) => {
        for (const p of ports.slice(1)) await r.call('CLUSTER', 'MEET', '127.0.0.1', String(p));
      });
    }
    await waitFor('cluster_state:ok on every node', 20_000, async () => {
      const states = await Promise.all(
        ports.map((port) =>
          withNode(port, async (r) => {
            const info = String(await r.call('CLUSTER', 'INFO'));
            const known = /cluster_known_nodes:(\d+)/.exec(info)?.[1];
            return info.includes('cluster_state:ok') && Number(known) === n;
          }),
        ),
      );
      return states.every(Boolean);
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { ports, url: `redis+cluster://127.0.0.1:${ports[0]}`, stop };
}
