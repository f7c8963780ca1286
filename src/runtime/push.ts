// Starts the push side (issue 12) for one process: the hub's outgoing HTTP client and the push
// queue everywhere; where workers run, the push worker and the dispatcher that turns every
// section version bump (pub/sub) into fan-out jobs (job ids keep one per section version, however
// many processes hear the bump).
import type { Config } from '../domain/types.ts';
import { withBaseUrl } from '../config/base-url.ts';
import type { Store } from '../store/index.ts';
import { bullConnection, createRedis } from '../store/client.ts';
import type { RedisClient, RedisTarget } from '../store/client.ts';
import { watchSectionBumps } from '../store/push.ts';
import {
  createPushQueue,
  enqueueSectionChange,
  enqueueWebhookDelivery,
  enqueueWebsubDelivery,
  queueCounts,
} from '../queues/queues.ts';
import { createPushHttp } from '../push/http.ts';
import type { PushHttp } from '../push/http.ts';
import { createHub } from '../push/hub.ts';
import { createWebhooks } from '../push/webhooks.ts';
import type { WebhookAdmin } from '../push/webhooks.ts';
import { renderThrough } from '../push/render.ts';
import { createApp } from '../server/app.ts';
import { FeedCache } from '../server/feed-cache.ts';
import { startPushWorker } from '../../workers/push.worker.ts';
import type { Logger } from './logger.ts';

export interface PushRole {
  http: PushHttp;
  webhookAdmin: WebhookAdmin;
  /** The push queue's job counts by state. */
  queueCounts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function startPush(opts: {
  config: Config;
  store: Store;
  log: Logger;
  now(): Date;
  priorityOf(sourceId: string): number;
  target: RedisTarget;
  queueConnection: ReturnType<typeof bullConnection>;
  withWorker: boolean;
  /** Connections opened here are added, to be closed with the others. */
  clients: RedisClient[];
}): Promise<PushRole> {
  const { store, log, now } = opts;
  // A worker-only process has no port of its own: an unset baseUrl is derived as the server's is.
  const config = withBaseUrl(opts.config, opts.config.env.host, opts.config.env.port);
  const http = createPushHttp({
    allowPrivateNetworks: config.fetch.allowPrivateNetworks,
    userAgent: config.fetch.userAgent,
  });
  const queue = createPushQueue(opts.queueConnection, store.keys.queuePrefix());
  const webhooks = createWebhooks({
    config,
    store,
    http,
    log,
    now,
    priorityOf: opts.priorityOf,
    enqueue: (hookId, deliveryId, jobId) =>
      enqueueWebhookDelivery(queue, hookId, deliveryId, jobId),
  });
  const closers: (() => Promise<unknown>)[] = [];
  // Always where workers run: webhooks may be added through the admin API at any time.
  if (opts.withWorker) {
    // Topics are rendered by the server's own routes, in process.
    const renderApp = createApp({
      config,
      store,
      cache: new FeedCache(100),
      log,
      priorityOf: opts.priorityOf,
      now,
      queueCounts: async () => null,
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
    });
    const hub = createHub({ config, store, http, log, now, render: renderThrough(renderApp) });
    await webhooks.startAll();
    const conn = bullConnection(opts.target, 'worker');
    opts.clients.push(conn as RedisClient);
    const worker = await startPushWorker(
      {
        store,
        log,
        now,
        hub,
        webhooks,
        enqueueWebsubDelivery: (id, v) => enqueueWebsubDelivery(queue, id, v),
      },
      { connection: conn, prefix: store.keys.queuePrefix(), concurrency: 16 },
    );
    const subscriber = createRedis(opts.target, { connectionName: 'tributary-push-sub' });
    opts.clients.push(subscriber);
    // Webhook fan-outs only while some hook exists (the config's, or one added at runtime).
    const what = async () => ({
      websub: config.push.hub,
      webhooks: config.webhooks.length > 0 || (await store.push.webhooks.countRuntime()) > 0,
    });
    const watcher = await watchSectionBumps(subscriber, store.keys, (sectionId, version) => {
      what()
        .then((w) => enqueueSectionChange(queue, sectionId, version, w))
        .catch((err: Error) =>
          log.warn({ err: err.message }, `push: cannot queue section ${sectionId}: ${err.message}`),
        );
    });
    closers.push(
      () => watcher.close(),
      () => worker.close(),
    );
  }
  return {
    http,
    webhookAdmin: webhooks.admin(),
    queueCounts: () => queueCounts(queue),
    async close() {
      for (const c of closers) await c().catch(() => undefined);
      await queue.close().catch(() => undefined);
      await http.close().catch(() => undefined);
    },
  };
}
