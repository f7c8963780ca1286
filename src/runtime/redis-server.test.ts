import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LOCK_FILE,
  freePort,
  respPing,
  runningEmbeddedRedis,
  startRedisServer,
} from './redis-server.ts';
import type { EmbeddedRedis } from './redis-server.ts';

const BIN = '/usr/bin/redis-server';
const tmp = mkdtempSync(join(tmpdir(), 'trib-redis-srv-'));
const started: EmbeddedRedis[] = [];
afterAll(async () => {
  await Promise.all(started.map((r) => r.stop()));
  rmSync(tmp, { recursive: true, force: true });
});

function logger() {
  const lines: { msg: string; level: string }[] = [];
  const log = (msg: string, level: 'info' | 'warn' | 'error' = 'info') =>
    void lines.push({ msg, level });
  return { lines, log };
}

async function start(dir: string, extra: Partial<Parameters<typeof startRedisServer>[0]> = {}) {
  const r = await startRedisServer({
    bin: BIN,
    dataDir: join(tmp, dir),
    log: logger().log,
    ...extra,
  });
  started.push(r);
  return r;
}

/** One raw RESP command; returns the raw reply text. */
function resp(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = '';
    sock.on('error', reject);
    sock.on('connect', () => {
      sock.write(
        `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
      );
    });
    sock.on('data', (b) => {
      buf += b.toString();
      const complete =
        buf.startsWith('$') && !buf.startsWith('$-1')
          ? buf.split('\r\n').length >= 3
          : buf.endsWith('\r\n');
      if (complete) {
        sock.destroy();
        resolve(buf);
      }
    });
  });
}

/** Running (a zombie awaiting its reaper counts as gone). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};
async function waitFor(cond: () => boolean | Promise<boolean>, ms = 10_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('freePort', () => {
  it('returns a bindable loopback port', async () => {
    const p = await freePort();
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(65536);
  });
});

describe('startRedisServer', () => {
  it('starts on a free loopback port, answers PING, writes a lock and leaves nothing after stop()', async () => {
    const r = await start('basic');
    expect(r.url).toBe(`redis://127.0.0.1:${r.port}`);
    expect(await respPing(r.port)).toBe(true);
    const pid = r.pid!;
    expect(alive(pid)).toBe(true);
    expect(await resp(r.port, 'CONFIG', 'GET', 'bind')).toContain('127.0.0.1');
    expect(await resp(r.port, 'CONFIG', 'GET', 'maxmemory-policy')).toContain('noeviction');
    expect(await resp(r.port, 'CONFIG', 'GET', 'appendonly')).toContain('yes');
    expect(await resp(r.port, 'CONFIG', 'GET', 'appendfsync')).toContain('everysec');
    expect(await resp(r.port, 'CONFIG', 'GET', 'protected-mode')).toContain('yes');
    expect(await resp(r.port, 'CONFIG', 'GET', 'save')).toContain('$0\r\n\r\n');
    const lock = JSON.parse(readFileSync(join(r.dataDir, LOCK_FILE), 'utf8'));
    expect(lock).toMatchObject({ ownerPid: process.pid, redisPid: pid, port: r.port });
    expect(execOut()).toContain(`tributary-redis-watchdog ${pid}`);
    await r.stop();
    expect(alive(pid)).toBe(false);
    expect(await respPing(r.port, 500)).toBe(false);
    expect(existsSync(join(r.dataDir, LOCK_FILE))).toBe(false);
    expect(await waitFor(() => !execOut().includes(`tributary-redis-watchdog ${pid}`), 3000)).toBe(
      true,
    );
    await r.stop(); // idempotent
  });

  it('persists with AOF: a key written before stop() is there after a restart on the same dir', async () => {
    const a = await start('aof');
    expect(await resp(a.port, 'SET', 'tributary:test', 'مرحبا')).toBe('+OK\r\n');
    await a.stop();
    const b = await start('aof');
    expect(await resp(b.port, 'GET', 'tributary:test')).toBe(
      `$${Buffer.byteLength('مرحبا')}\r\nمرحبا\r\n`,
    );
    await b.stop();
  });

  it('refuses a second server on the same data dir, naming the owner', async () => {
    const a = await start('locked');
    await expect(start('locked')).rejects.toThrow(/already runs on .*locked/);
    // A lock held by another live process (our parent stands in for another Tributary).
    const other = join(tmp, 'other');
    const r2 = await start('other');
    await r2.stop();
    writeFileSync(
      join(other, LOCK_FILE),
      JSON.stringify({ ownerPid: process.ppid, redisPid: 1, port: 1234, startedAt: '' }),
    );
    await expect(start('other')).rejects.toThrow(
      new RegExp(`in use by another Tributary process \\(pid ${process.ppid}`),
    );
    rmSync(join(other, LOCK_FILE));
    // Our own lock names our live server: another process could reuse it.
    expect(runningEmbeddedRedis(join(tmp, 'locked'))).toEqual({
      url: a.url,
      port: a.port,
      ownerPid: process.pid,
      redisPid: a.pid,
    });
    await a.stop();
    expect(runningEmbeddedRedis(join(tmp, 'locked'))).toBeNull();
  });

  it('takes over a stale lock left by a dead process', async () => {
    const r1 = await start('stale');
    await r1.stop();
    writeFileSync(
      join(tmp, 'stale', LOCK_FILE),
      JSON.stringify({ ownerPid: 2 ** 22 + 1, redisPid: null, port: 0, startedAt: '' }),
    );
    const r2 = await start('stale');
    expect(await respPing(r2.port)).toBe(true);
    await r2.stop();
  });

  it('stops a redis-server left running on the dir by a dead owner before taking over', async () => {
    const dir = join(tmp, 'leftover');
    const port = await freePort();
    mkdirSync(dir, { recursive: true });
    const orphan = spawn(
      BIN,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
      { stdio: 'ignore' },
    );
    expect(await waitFor(() => respPing(port, 200))).toBe(true);
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ ownerPid: 2 ** 22 + 1, redisPid: orphan.pid, port, startedAt: '' }),
    );
    const { lines, log } = logger();
    const r = await start('leftover', { log });
    expect(alive(orphan.pid!)).toBe(false);
    expect(
      lines.some(
        (l) =>
          l.level === 'warn' && l.msg.includes(`redis-server pid ${orphan.pid} was left running`),
      ),
    ).toBe(true);
    expect(await respPing(r.port)).toBe(true);
    await r.stop();
  });

  it('supervises: a SIGKILLed redis-server is restarted on the same port', async () => {
    const { lines, log } = logger();
    const r = await start('supervised', { log });
    const port = r.port;
    const first = r.pid!;
    const restarted = new Promise<unknown[]>((res) => r.on('restart', (...a) => res(a)));
    const exits: unknown[][] = [];
    r.on('exit', (...a) => exits.push(a));
    process.kill(first, 'SIGKILL');
    const [pid, attempt] = await restarted;
    expect(pid).toBe(r.pid);
    expect(r.pid).not.toBe(first);
    expect(attempt).toBe(1);
    expect(r.port).toBe(port);
    expect(await respPing(port)).toBe(true);
    expect(exits[0]).toEqual([null, 'SIGKILL', false]);
    expect(lines.some((l) => l.level === 'error' && /exited unexpectedly/.test(l.msg))).toBe(true);
    const second = r.pid!;
    await r.stop();
    expect(alive(second)).toBe(false);
    expect(exits.at(-1)?.[2]).toBe(true);
  });

  it('does not restart when supervise is false', async () => {
    const r = await start('unsupervised', { supervise: false });
    const pid = r.pid!;
    const exited = new Promise((res) => r.on('exit', res));
    process.kill(pid, 'SIGKILL');
    await exited;
    await new Promise((res) => setTimeout(res, 600));
    expect(await respPing(r.port, 300)).toBe(false);
    await r.stop();
  });

  it('the child does not outlive a parent that is SIGKILLed (watchdog)', async () => {
    const dir = join(tmp, 'orphan');
    const script = `
      const { startRedisServer } = await import(${JSON.stringify(new URL('./redis-server.ts', import.meta.url).pathname)});
      const r = await startRedisServer({ bin: ${JSON.stringify(BIN)}, dataDir: ${JSON.stringify(dir)}, log: () => {} });
      console.log(JSON.stringify({ pid: r.pid, port: r.port }));
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: new URL('../..', import.meta.url).pathname,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const info = await new Promise<{ pid: number; port: number }>((res, rej) => {
      let out = '';
      parent.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) res(JSON.parse(out.split('\n')[0]!));
      });
      parent.on('exit', (c) => rej(new Error(`parent exited ${c}`)));
    });
    expect(await respPing(info.port)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitFor(() => !alive(info.pid), 10_000)).toBe(true);
    // And the next start on that dir takes over the stale lock.
    const r = await start('orphan');
    expect(await respPing(r.port)).toBe(true);
    await r.stop();
  });

  it('stopOnExit: on SIGTERM runs `before`, stops Redis, exits 143', async () => {
    const dir = join(tmp, 'sigterm');
    const script = `
      const { startRedisServer, stopOnExit } = await import(${JSON.stringify(new URL('./redis-server.ts', import.meta.url).pathname)});
      const r = await startRedisServer({ bin: ${JSON.stringify(BIN)}, dataDir: ${JSON.stringify(dir)}, log: () => {} });
      stopOnExit(r, { before: async () => { console.log('before ran'); } });
      console.log(JSON.stringify({ pid: r.pid, port: r.port }));
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: new URL('../..', import.meta.url).pathname,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    parent.stdout.on('data', (b: Buffer) => void (out += b.toString()));
    const exited = new Promise<number | null>((res) => parent.on('exit', (c) => res(c)));
    expect(await waitFor(() => out.includes('\n'))).toBe(true);
    const info = JSON.parse(out.split('\n')[0]!) as { pid: number; port: number };
    expect(alive(info.pid)).toBe(true);
    parent.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(out).toContain('before ran');
    expect(alive(info.pid)).toBe(false); // stopped before the process exited, not by the watchdog
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("fails start-up with redis-server's own words when the port is taken", async () => {
    const a = await start('busy-a');
    await expect(start('busy-b', { port: a.port })).rejects.toThrow(
      /exited during start-up[\s\S]*(Address already in use|bind)/i,
    );
    expect(existsSync(join(tmp, 'busy-b', LOCK_FILE))).toBe(false);
    await a.stop();
  });
});

function execOut(): string {
  // The watchdogs alive right now, by command line.
  const out: string[] = [];
  for (const d of require_readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      out.push(readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      /* gone */
    }
  }
  return out.join('\n');
}
import { readdirSync as require_readdir } from 'node:fs';
