// Starts Tributary in one role (all | server | worker): Redis (embedded or external), the store,
// the scheduler owner, workers and the HTTP server; and stops them in the right order.
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { Config, IngestReport, Role, SourceConfig } from '../domain/types.ts';
import {
  createRedis,
  parseRedisTarget,
  checkRedis,
  closeRedis,
  bullConnection,
} from '../store/client.ts';
import type { RedisClient } from '../store/client.ts';
import { createStore } from '../store/index.ts';
import { watchSectionVersions } from '../store/section-versions.ts';
import type { SectionVersions } from '../store/section-versions.ts';
import type { Store } from '../store/index.ts';
import {
  createPollQueue,
  createPushedQueue,
  createPushedQueueEvents,
  syncSchedulers,
  queueCounts,
  enqueueRefresh,
  queuePushedBody,
} from '../queues/queues.ts';
import type { PollQueue, PushedQueue } from '../queues/queues.ts';
import { createApp } from '../server/app.ts';
import { listen } from '../server/listen.ts';
import type { Listening } from '../server/listen.ts';
import { FeedCache } from '../server/feed-cache.ts';
import { FastFeeds } from '../server/fast-path.ts';
import type { WorkerRole } from '../../workers/main.ts';
import { startIngest, startIngestThread } from './ingest-thread.ts';
import { ensureRedisServer } from './redis-binary.ts';
import { startRedisServer } from './redis-server.ts';
import { canListen } from './net-probe.ts';
import type { EmbeddedRedis } from './redis-server.ts';
import { allSources, findSource } from '../catalog/sources.ts';
import { tickInterval } from '../pipeline/schedule/schedule.ts';
import { createMetrics, redisCounterHash } from './metrics.ts';
import type { Logger } from './logger.ts';
import { retentionEveryMs, runRetention } from './retention.ts';
import { startPush } from './push.ts';
import type { PushRole } from './push.ts';
import { baseUrlMismatch, freePort, withBaseUrl } from '../config/base-url.ts';
import { watchFirstRound } from './first-round.ts';
import { createSubscriber } from '../push/subscriber/subscriber.ts';
import { createRetagQueue, enqueueRetag } from '../queues/retag-queue.ts';
import type { PushedBody } from '../pipeline/ingest.ts';

export interface Running {
  config: Config;
  store: Store;
  queue: PollQueue;
  server: Listening | null;
  worker: WorkerRole | null;
  redisUrl: string;
  embeddedRedis: EmbeddedRedis | null;
  /** Re-reads sources and makes the schedulers match (also runs periodically). */
  syncSchedules(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  role: Role;
  log: Logger;
  /** Listen on this port instead of config.env.port (0 = any free port). */
  port?: number;
  now?: () => Date;
  /** How `--role all` starts its ingest thread (tests wrap the real one to hold its readiness). */
  startIngestThread?: typeof startIngestThread;
}

async function connectRedis(
  config: Config,
  log: Logger,
): Promise<{ url: string; embedded: EmbeddedRedis | null }> {
  if (config.env.redisUrl) return { url: config.env.redisUrl, embedded: null };
  const bin = await ensureRedisServer({
    env: { redisServerBin: config.env.redisServerBin, autoRedis: config.env.autoRedis },
    cacheDir: join(homedir(), '.cache', 'tributary'),
    log: (m) => log.info(m),
  });
  const embedded = await startRedisServer({
    bin,
    dataDir: join(config.env.dataDir, 'redis'),
    appendOnly: true,
    log: (m, level = 'info') => log[level](`redis-server: ${m}`),
  });
  return { url: embedded.url, embedded };
}

/** The HTTP port is taken: found before Redis starts and workers poll, with what to do. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `port ${port} on ${host} is already in use (another Tributary, or another program): ` +
        `stop it, or choose another port, e.g. PORT=${port === 65535 ? port - 1 : port + 1} npm start`,
    );
  }
}

/** Runs `p` for at most `ms`; false when it did not settle in time (it keeps running). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let t: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((r) => {
    t = setTimeout(() => r(false), Math.max(0, ms));
  });
  const settled = p.then(
    () => true as const,
    () => true as const,
  );
  const res = await Promise.race([settled, timedOut]);
  clearTimeout(t);
  return res;
}

interface PushedIntake {
  queue: PushedQueue;
  events: ReturnType<typeof createPushedQueueEvents>;
}

/** How long the callback waits for its body to be ingested before answering 202 (queued). */
const PUSHED_WAIT_MS = 5_000;

/**
 * The subscriber's `ingest` in a serving process: queue the body for the worker role and wait
 * (bounded) for its report. A body over fetch.maxBytes is not carried, only marked. A job that
 * failed for good throws (the callback answers 500: the hub delivers it again).
 */
function queuePushed(intake: PushedIntake, maxBytes: number, now: () => Date) {
  return async (source: SourceConfig, body: PushedBody): Promise<IngestReport | null> => {
    const overSize = body.bytes.length > maxBytes;
    const r = await queuePushedBody(
      intake.queue,
      intake.events,
      {
        sourceId: source.id,
        url: body.url,
        contentType: body.contentType,
        body: overSize ? '' : body.bytes.toString('base64'),
        ...(overSize ? { overSize: true } : {}),
        receivedAt: now().getTime(),
      },
      PUSHED_WAIT_MS,
    );
    if (r.state === 'failed') throw new Error(`pushed body for ${source.id}: ${r.reason}`);
    if (r.state === 'full')
      throw new Error(`pushed body for ${source.id}: too many pushed bodies wait for a worker`);
    return r.state === 'done' ? r.report : null;
  };
}

/**
 * What stop() keeps of the shutdown grace for itself: the workers' forced close and leave
 * (3 s at most, see workers/main.ts) and closing connections (Redis may be gone). Active jobs
 * get the rest.
 */
const CLOSE_RESERVE_MS = 5_000;

export async function startTributary(opts: StartOptions): Promise<Running> {
  const { role, log } = opts;
  // An unset site.baseUrl is derived from HOST and the port we listen on (known before the app
  // is built, so a "any free port" request picks one first).
  const serves = role === 'all' || role === 'server';
  let port = opts.port ?? opts.config.env.port;
  if (serves && !opts.config.site.baseUrl && port === 0)
    port = await freePort(opts.config.env.host);
  const config = serves ? withBaseUrl(opts.config, opts.config.env.host, port) : opts.config;
  const now = opts.now ?? (() => new Date());
  // A busy HTTP port is found before anything starts (Redis, workers polling), not after.
  if (serves && !(await canListen(config.env.host, port)))
    throw new PortInUseError(config.env.host, port);
  const { url, embedded } = await connectRedis(config, log);
  const target = parseRedisTarget(url);
  const clients: RedisClient[] = [];
  const redis = createRedis(target, { connectionName: `tributary-${role}` });
  clients.push(redis);
  // One line per outage instead of ioredis's unhandled-error stack on every reconnect attempt.
  let redisDown = false;
  redis.on('error', (err: Error) => {
    if (!redisDown) log.warn({ err: err.message }, `redis: ${err.message} (reconnecting)`);
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) log.info('redis: connected again');
    redisDown = false;
  });
  try {
    await checkRedis(redis);
  } catch (e) {
    await closeRedis(redis);
    await embedded?.stop();
    throw e;
  }
  const store = createStore(redis, {
    prefix: config.env.redisPrefix,
    unhealthyAfter: config.fetch.unhealthyAfter,
  });
  const queueConn = bullConnection(target, 'queue');
  clients.push(queueConn);
  const queue = createPollQueue(queueConn, store.keys.queuePrefix());
  const cache = new FeedCache();
  const metrics = createMetrics({
    queueCounts: () => queueCounts(queue),
    cacheStats: () => cache,
    // Workers publish poll counters here; every server's /metrics exports them.
    polls: redisCounterHash(redis, store.keys.pollMetrics()),
    onPublishError: (err) => log.warn({ err: err.message }, `metrics: ${err.message}`),
  });
  const priorities = new Map(config.sources.map((s) => [s.id, s.priority]));
  const priorityOf = (id: string) => priorities.get(id) ?? 0;
  const retagQueue = createRetagQueue(queueConn, store.keys.queuePrefix());
  // Pushed bodies (push in): a server verifies them at the callback and queues them; the worker
  // role (the ingest thread in `--role all`) runs the pipeline on them, never the HTTP thread.
  let pushedIntake: PushedIntake | null = null;
  if (serves) {
    const eventsConn = bullConnection(target, 'worker');
    clients.push(eventsConn as RedisClient);
    pushedIntake = {
      queue: createPushedQueue(queueConn, store.keys.queuePrefix()),
      events: createPushedQueueEvents(eventsConn, store.keys.queuePrefix()),
    };
    await pushedIntake.events.waitUntilReady();
  }
  // WebSub subscriber for our sources: workers discover hubs and renew leases on their polls;
  // servers answer the callback and queue verified pushed bodies (push/subscriber/).
  const websub = createSubscriber({
    config,
    store,
    log,
    now,
    counters: redisCounterHash(redis, store.keys.pollMetrics()),
    findSource: (id) => findSource(config, store, id),
    ingest: pushedIntake ? queuePushed(pushedIntake, config.fetch.maxBytes, now) : undefined,
  });

  const syncSchedules = async () => {
    await store.locks.withLease('schedulers', 30_000, async () => {
      const sources = await allSources(config, store);
      const res = await syncSchedulers(
        queue,
        sources.map((s) => ({ id: s.id, enabled: s.enabled, everyMs: tickInterval(config, s) })),
      );
      if (res.upserted || res.removed)
        log.info(`schedulers: ${res.upserted} upserted, ${res.removed} removed`);
    });
  };
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => Promise<unknown>) => {
    const t = setInterval(() => fn().catch((err: Error) => log.warn({ err }, err.message)), ms);
    t.unref();
    timers.push(t);
  };

  // Ingest: in this process for `--role worker`; in a worker thread for `--role all`, so ingest
  // CPU never holds the server's event loop (see ingest-thread.ts, README "Serving while
  // ingesting").
  let worker: WorkerRole | null = null;
  let ingestThread: Promise<WorkerRole> | null = null;
  if (role === 'all' || role === 'worker') {
    const firstRound = watchFirstRound(
      (await allSources(config, store)).filter((s) => s.enabled).map((s) => s.id),
      (level, m) => log[level](m),
    );
    const ingest = {
      config,
      redisUrl: url,
      log,
      onReport: (r: IngestReport) => {
        void metrics.observeReport(r);
        firstRound.observe(r);
      },
    };
    if (role === 'all') {
      // The thread loads its own module graph (~0.6 s on 2 cores): let it do so while this
      // thread sets up push and the HTTP server; it is awaited once the server listens.
      ingestThread = (opts.startIngestThread ?? startIngestThread)(ingest);
      ingestThread.catch(() => undefined); // handled where it is awaited, below
    } else worker = await startIngest({ ...ingest, now, shared: { redis, store } });
  }

  // Push (issue 12): the hub's outgoing HTTP and the push queue in every role; the push worker
  // and the section-change dispatcher where workers run.
  const push: PushRole = await startPush({
    config,
    store,
    log,
    now,
    priorityOf,
    target,
    queueConnection: queueConn,
    withWorker: role === 'all' || role === 'worker',
    clients,
  });

  let server: Listening | null = null;
  let versions: SectionVersions | null = null;
  if (role === 'all' || role === 'server') {
    const subscriber = createRedis(target, { connectionName: `tributary-${role}-sub` });
    clients.push(subscriber);
    versions = await watchSectionVersions(subscriber, store.keys, (id) =>
      store.sections.version(id),
    );
    // With an ingest thread still starting, the schedulers are synced once it is ready (below):
    // their first ticks are due when something can poll them, not while the thread loads.
    if (!ingestThread) await syncSchedules();
    every(60_000, syncSchedules);
    every(retentionEveryMs(config.retention.maxAge), () =>
      store.locks.withLease('retention', 60_000, () => runRetention(config, store, now())),
    );
    const fastFeeds = new FastFeeds();
    const app = createApp({
      config,
      store,
      cache,
      log,
      priorityOf,
      now,
      queueCounts: () => queueCounts(queue).catch(() => null),
      metrics: () => metrics.render(),
      observeHttp: (route, method, status, s) => metrics.observeHttp(route, method, status, s),
      refresh: (sourceId) => enqueueRefresh(queue, sourceId),
      syncSchedules,
      queues: [queue],
      versionOf: (id) => versions!.get(id),
      fastFeeds,
      subscriber: websub,
      pushHttp: push.http,
      webhooks: push.webhookAdmin,
      enqueueRetag: (data) => enqueueRetag(retagQueue, data),
      pushQueueCounts: () => push.queueCounts().catch(() => null),
      pollSummary: () => metrics.pollSummary(),
    });
    const fast = fastFeeds.handler({
      versionPeek: (id) => versions!.peek(id),
      observe: (status, s) => {
        cache.hits++;
        metrics.observeHttp('/feeds/:file', 'GET', status, s);
      },
    });
    server = await listen(app, { port, host: config.env.host, fast });
    const mismatch = opts.config.site.baseUrl
      ? baseUrlMismatch(opts.config.site.baseUrl, config.env.host, server.port)
      : null;
    if (mismatch) log.warn(mismatch);
  }
  let stopping: Promise<void> | null = null;
  const stop = () => {
    // Bounded in every state: whether Redis is up, down or full, stop() returns within the
    // shutdown grace (at least ~5 s), so the process exits 0 instead of spinning on
    // reconnects. Jobs not finished by then stay in Redis and are taken over (never lost).
    stopping ??= (async () => {
      const grace = config.worker.shutdownGrace;
      const deadline = Date.now() + grace;
      timers.forEach(clearInterval);
      await within(server?.close() ?? Promise.resolve(), 2_000);
      const workerBudget = Math.max(1_000, deadline - Date.now() - CLOSE_RESERVE_MS);
      if (worker && !(await within(worker.close(workerBudget), workerBudget + 3_500)))
        log.warn(
          'workers did not close in time (Redis unreachable?): their jobs are taken over later',
        );
      // (done half a second before the deadline: exiting takes a moment too)
      const left = () => Math.max(500, deadline - 500 - Date.now());
      const closed = await within(
        Promise.all([
          push.close(),
          queue.close().catch(() => undefined),
          retagQueue.close().catch(() => undefined),
          pushedIntake?.events.close(),
          pushedIntake?.queue.close(),
          websub.close(),
          versions?.close(),
        ]).then(() => Promise.all(clients.map((c) => closeRedis(c)))),
        left(),
      );
      if (!closed) {
        log.warn('redis connections did not close in time: dropping them');
        clients.forEach((c) => c.disconnect());
      }
      await embedded?.stop();
    })();
    return stopping;
  };
  if (ingestThread) {
    try {
      worker = await ingestThread;
      await syncSchedules();
    } catch (err) {
      // As before the overlap: no service without its ingest. Stop what started meanwhile (the
      // server first), then report the thread's failure.
      await stop();
      throw err;
    }
  }
  return {
    config,
    store,
    queue,
    server,
    worker,
    redisUrl: url,
    embeddedRedis: embedded,
    syncSchedules,
    stop,
  };
}
