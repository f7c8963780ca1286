// What the HTTP server needs: read access to the store, the config, and a few live probes.
import type { Config } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
// (pino's type directly: the server does not import the runtime that composes it)
import type { Logger } from 'pino';
import type { FeedCache } from './feed-cache.ts';
import type { FastFeeds } from './fast-path.ts';
import type { PollQueue } from '../queues/queues.ts';
import type { Subscriber } from '../push/subscriber/subscriber.ts';
import type { PushHttp } from '../push/http.ts';
import type { WebhookAdmin } from '../push/webhooks.ts';

export interface ServerDeps {
  config: Config;
  store: Store;
  cache: FeedCache;
  log: Logger;
  priorityOf(sourceId: string): number;
  /** Queue depths for /readyz and /metrics, or null when the queue is unreachable. */
  queueCounts(): Promise<Record<string, number> | null>;
  /** Prometheus text exposition. */
  metrics(): Promise<{ contentType: string; body: string }>;
  now(): Date;
  /** A section's current version from memory (pub/sub-maintained), when the server has one. */
  versionOf?(sectionId: string): Promise<number>;
  /** Bare feed URLs answered straight from node:http once cached (see fast-path.ts). */
  fastFeeds?: FastFeeds;
  observeHttp?(route: string, method: string, status: number, seconds: number): void;
  /** Admin "refresh now": one forced poll of a source; returns the job id. Absent: refresh → 503. */
  refresh?(sourceId: string): Promise<string>;
  /** Makes the queue's schedulers follow the source catalog at once (after admin source changes). */
  syncSchedules?(): Promise<void>;
  /** Queues shown on the operator dashboard (bull-board under /admin/queues). */
  queues?: readonly PollQueue[];
  /** WebSub subscriber for our sources (callback route, `push` in /api/sources); absent: none. */
  subscriber?: Subscriber;
  /** Outgoing HTTP of the WebSub hub (verification); absent: no POST /websub. */
  pushHttp?: PushHttp;
  /** Webhook status, re-send and runtime hooks (begin, follow, forget) for /admin/api/webhooks;
   *  absent: 503. */
  webhooks?: WebhookAdmin;
  /** Queues the retag that applies a rule save to stored articles (runs where workers run);
   *  absent: the server runs it itself, in the background. */
  enqueueRetag?(job: { target: string; version: number }): Promise<void>;
  /** The push queue's depths (WebSub and webhook deliveries), or null when unreachable. */
  pushQueueCounts?(): Promise<Record<string, number> | null>;
  /** Polls so far by outcome and duration: the counters /metrics exports (health page). */
  pollSummary?(): Promise<PollSummary>;
}

/** The poll counters of every worker, summed (runtime/metrics.ts reads them). */
export interface PollSummary {
  polls: number;
  /** Mean poll duration, fetch to indexes (null before the first poll). */
  meanMs: number | null;
  /** Upper bound of the histogram bucket holding the median / 95th percentile (null: none, or above the last bucket). */
  p50AtMostMs: number | null;
  p95AtMostMs: number | null;
  /** Polls by outcome (ok, not-modified, error, …). */
  outcomes: Record<string, number>;
  /** Failed polls by error kind (timeout, parse, http, …). */
  errorKinds: Record<string, number>;
}
