// The service's health in one object, shared by the desk's health page (/desk/health) and the
// admin API (GET /admin/api/health): readiness (Redis, worker heartbeats, as /readyz), queue
// depths, poll outcomes and durations (the counters /metrics exports), Redis memory, source
// health counts and the most recent source errors (as /api/sources reports them).
import { allSources } from '../../catalog/sources.ts';
import type { ServerDeps } from '../deps.ts';
import { healthSummary, sourceHealth } from '../source-health.ts';

/** Workers are alive when they beat within this (as /readyz). */
export const WORKER_ALIVE_MS = 30_000;
/** Source errors listed, newest first. */
export const RECENT_ERRORS = 20;

const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
export type QueueDepth = Record<(typeof QUEUE_STATES)[number], number>;

const depth = (counts: Record<string, number> | null | undefined): QueueDepth | null =>
  counts ? (Object.fromEntries(QUEUE_STATES.map((k) => [k, counts[k] ?? 0])) as QueueDepth) : null;

export interface RecentError {
  source: string;
  title: string | null;
  lang: string | null;
  /** When the failing fetch happened (ISO), when known. */
  time: string | null;
  message: string;
  kind: string | null;
  httpStatus: number | null;
  permanent: boolean;
  consecutiveFailures: number;
  healthy: boolean;
}

export function createHealthService(
  deps: Pick<
    ServerDeps,
    'config' | 'store' | 'now' | 'queueCounts' | 'pushQueueCounts' | 'pollSummary'
  >,
) {
  const { config, store } = deps;
  return {
    async report() {
      const nowMs = deps.now().getTime();
      const redis = await store.ping();
      const orNull = <T>(p: Promise<T>) => p.catch(() => null);
      const [workers, poll, push, polls, memory, sources, sessions] = await Promise.all([
        redis ? orNull(store.workers.list()) : null,
        redis ? orNull(deps.queueCounts()) : null,
        redis && deps.pushQueueCounts ? orNull(deps.pushQueueCounts()) : null,
        deps.pollSummary ? orNull(deps.pollSummary()) : null,
        redis ? orNull(store.memory()) : null,
        redis ? orNull(sourceRows()) : null,
        redis ? orNull(store.deskSessions.active(nowMs)) : null,
      ]);
      const alive = (workers ?? []).filter((w) => w.lastBeatMs >= nowMs - WORKER_ALIVE_MS);
      return {
        time: new Date(nowMs).toISOString(),
        ready: redis && alive.length > 0,
        redis: { reachable: redis, memory },
        workers: {
          alive: alive.length,
          aliveWithinMs: WORKER_ALIVE_MS,
          list: (workers ?? []).map((w) => ({
            id: w.id,
            lastBeat: new Date(w.lastBeatMs).toISOString(),
            alive: w.lastBeatMs >= nowMs - WORKER_ALIVE_MS,
          })),
        },
        queues: { poll: depth(poll), push: depth(push) },
        polls,
        sources: sources ? healthSummary(sources.rows) : null,
        recentErrors: sources?.errors ?? [],
        deskSessions: sessions,
      };
    },
  };

  /** Every source's health (as /api/sources), and the newest errors among them. */
  async function sourceRows() {
    const list = await allSources(config, store);
    const states = await store.sources.getStates(list.map((s) => s.id));
    const rows = list.map((s, i) => ({ source: s, ...sourceHealth(s, states[i]!) }));
    const errors: RecentError[] = rows
      .filter((r) => r.lastError)
      .sort((a, b) => (b.lastFetch ?? '').localeCompare(a.lastFetch ?? ''))
      .slice(0, RECENT_ERRORS)
      .map((r) => ({
        source: r.source.id,
        title: r.source.title ?? null,
        lang: r.source.lang ?? null,
        time: r.lastFetch,
        message: r.lastError!,
        kind: r.lastErrorKind ?? null,
        httpStatus: r.lastHttpStatus,
        permanent: !!r.lastErrorPermanent,
        consecutiveFailures: r.consecutiveFailures,
        healthy: r.healthy,
      }));
    return { rows, errors };
  }
}

export type HealthReport = Awaited<ReturnType<ReturnType<typeof createHealthService>['report']>>;
