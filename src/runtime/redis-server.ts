// The embedded Redis: one supervised `redis-server` child on a loopback port, persisting to a
// data folder with AOF. Finding or provisioning the binary is redis-binary.ts; the data folder's
// lock (two Tributary processes never run a server on one data folder) is redis-lock.ts. Here:
// spawn, readiness, restart with back-off, a watchdog that keeps the child from outliving this
// process, and an orderly stop.
import { spawn } from 'node:child_process';
import type { ChildProcess, ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { redisServerVersion } from './redis-binary.ts';
import { takeLock } from './redis-lock.ts';
import type { RuntimeLog } from './redis-lock.ts';
import { freePort, respPing } from './net-probe.ts';

export type { RuntimeLog } from './redis-lock.ts';
export { LOCK_FILE, runningEmbeddedRedis } from './redis-lock.ts';
export { freePort, respPing } from './net-probe.ts';

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

const BACKOFF_MS = [250, 500, 1000, 2000, 5000, 10_000, 30_000];
/** A child that stayed up this long resets the back-off. */
const STABLE_AFTER_MS = 30_000;

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
  const lock = await takeLock(dataDir, log);

  const events = new EventEmitter();
  let child: RedisChild | null = null;
  let watchdog: ChildProcess | null = null;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | null = null;
  let failures = 0;
  let port = opts.port ?? 0;

  const writeLock = () => lock.write(child?.pid ?? null, port);
  const releaseLock = () => lock.release();
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
 * Stops the embedded Redis when the process is told to end: SIGINT, SIGTERM, SIGHUP, an uncaught
 * exception or an unhandled rejection. `before` runs first (close the HTTP server, drain the
 * workers: they still need Redis), then Redis is stopped, then the process exits (130 for
 * SIGINT, 143 for SIGTERM, 129 for SIGHUP, 1 for a crash). Plain process.exit() and a SIGKILL
 * are covered by startRedisServer itself (exit hook and watchdog). Returns a function that
 * removes the hooks.
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
  const onSighup = () => shutdown(129, 'SIGHUP');
  const onCrash = (e: unknown) => shutdown(1, 'uncaught exception', e);
  const onRejection = (e: unknown) => shutdown(1, 'unhandled rejection', e);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('SIGHUP', onSighup);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    process.off('SIGHUP', onSighup);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onRejection);
  };
}
