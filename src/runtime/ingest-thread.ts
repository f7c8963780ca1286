// Where ingest runs. `--role worker` runs it in the process (startIngest). The single-process
// service (`--role all`, what `npm start` runs) runs it in a node:worker_threads Worker
// (startIngestThread), so fetching, parsing, sanitizing, fingerprinting and tagging never hold
// the server's event loop: a reader or a health check gets its answer while ingest is busiest
// (issue 17: p99 of a section feed 807 ms, `/api/sources` over 60 s, with both on one thread).
//
// The main thread keeps the HTTP server, the schedulers, Redis supervision, signals, metrics and
// the first-poll summary. The ingest thread has its own Redis connections and posts back its log
// lines (written by the main thread's logger, so one stream in one format) and each poll's
// report (metrics and the first-round summary count it as before). Stop forwards to the thread,
// which finishes active jobs within the shutdown grace; a thread that dies otherwise is logged
// and started again (bounded), never silently lost.
import { Worker, threadId } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Config, IngestReport } from '../domain/types.ts';
import { bullConnection, closeRedis, createRedis, parseRedisTarget } from '../store/client.ts';
import type { RedisClient } from '../store/client.ts';
import { createStore } from '../store/index.ts';
import type { Store } from '../store/index.ts';
import { createHostLimiter } from '../store/host-limiter.ts';
import { fetcherFor } from '../pipeline/fetch/fetcher.ts';
import { createTagger } from '../pipeline/tag/tagger.ts';
import { createCurator } from '../curate/curator.ts';
import { startWorkerRole } from '../../workers/main.ts';
import type { WorkerRole } from '../../workers/main.ts';
import type { Logger } from './logger.ts';
import { createSubscriber } from '../push/subscriber/subscriber.ts';
import { redisCounterHash } from './metrics.ts';
import { createRulesView } from '../catalog/rules.ts';
import { applySavedRules } from '../curate/apply-rules.ts';
import type { RetagTarget } from '../store/rules.ts';
import { startRetagWorker } from '../../workers/retag.worker.ts';

export interface IngestOptions {
  config: Config;
  redisUrl: string;
  log: Logger;
  /** Called with each poll's report (metrics, first-round summary). */
  onReport(report: IngestReport): void;
  now?: () => Date;
  /** In-process only: share the caller's store connection instead of opening one. */
  shared?: { redis: RedisClient; store: Store };
}

/** The worker role in this thread: fetcher, host limiter, tagger, curator and a BullMQ worker. */
export async function startIngest(o: IngestOptions): Promise<WorkerRole> {
  const { config, log } = o;
  const target = parseRedisTarget(o.redisUrl);
  const own: RedisClient[] = [];
  let redis = o.shared?.redis;
  let store = o.shared?.store;
  if (!redis || !store) {
    redis = createRedis(target, { connectionName: 'tributary-ingest' });
    own.push(redis);
    // One line per outage, as the main thread's connection does.
    let down = false;
    redis.on('error', (err: Error) => {
      if (!down) log.warn({ err: err.message }, `redis (ingest): ${err.message} (reconnecting)`);
      down = true;
    });
    redis.on('ready', () => {
      if (down) log.info('redis (ingest): connected again');
      down = false;
    });
    store = createStore(redis, {
      prefix: config.env.redisPrefix,
      unhealthyAfter: config.fetch.unhealthyAfter,
    });
  }
  const fetcher = fetcherFor(config.fetch);
  const priorities = new Map(config.sources.map((s) => [s.id, s.priority]));
  const workerConn = bullConnection(target, 'worker');
  own.push(workerConn);
  const keys = store.keys;
  const now = o.now ?? (() => new Date());
  // WebSub (push/subscriber/): polls discover hubs and subscribe; ticks renew leases; the
  // schedule asks whether a source pushes. Pushed bodies the callback queued are ingested here
  // too (workers/pushed.worker.ts).
  const websub = createSubscriber({
    config,
    store,
    log,
    now,
    counters: redisCounterHash(redis, keys.pollMetrics()),
  });
  // Rules saved from the desk or admin API reach every poll (catalog/rules.ts); their retag jobs
  // run here too, off the HTTP thread.
  const rules = createRulesView(config, store);
  const role = await startWorkerRole(
    {
      config,
      store,
      fetcher,
      now,
      log,
      priorityOf: (id) => priorities.get(id) ?? 0,
      hostLimiter: createHostLimiter(redis as never, {
        keyFor: keys.hostSlots,
        perHost: config.fetch.perHostConcurrency,
        leaseMs: config.fetch.timeout + 10_000,
      }),
      tagger: createTagger(config.tags),
      curator: createCurator(config.sections),
      push: websub,
      maintainPush: (source) => websub.maintain(source),
      onReport: o.onReport,
      rules,
    },
    { connection: workerConn, prefix: keys.queuePrefix(), concurrency: config.worker.concurrency },
  );
  const retagConn = bullConnection(target, 'worker');
  own.push(retagConn);
  const retagWorker = await startRetagWorker(
    (job) =>
      applySavedRules({ config, store, rules, log, now }, job.target as RetagTarget, job.version),
    {
      connection: retagConn,
      prefix: keys.queuePrefix(),
      onError: (err) => log.error({ err }, `retag worker error: ${err.message}`),
    },
  );
  return {
    id: role.id,
    async close(graceMs) {
      await role.close(graceMs); // bounded (workers/main.ts), also with Redis gone
      // A retag cut short is taken over by another worker (or re-run at the next start).
      let rt: NodeJS.Timeout | undefined;
      await Promise.race([
        retagWorker.close(true).catch(() => undefined),
        new Promise((r) => (rt = setTimeout(r, 1_000))),
      ]);
      clearTimeout(rt);
      // Quitting needs Redis; with Redis gone, drop the connections after a moment.
      let t: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([fetcher.close(), websub.close(), ...own.map((c) => closeRedis(c))]),
        new Promise((r) => (t = setTimeout(r, 500))),
      ]);
      clearTimeout(t);
      own.forEach((c) => c.disconnect());
    },
  };
}

// ------------------------------------------------------------------ the thread, main side

/** What the ingest thread starts from (structured-cloned into the thread). */
export interface IngestThreadData {
  config: Config;
  redisUrl: string;
  logLevel: string;
}

/** Messages from the ingest thread. */
export type FromIngestThread =
  | { t: 'ready'; id: string; tid: number | null; nice: number | null }
  | { t: 'log'; line: string }
  | { t: 'report'; report: IngestReport }
  | { t: 'stopped' };

/**
 * How much nicer than the process the ingest thread runs on Linux (nice values are per thread
 * there): under CPU contention the HTTP thread gets about 9× its share (CFS weights 1024 vs 110
 * at nice 0 and 10), so reads stay fast while ingest takes whatever CPU is left; with idle CPU,
 * ingest runs at full speed.
 */
export const INGEST_NICE = 10;

/** Messages to the ingest thread. */
export type ToIngestThread = { t: 'stop'; graceMs: number };

export interface IngestThreadRole extends WorkerRole {
  /** The ready ingest thread's id (never this thread's); null while starting, restarting or down. */
  readonly threadId: number | null;
  /** Times the thread died and was started again. */
  readonly restarts: number;
  /** The ready thread (tests end it to check the restart). */
  readonly thread: Worker | null;
  /** The ready thread's Linux thread id and nice value (null elsewhere). */
  readonly os: { tid: number; nice: number } | null;
}

export interface IngestThreadOptions extends Omit<IngestOptions, 'shared' | 'now'> {
  /** At most this many restarts within `restartWindowMs` (default 5 in 10 min), then it stays down. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Wait before the n-th restart: min(backoffMs × 2^(n-1), 30 s). Default 1 s. */
  backoffMs?: number;
}

/**
 * How long the thread gets beyond the grace it is given: the worker's forced close and leave
 * (3 s at most, workers/main.ts) and dropping its connections. Within what stop() allows the
 * workers (runtime/start.ts); past it the thread is ended, which ends its connections too.
 */
const THREAD_CLOSE_MS = 3_000;
/** Start-up (module loading, Redis connections, BullMQ worker ready) must finish within this. */
const READY_TIMEOUT_MS = 120_000;

/** The entry of the thread: built JS as is; under tsx (dev, tests, bench) through tsx's loader. */
function threadEntry(): { code: string | URL; eval: boolean } {
  const self = import.meta.url;
  if (!self.endsWith('.ts'))
    return { code: new URL('./ingest-thread-entry.js', self), eval: false };
  const entry = new URL('./ingest-thread-entry.ts', self).href;
  const api = createRequire(self)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  return {
    eval: true,
    code: `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`,
  };
}

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Writes one of the thread's JSON log lines through this thread's logger. */
function relayLog(log: Logger, line: string) {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    log.info({ thread: 'ingest' }, line.trim());
    return;
  }
  const { level, msg, time: _time, pid: _pid, hostname: _host, ...fields } = rec;
  log[LEVELS[level as number] ?? 'info']({ ...fields, thread: 'ingest' }, String(msg ?? ''));
}

export async function startIngestThread(o: IngestThreadOptions): Promise<IngestThreadRole> {
  const { log } = o;
  const maxRestarts = o.maxRestarts ?? 5;
  const windowMs = o.restartWindowMs ?? 10 * 60_000;
  const backoffMs = o.backoffMs ?? 1_000;
  const data: IngestThreadData = {
    config: o.config,
    redisUrl: o.redisUrl,
    logLevel: log.level,
  };
  let current: Worker | null = null;
  let id = '';
  let osThread: { tid: number; nice: number } | null = null;
  let stopping = false;
  let restarts = 0;
  const crashes: number[] = [];
  let restartTimer: NodeJS.Timeout | null = null;
  let stopped: (() => void) | null = null;

  // The thread that is running and ready (null while none is: starting, restarting, or down).
  let live: Worker | null = null;
  /**
   * Starts one thread; resolves once its BullMQ worker is ready. `first`: the start-up one, whose
   * failure is the caller's (startTributary throws); any later death counts as a crash.
   */
  const spawn = (first: boolean) =>
    new Promise<void>((resolve, reject) => {
      const entry = threadEntry();
      const w = new Worker(entry.code, { eval: entry.eval, workerData: data, name: 'ingest' });
      current = w;
      let ready = false;
      const timeout = setTimeout(() => {
        if (ready) return;
        reject(new Error(`ingest thread not ready after ${READY_TIMEOUT_MS / 1000} s`));
        void w.terminate();
      }, READY_TIMEOUT_MS);
      timeout.unref();
      w.on('message', (m: FromIngestThread) => {
        if (m.t === 'log') relayLog(log, m.line);
        else if (m.t === 'report') o.onReport(m.report);
        else if (m.t === 'ready') {
          ready = true;
          live = w;
          id = m.id;
          osThread = m.tid !== null && m.nice !== null ? { tid: m.tid, nice: m.nice } : null;
          clearTimeout(timeout);
          resolve();
        } else if (m.t === 'stopped') stopped?.();
      });
      w.on('error', (err) => {
        log.error({ err }, `ingest thread failed: ${err.message}`);
        if (!ready) {
          clearTimeout(timeout);
          reject(err);
        }
      });
      w.on('exit', (code) => {
        if (current === w) current = null;
        if (live === w) live = null;
        stopped?.();
        if (!ready) {
          clearTimeout(timeout);
          reject(new Error(`ingest thread exited (code ${code}) before it was ready`));
          if (first) return;
        }
        if (stopping) return;
        const now = Date.now();
        crashes.push(now);
        while (crashes.length && crashes[0]! < now - windowMs) crashes.shift();
        const when = `${crashes.length} time${crashes.length === 1 ? '' : 's'} within ${windowMs / 60_000} min`;
        if (crashes.length > maxRestarts) {
          log.error(
            `ingest thread exited (code ${code}), ${when}: not restarting it; nothing is polled ` +
              'until the service restarts (/readyz reports no workers)',
          );
          return;
        }
        const wait = Math.min(backoffMs * 2 ** (crashes.length - 1), 30_000);
        log.error(
          `ingest thread exited (code ${code}), ${when}: restarting it in ${wait} ms (at most ${maxRestarts}); its active jobs are taken over once their locks expire`,
        );
        restartTimer = setTimeout(() => {
          restartTimer = null;
          if (stopping) return;
          restarts++;
          // A thread that dies again, even before it is ready, comes back through 'exit'.
          spawn(false).then(
            () => log.info(`ingest thread running again (thread ${live?.threadId})`),
            () => undefined,
          );
        }, wait);
        restartTimer.unref();
      });
    });

  await spawn(true);
  log.debug(`ingest runs on thread ${live!.threadId}; HTTP on thread ${threadId}`);
  return {
    get id() {
      return id;
    },
    get threadId() {
      return live?.threadId ?? null;
    },
    get os() {
      return live ? osThread : null;
    },
    get restarts() {
      return restarts;
    },
    get thread() {
      return live;
    },
    async close(graceMs) {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const w = current;
      if (!w) return;
      const done = new Promise<void>((r) => (stopped = r));
      w.postMessage({ t: 'stop', graceMs } satisfies ToIngestThread);
      let t: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>(
        (r) => (t = setTimeout(() => r('late'), graceMs + THREAD_CLOSE_MS)),
      );
      const res = await Promise.race([done.then(() => 'done' as const), late]);
      clearTimeout(t);
      if (res === 'late') log.warn('ingest thread did not stop in time: ending it');
      await w.terminate();
    },
  };
}
