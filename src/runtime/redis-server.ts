// The embedded Redis: one supervised `redis-server` child on a loopback port, persisting to a
// data folder with AOF. A lock file in the data folder keeps two Tributary processes from
// running a server on the same data; a watchdog keeps the child from outliving this process.
import { spawn } from 'node:child_process';
import type { ChildProcess, ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { redisServerVersion } from './redis-binary.ts';

export type RuntimeLog = (msg: string, level?: 'info' | 'warn' | 'error') => void;

export interface StartRedisOptions {
  bin: string;
  dataDir: string;
  /** 0 or undefined: pick a free loopback port. */
  port?: number;
  /** AOF persistence (appendfsync everysec). Default true. */
  appendOnly?: boolean;
  /** Also write RDB snapshots (Redis' default save points). Default false: AOF is enough. */
  persist?: boolean;
  /** e.g. "512mb". Policy is always noeviction (BullMQ needs it). */
  maxmemory?: string;
  log: RuntimeLog;
  /** Restart on unexpected exit, with back-off. Default true. */
  supervise?: boolean;
  /** How long to wait for "Ready to accept connections" + PONG. Default 60 s (AOF load). */
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 10 s. */
  stopTimeoutMs?: number;
}

export interface EmbeddedRedis {
  url: string;
  port: number;
  /** Pid of the current redis-server child (changes after a supervised restart). */
  pid: number | undefined;
  dataDir: string;
  stop(): Promise<void>;
  /**
   * 'exit': every child exit: (code: number | null, signal: string | null, expected: boolean).
   * 'restart': after a supervised restart is ready: (pid: number | undefined, attempt: number).
   */
  on(event: 'restart' | 'exit', cb: (...a: unknown[]) => void): void;
}

type RedisChild = ChildProcessByStdio<null, Readable, Readable>;

export const LOCK_FILE = 'tributary-redis.lock';
const BACKOFF_MS = [250, 500, 1000, 2000, 5000, 10_000, 30_000];
/** A child that stayed up this long resets the back-off. */
const STABLE_AFTER_MS = 30_000;

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** One RESP PING over a raw socket; resolves true on +PONG. */
export function respPing(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((done) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = '';
    const finish = (ok: boolean) => {
      sock.destroy();
      done(ok);
    };
    sock.setTimeout(timeoutMs, () => finish(false));
    sock.on('error', () => finish(false));
    sock.on('connect', () => sock.write('*1\r\n$4\r\nPING\r\n'));
    sock.on('data', (b) => {
      buf += b.toString();
      if (buf.includes('\r\n')) finish(buf.startsWith('+PONG'));
    });
  });
}

/** True for a running process; a zombie (dead, not yet reaped: Linux /proc) counts as gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

interface LockInfo {
  ownerPid: number;
  redisPid: number | null;
  port: number;
  startedAt: string;
}

/** In-process registry: one embedded server per data folder. */
const activeDirs = new Set<string>();

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/**
 * Takes the data folder's lock. Policy: a live owner means failure with a message naming its
 * pid; a dead owner's lock is stale, and a redis-server it left behind (the watchdog should
 * have stopped it) is terminated before we take over, since two servers on one AOF corrupt it.
 */
async function takeLock(dataDir: string, log: RuntimeLog): Promise<string> {
  const file = join(dataDir, LOCK_FILE);
  if (activeDirs.has(dataDir)) {
    throw new Error(
      `An embedded redis-server already runs on ${dataDir} in this process (pid ${process.pid}).`,
    );
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(
        file,
        JSON.stringify({
          ownerPid: process.pid,
          redisPid: null,
          port: 0,
          startedAt: new Date().toISOString(),
        }),
        {
          flag: 'wx',
        },
      );
      activeDirs.add(dataDir);
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let info: LockInfo | null = null;
    try {
      info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    } catch {
      info = null; // unreadable or half-written: treat as stale
    }
    if (info && info.ownerPid !== process.pid && isAlive(info.ownerPid)) {
      throw new Error(
        `DATA_DIR ${dataDir} is in use by another Tributary process (pid ${info.ownerPid}` +
          `${info.redisPid ? `, redis-server pid ${info.redisPid} on port ${info.port}` : ''}). ` +
          `Stop it, use another DATA_DIR, or point both at one Redis with REDIS_URL. ` +
          `(If pid ${info.ownerPid} is not Tributary, delete ${file}.)`,
      );
    }
    if (
      info?.redisPid &&
      isAlive(info.redisPid) &&
      cmdlineOf(info.redisPid).includes('redis-server')
    ) {
      log(
        `redis-server pid ${info.redisPid} was left running by a dead Tributary (pid ${info.ownerPid}); stopping it`,
        'warn',
      );
      process.kill(info.redisPid, 'SIGTERM');
      if (!(await waitGone(info.redisPid, 10_000))) process.kill(info.redisPid, 'SIGKILL');
    }
    rmSync(file, { force: true });
  }
  throw new Error(`Could not take the lock ${file}.`);
}

/**
 * The embedded Redis another live process runs on this data folder, from its lock file, or
 * null. Lets a short command (import-opml, preview) talk to a running service's Redis instead
 * of failing on the lock.
 */
export function runningEmbeddedRedis(
  dataDir: string,
): { url: string; port: number; ownerPid: number; redisPid: number | null } | null {
  let info: LockInfo;
  try {
    info = JSON.parse(readFileSync(join(resolve(dataDir), LOCK_FILE), 'utf8')) as LockInfo;
  } catch {
    return null;
  }
  if (!info.port || !isAlive(info.ownerPid) || (info.redisPid !== null && !isAlive(info.redisPid)))
    return null;
  return {
    url: `redis://127.0.0.1:${info.port}`,
    port: info.port,
    ownerPid: info.ownerPid,
    redisPid: info.redisPid,
  };
}

/**
 * A shell that waits for EOF on its stdin (the write end lives only in this process, so EOF
 * means we are gone, however we died) and then terminates redis-server: SIGTERM, then SIGKILL.
 */
function spawnWatchdog(redisPid: number): ChildProcess | null {
  try {
    const dog = spawn(
      '/bin/sh',
      [
        '-c',
        'read _ignored; kill -TERM "$1" 2>/dev/null || exit 0; i=0; ' +
          'while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; kill -KILL "$1" 2>/dev/null; exit 0',
        'tributary-redis-watchdog',
        String(redisPid),
      ],
      { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
    );
    dog.on('error', () => undefined);
    dog.stdin?.on('error', () => undefined);
    dog.unref();
    (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return dog;
  } catch {
    return null;
  }
}

function redisArgs(o: StartRedisOptions, port: number, dataDir: string, major: number): string[] {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
    '--dir',
    dataDir,
    '--logfile',
    '',
    '--loglevel',
    'notice',
    '--appendonly',
    o.appendOnly === false ? 'no' : 'yes',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
  ];
  if (!o.persist) args.push('--save', '');
  if (o.maxmemory) args.push('--maxmemory', o.maxmemory);
  if (major >= 7) {
    args.push(
      '--enable-debug-command',
      'no',
      '--enable-module-command',
      'no',
      '--enable-protected-configs',
      'no',
    );
  }
  return args;
}

export async function startRedisServer(opts: StartRedisOptions): Promise<EmbeddedRedis> {
  const dataDir = resolve(opts.dataDir);
  const log = opts.log;
  const supervise = opts.supervise !== false;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
  mkdirSync(dataDir, { recursive: true });
  const version = await redisServerVersion(opts.bin);
  const major = Number.parseInt(version, 10);
  const lockFile = await takeLock(dataDir, log);

  const events = new EventEmitter();
  let child: RedisChild | null = null;
  let watchdog: ChildProcess | null = null;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | null = null;
  let failures = 0;
  let port = opts.port ?? 0;

  const writeLock = () => {
    try {
      writeFileSync(
        lockFile,
        JSON.stringify({
          ownerPid: process.pid,
          redisPid: child?.pid ?? null,
          port,
          startedAt: new Date().toISOString(),
        }),
      );
    } catch {
      /* the lock is advisory past this point */
    }
  };
  const releaseLock = () => {
    rmSync(lockFile, { force: true });
    activeDirs.delete(dataDir);
  };
  // Last resort if the process exits without stop(): synchronous, so it runs on process.exit().
  const onProcessExit = () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    releaseLock();
  };
  process.on('exit', onProcessExit);

  /** Spawns one child and resolves when it is ready; rejects (child killed) otherwise. */
  const launch = (): Promise<void> =>
    new Promise<void>((resolveReady, rejectReady) => {
      const proc = spawn(opts.bin, redisArgs(opts, port, dataDir, major), {
        cwd: dataDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Own process group: a terminal's Ctrl-C reaches us, and we stop Redis in order.
        detached: true,
      });
      child = proc;
      const tail: string[] = [];
      let ready = false;
      let sawReadyLine = false;
      let settled = false;
      const startedAt = Date.now();
      const timer = setTimeout(
        () => fail(new Error(`redis-server did not become ready within ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
        rejectReady(
          new Error(
            `${err.message}\n  redis-server ${opts.bin} on 127.0.0.1:${port}, dir ${dataDir}; last output:\n  ${tail.join('\n  ')}`,
          ),
        );
      };
      const onLine = (line: string, fromStderr: boolean) => {
        tail.push(line);
        if (tail.length > 15) tail.shift();
        // Redis log line: "pid:role dd Mon yyyy hh:mm:ss.mmm <level> message"; '#' is a warning.
        const m = /^\d+:[A-Z] [^#*.-]+ ([#*.-]) (.*)$/.exec(line);
        if (fromStderr || m?.[1] === '#') log(m?.[2] ?? line, 'warn');
        if (!sawReadyLine && line.includes('Ready to accept connections')) {
          sawReadyLine = true;
          void (async () => {
            for (let i = 0; i < 50 && !settled; i++) {
              if (await respPing(port)) {
                ready = true;
                settled = true;
                clearTimeout(timer);
                return resolveReady();
              }
              await new Promise((r) => setTimeout(r, 100));
            }
            fail(new Error('redis-server said it was ready but did not answer PING'));
          })();
        }
      };
      const splitter = (fromStderr: boolean) => {
        let buf = '';
        return (b: Buffer) => {
          buf += b.toString();
          const lines = buf.split('\n');
          buf = lines.pop() ?? '';
          for (const l of lines) if (l.trim()) onLine(l.trimEnd(), fromStderr);
        };
      };
      proc.stdout.on('data', splitter(false));
      proc.stderr.on('data', splitter(true));
      proc.on('error', (e) => fail(e));
      proc.on('exit', (code, signal) => {
        if (!settled)
          fail(new Error(`redis-server exited during start-up (code ${code}, signal ${signal})`));
        watchdog?.kill('SIGKILL');
        watchdog = null;
        const expected = stopping;
        events.emit('exit', code, signal, expected);
        if (!ready || expected || child !== proc) return;
        if (Date.now() - startedAt > STABLE_AFTER_MS) failures = 0;
        log(
          `redis-server (pid ${proc.pid}) exited unexpectedly (code ${code}, signal ${signal}); last output: ${tail.slice(-3).join(' | ')}`,
          'error',
        );
        if (supervise) scheduleRestart();
      });
      if (proc.pid) watchdog = spawnWatchdog(proc.pid);
    });

  const scheduleRestart = () => {
    if (stopping) return;
    const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)] ?? 30_000;
    failures++;
    log(`restarting redis-server on port ${port} in ${delay} ms (attempt ${failures})`, 'warn');
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (stopping) return;
      const attempt = failures;
      launch().then(
        () => {
          writeLock();
          log(`redis-server restarted (pid ${child?.pid}, port ${port})`, 'info');
          events.emit('restart', child?.pid, attempt);
        },
        (err: Error) => {
          log(`redis-server restart failed: ${err.message}`, 'error');
          scheduleRestart();
        },
      );
    }, delay);
  };

  try {
    const pickPort = !port;
    for (let attempt = 1; ; attempt++) {
      if (pickPort) port = await freePort();
      try {
        await launch();
        break;
      } catch (err) {
        // Someone took the free port between our probe and redis' bind: try another.
        if (pickPort && attempt < 3 && /Address already in use/i.test((err as Error).message))
          continue;
        throw err;
      }
    }
  } catch (err) {
    process.off('exit', onProcessExit);
    releaseLock();
    throw err;
  }
  writeLock();

  let stopPromise: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGTERM'); // Redis flushes and fsyncs the AOF on SIGTERM
        const t = setTimeout(() => {
          log(`redis-server did not stop within ${stopTimeoutMs} ms; sending SIGKILL`, 'warn');
          proc.kill('SIGKILL');
        }, stopTimeoutMs);
        await exited;
        clearTimeout(t);
      }
      watchdog?.kill('SIGKILL');
      watchdog = null;
      process.off('exit', onProcessExit);
      releaseLock();
    })();
    return stopPromise;
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    dataDir,
    stop,
    on(event, cb) {
      events.on(event, cb);
    },
  };
}

/**
 * Stops the embedded Redis when the process is told to end: SIGINT, SIGTERM, an uncaught
 * exception or an unhandled rejection. `before` runs first (close the HTTP server, drain the
 * workers: they still need Redis), then Redis is stopped, then the process exits (130 for
 * SIGINT, 143 for SIGTERM, 1 for a crash). Plain process.exit() and a SIGKILL are covered by
 * startRedisServer itself (exit hook and watchdog). Returns a function that removes the hooks.
 */
export function stopOnExit(
  redis: EmbeddedRedis,
  opts: { before?: () => Promise<void>; log?: RuntimeLog } = {},
): () => void {
  let shuttingDown = false;
  const shutdown = (code: number, why: string, err?: unknown) => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (err !== undefined)
      opts.log?.(
        `${why}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        'error',
      );
    else opts.log?.(`${why}: shutting down`, 'info');
    void (async () => {
      try {
        await opts.before?.();
      } catch (e) {
        opts.log?.(`shutdown step failed: ${(e as Error).message}`, 'error');
      }
      try {
        await redis.stop();
      } finally {
        process.exit(code);
      }
    })();
  };
  const onSigint = () => shutdown(130, 'SIGINT');
  const onSigterm = () => shutdown(143, 'SIGTERM');
  const onCrash = (e: unknown) => shutdown(1, 'uncaught exception', e);
  const onRejection = (e: unknown) => shutdown(1, 'unhandled rejection', e);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onRejection);
  };
}
