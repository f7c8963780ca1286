// The real product under test: a generated config for the bench feeds, and `tributary start`
// child processes (worker or server role) against the bench's Redis under a given key prefix.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Corpus } from './corpus.ts';

export const ROOT = new URL('..', import.meta.url).pathname;

export interface BenchConfigOptions {
  corpus: Corpus;
  feedUrl(id: string): string;
  concurrency: number;
  baseUrl: string;
}

/** The section the serve and freshness figures read: every article, newest 100. */
export const HEAD_SECTION = 'all';
export const HEAD_LIMIT = 100;

/** A production-like config (as JSON, which is YAML): 200 sources, 50 tags, 7 sections. */
export function benchConfig(o: BenchConfigOptions): object {
  const tagIds = o.corpus.tags.map((t) => t.id);
  return {
    site: { title: 'Tributary bench', baseUrl: o.baseUrl, description: 'Generated feeds' },
    fetch: {
      timeout: '20s',
      maxBytes: '10MB',
      allowPrivateNetworks: true, // the fixture server is on loopback
      defaultInterval: '6h',
      minInterval: '5m',
      maxInterval: '6h',
      // Every bench feed is on one loopback host; production spreads over many hosts.
      perHostConcurrency: 64,
    },
    retention: { maxAge: '30d', maxPerSection: 500 },
    dedupe: { threshold: 0.7, window: '72h' },
    worker: { concurrency: o.concurrency, shutdownGrace: '10s' },
    sources: o.corpus.feeds.map((f, i) => ({
      id: f.id,
      url: o.feedUrl(f.id),
      title: f.title,
      lang: f.lang,
      interval: '6h',
      // The ingest figure is compared with a baseline that fetches no article pages (and the
      // corpus links to hosts that do not exist); full text has its own figure (fulltext.ts).
      fullText: 'never',
      tags: i % 10 === 0 ? [tagIds[i % tagIds.length]!] : [],
    })),
    tags: o.corpus.tags.map((t) => ({ id: t.id, label: t.label, keywords: t.keywords })),
    sections: [
      { id: HEAD_SECTION, title: 'All stories', lang: 'en', limit: HEAD_LIMIT },
      { id: 'arabic', title: 'كل الأخبار', lang: 'ar', include: { langs: ['ar'] }, limit: 50 },
      { id: 'english', title: 'English', lang: 'en', include: { langs: ['en'] }, limit: 50 },
      {
        id: 'topic-a',
        title: 'Topic A',
        lang: 'en',
        include: { tags: tagIds.slice(0, 10) },
        limit: 50,
      },
      {
        id: 'topic-b',
        title: 'الموضوع ب',
        lang: 'ar',
        include: { tags: tagIds.slice(10, 20), langs: ['ar'] },
        exclude: { keywords: ['إعلان', 'sponsored'] },
        limit: 50,
      },
      { id: 'stories', title: 'Top stories', lang: 'en', collapseDuplicates: true, limit: 50 },
      {
        id: 'tagged',
        title: 'Tagged',
        lang: 'en',
        include: { tags: tagIds.slice(20) },
        exclude: { tags: tagIds.slice(45) },
        limit: 50,
      },
    ],
  };
}

export function writeBenchConfig(dir: string, o: BenchConfigOptions, name = 'bench.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(benchConfig(o), null, 1));
  return file;
}

export interface ProductProcess {
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** VmHWM (peak resident set) in MB, read from /proc while the process runs. */
  peakRssMb(): number | null;
  /** SIGTERM, wait for a clean exit (SIGKILL after `timeoutMs`); resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  /** 'all' is the single-process service `npm start` runs (scheduler, workers and server). */
  role: 'all' | 'worker' | 'server';
  configPath: string;
  redisUrl: string;
  prefix: string;
  dataDir: string;
  logFile: string;
  port?: number;
  /** Write a V8 CPU profile into this folder on exit. */
  cpuProfDir?: string;
  /** Extra node flags (experiments such as --max-semi-space-size=64). */
  nodeArgs?: string[];
  /** Extra environment variables (ADMIN_TOKEN for the desk case). */
  env?: Record<string, string>;
  /** 'built' (default): bin/tributary.mjs, the built dist/ users run; 'dev': the TypeScript
   *  sources through tsx (bin/tributary-dev.mjs), for the start-up comparison. */
  entry?: 'built' | 'dev';
}

export function spawnTributary(o: SpawnOptions): ProductProcess {
  const fd = openSync(o.logFile, 'a');
  // The product's own launchers (npm start, the bin shebang, the Dockerfile) pass these flags too.
  const nodeArgs = [
    '--max-semi-space-size=16',
    '--heap-growing-percent=50',
    ...(o.nodeArgs ?? []),
    ...(o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : []),
  ];
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      join(ROOT, 'bin', o.entry === 'dev' ? 'tributary-dev.mjs' : 'tributary.mjs'),
      'start',
      '--role',
      o.role,
      '--config',
      o.configPath,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        REDIS_URL: o.redisUrl,
        TRIBUTARY_REDIS_PREFIX: o.prefix,
        LOG_LEVEL: 'warn',
        DATA_DIR: o.dataDir,
        PORT: String(o.port ?? 0),
        HOST: '127.0.0.1',
        ...o.env,
      },
      stdio: ['ignore', fd, fd],
    },
  );
  closeSync(fd);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      exitCode = code;
      r(code);
    }),
  );
  return {
    pid: child.pid!,
    child,
    logFile: o.logFile,
    peakRssMb: () => procPeakRssMb(child.pid!),
    async stop(timeoutMs = 30_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** A memory line of /proc/<pid>/status in MB (VmRSS: resident now; VmHWM: peak resident);
 *  null once the process is gone. */
export function procStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function procPeakRssMb(pid: number): number | null {
  return procStatusMb(pid, 'VmHWM');
}

/** CPU seconds (user + system, all threads) a process has used, from /proc; null when gone. */
export function procCpuSeconds(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 25,
): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
