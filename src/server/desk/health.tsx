// The desk's health page, /desk/health: the service in plain words, English or Arabic. The
// figures come from services/health.ts (shared with GET /admin/api/health): readiness, worker
// heartbeats, queue depths, poll outcomes and durations, Redis memory, the newest source errors,
// and the open desk sessions with "log out everywhere". Numbers, sizes, durations and times go
// through Intl for the page's locale.
import type { Context, Hono } from 'hono';
import type { ServerDeps } from '../deps.ts';
import { createHealthService } from '../services/health.ts';
import type { HealthReport, QueueDepth } from '../services/health.ts';
import type { Ui } from './i18n.ts';
import { CSRF_FIELD } from './security.ts';
import { Layout } from './pages.tsx';
import type { Shell } from './pages.tsx';

/** Words and formats of one locale for the figures of this page. */
export function healthFormat(ui: Ui, nowMs: number) {
  const unit = (u: string, digits = 0) =>
    new Intl.NumberFormat(ui.locale, {
      style: 'unit',
      unit: u,
      unitDisplay: 'short',
      maximumFractionDigits: digits,
    });
  const ms = unit('millisecond');
  const s = unit('second', 1);
  const mb = unit('megabyte', 1);
  const gb = unit('gigabyte', 2);
  const rel = new Intl.RelativeTimeFormat(ui.locale, { numeric: 'auto' });
  return {
    duration: (v: number) => (v < 1000 ? ms.format(Math.round(v)) : s.format(v / 1000)),
    bytes: (v: number) => (v >= 1e9 ? gb.format(v / 1e9) : mb.format(v / 1e6)),
    /** "5 seconds ago", "3 minutes ago", "yesterday"… */
    ago(iso: string): string {
      const t = Date.parse(iso);
      if (!Number.isFinite(t)) return iso;
      const sec = Math.round((t - nowMs) / 1000);
      const a = Math.abs(sec);
      if (a < 60) return rel.format(sec, 'second');
      if (a < 3600) return rel.format(Math.round(sec / 60), 'minute');
      if (a < 86400) return rel.format(Math.round(sec / 3600), 'hour');
      return rel.format(Math.round(sec / 86400), 'day');
    },
  };
}

type HealthFormat = ReturnType<typeof healthFormat>;

const QUEUE_COLUMNS = [
  ['waiting', 'h_waiting'],
  ['active', 'h_active'],
  ['delayed', 'h_delayed'],
  ['failed', 'h_failed'],
] as const;

function QueueRow(p: { ui: Ui; name: string; depth: QueueDepth | null; id: string }) {
  const { ui } = p;
  return (
    <tr id={p.id}>
      <th scope="row">{p.name}</th>
      {QUEUE_COLUMNS.map(([k]) => (
        <td class="num">
          {p.depth
            ? ui.number(k === 'waiting' ? p.depth.waiting + p.depth.prioritized : p.depth[k])
            : ui.t.h_unknown}
        </td>
      ))}
    </tr>
  );
}

/** "fetched 1,200 · unchanged 300 · failed 12" with the outcome's word in the locale. */
function counts(ui: Ui, m: Record<string, number>, word: (k: string) => string): string {
  return Object.entries(m)
    .filter(([k, n]) => n > 0 && k !== 'skipped')
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${word(k)} ${ui.number(n)}`)
    .join(' · ');
}

export function HealthPage(p: { shell: Shell; report: HealthReport; f: HealthFormat }) {
  const { ui, csrf } = p.shell;
  const { t } = ui;
  const r = p.report;
  const f = p.f;
  const outcomeWord = (k: string) => (t[`outcome_${k}` as keyof typeof t] as string) ?? k;
  const upTo = (v: number | null) => (v === null ? t.h_over(f.duration(30_000)) : f.duration(v));
  return (
    <Layout shell={p.shell} title={t.h_title}>
      <h1>{t.h_title}</h1>
      <p role="status" class={r.ready ? 'flash' : 'alert'} id="health-summary">
        {!r.redis.reachable ? t.h_redisDown : r.workers.alive === 0 ? t.h_noWorkers : t.h_ready}
      </p>

      <section aria-labelledby="h-queues" class="card">
        <h2 id="h-queues">{t.h_queues}</h2>
        <div class="table-wrap">
          <table class="health-queues">
            <thead>
              <tr>
                <th scope="col">{t.h_queue}</th>
                {QUEUE_COLUMNS.map(([, key]) => (
                  <th scope="col">{t[key]}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              <QueueRow ui={ui} name={t.h_queuePoll} depth={r.queues.poll} id="queue-poll" />
              <QueueRow ui={ui} name={t.h_queuePush} depth={r.queues.push} id="queue-push" />
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="h-fetch" class="card" id="health-fetch">
        <h2 id="h-fetch">{t.h_fetch}</h2>
        {!r.polls ? (
          <p>{t.h_pollsUnknown}</p>
        ) : r.polls.polls === 0 ? (
          <p>{t.h_noPolls}</p>
        ) : (
          <>
            <p>
              {t.h_polls(ui.number(r.polls.polls))}{' '}
              {t.h_latency(
                f.duration(r.polls.meanMs ?? 0),
                upTo(r.polls.p50AtMostMs),
                upTo(r.polls.p95AtMostMs),
              )}
            </p>
            <p>
              {t.h_outcomes} {counts(ui, r.polls.outcomes, outcomeWord)}
            </p>
            {Object.keys(r.polls.errorKinds).length ? (
              <p>
                {t.h_errorKinds} <span dir="ltr">{counts(ui, r.polls.errorKinds, (k) => k)}</span>
              </p>
            ) : null}
          </>
        )}
        {r.sources ? (
          <p id="health-sources">
            {t.h_sources(
              ui.number(r.sources.total),
              ui.number(r.sources.unhealthy),
              ui.number(r.sources.failing),
              ui.number(r.sources.neverFetched),
            )}
          </p>
        ) : null}
      </section>

      <section aria-labelledby="h-errors" class="card">
        <h2 id="h-errors">{t.h_errors}</h2>
        {r.recentErrors.length === 0 ? (
          <p>{t.h_noErrors}</p>
        ) : (
          <div class="table-wrap">
            <table class="health-errors">
              <thead>
                <tr>
                  <th scope="col">{t.source}</th>
                  <th scope="col">{t.h_when}</th>
                  <th scope="col">{t.h_message}</th>
                </tr>
              </thead>
              <tbody>
                {r.recentErrors.map((e) => (
                  <tr id={`error-${e.source}`}>
                    <td>
                      <span class="title" dir="auto" lang={e.lang ?? undefined}>
                        {e.title ?? e.source}
                      </span>
                      <span class="meta">
                        <code>{e.source}</code>
                      </span>
                    </td>
                    <td>
                      {e.time ? (
                        <time datetime={e.time} title={ui.date(e.time)}>
                          {f.ago(e.time)}
                        </time>
                      ) : (
                        t.never
                      )}
                    </td>
                    <td>
                      <span class="error" dir="auto">
                        {e.message}
                      </span>
                      <span class="meta">
                        {e.permanent ? `${t.h_permanent} · ` : ''}
                        {t.h_inARow(ui.number(e.consecutiveFailures))}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="h-workers" class="card">
        <h2 id="h-workers">{t.h_workers}</h2>
        {r.workers.list.length === 0 ? (
          <p>{t.h_noWorkerSeen}</p>
        ) : (
          <ul class="workers">
            {r.workers.list.map((w) => (
              <li>
                <code dir="ltr">{w.id}</code> — {w.alive ? t.h_workerAlive : t.h_workerGone} ·{' '}
                <time datetime={w.lastBeat} title={ui.date(w.lastBeat)}>
                  {t.h_workerSeen(f.ago(w.lastBeat))}
                </time>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="h-redis" class="card" id="health-redis">
        <h2 id="h-redis">{t.h_redis}</h2>
        {r.redis.memory ? (
          <p>
            {t.h_memory(f.bytes(r.redis.memory.usedBytes), f.bytes(r.redis.memory.peakBytes))}{' '}
            {r.redis.memory.maxBytes
              ? t.h_limit(f.bytes(r.redis.memory.maxBytes), r.redis.memory.policy)
              : t.h_noLimit}
          </p>
        ) : (
          <p>{t.h_unknown}</p>
        )}
      </section>

      <section aria-labelledby="h-sessions" class="card">
        <h2 id="h-sessions">{t.h_sessions}</h2>
        <p id="session-count">
          {t.h_sessionCount(r.deskSessions === null ? t.h_unknown : ui.number(r.deskSessions))}
        </p>
        <p class="note">{t.h_logoutNote}</p>
        <form method="post" action="/desk/logout-everywhere" class="inline">
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          <button type="submit" class="danger">
            {t.logoutEverywhere}
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function registerHealthRoutes(
  app: Hono,
  deps: ServerDeps,
  page: {
    shellOf(c: Context, loggedIn: boolean): Shell;
    html(c: Context, status: 200, node: unknown): Promise<Response>;
  },
): void {
  const health = createHealthService(deps);
  app.get('/desk/health', async (c) => {
    const shell = page.shellOf(c, true);
    const report = await health.report();
    const f = healthFormat(shell.ui, Date.parse(report.time));
    return page.html(c, 200, <HealthPage shell={shell} report={report} f={f} />);
  });
}
