// The data folder's lock for the embedded Redis: one Tributary process runs a redis-server on a
// data folder (two servers on one AOF corrupt it); the lock file names the owner's pid, the
// child's pid and port, so a short command can find the running server, and a dead owner's
// leftovers are cleaned up.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type RuntimeLog = (msg: string, level?: 'info' | 'warn' | 'error') => void;

export const LOCK_FILE = 'tributary-redis.lock';

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

/** A held lock: records the child's pid and port for other processes, and lets go. */
export interface DataDirLock {
  file: string;
  write(redisPid: number | null, port: number): void;
  release(): void;
}

function lockHandle(dataDir: string, file: string): DataDirLock {
  return {
    file,
    write(redisPid, port) {
      try {
        writeFileSync(
          file,
          JSON.stringify({
            ownerPid: process.pid,
            redisPid,
            port,
            startedAt: new Date().toISOString(),
          }),
        );
      } catch {
        /* the lock is advisory past this point */
      }
    },
    release() {
      rmSync(file, { force: true });
      activeDirs.delete(dataDir);
    },
  };
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
export async function takeLock(dataDir: string, log: RuntimeLog): Promise<DataDirLock> {
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
      return lockHandle(dataDir, file);
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
