// Thin BullMQ adapter for the push queue: WebSub fan-out and delivery, webhook fan-out and
// delivery (the logic is in src/push/). Any worker runs any job; job ids keep one of each.
import { Worker } from 'bullmq';
import type { ConnectionOptions, Job } from 'bullmq';
import { PUSH_QUEUE, pushBackoffStrategy } from '../src/queues/queues.ts';
import type { PushJobData, PushJobName } from '../src/queues/queues.ts';
import type { Hub } from '../src/push/hub.ts';
import type { Webhooks } from '../src/push/webhooks.ts';
import type { Store } from '../src/store/index.ts';
import type { Logger } from '../src/runtime/logger.ts';

export interface PushWorkerDeps {
  store: Store;
  log: Logger;
  now(): Date;
  hub: Hub;
  webhooks: Webhooks;
  enqueueWebsubDelivery(subscriptionId: string, version: number): Promise<void>;
}

export function createPushProcessor(deps: PushWorkerDeps) {
  return async function processPush(job: Job<PushJobData, unknown, PushJobName>): Promise<unknown> {
    switch (job.name) {
      case 'websub-fanout': {
        const { sectionId, version } = job.data as { sectionId: string; version: number };
        const nowMs = deps.now().getTime();
        await deps.store.push.hub.dropExpired(nowMs);
        const subs = await deps.store.push.hub.forSection(sectionId, nowMs);
        for (const s of subs) await deps.enqueueWebsubDelivery(s.id, version);
        return subs.length;
      }
      case 'websub-deliver': {
        const { subscriptionId } = job.data as { subscriptionId: string };
        return deps.hub.deliver(subscriptionId);
      }
      case 'webhook-fanout': {
        const { sectionId, version } = job.data as { sectionId: string; version: number };
        return deps.webhooks.fanout(sectionId, version);
      }
      case 'webhook-deliver': {
        const { hookId, deliveryId } = job.data as { hookId: string; deliveryId: string };
        const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        return deps.webhooks.deliver(hookId, deliveryId, last);
      }
      default:
        throw new Error(`unknown push job ${String(job.name)}`);
    }
  };
}

export async function startPushWorker(
  deps: PushWorkerDeps,
  opts: { connection: ConnectionOptions; prefix: string; concurrency: number },
): Promise<{ close(): Promise<void> }> {
  const worker = new Worker<PushJobData, unknown, PushJobName>(
    PUSH_QUEUE,
    createPushProcessor(deps),
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      settings: { backoffStrategy: pushBackoffStrategy },
      lockDuration: 30_000,
    },
  );
  worker.on('error', (err) => deps.log.error({ err }, `push worker error: ${err.message}`));
  worker.on('failed', (job, err) =>
    deps.log.debug(
      { job: job?.id, err: err.message },
      `push job ${job?.id} failed: ${err.message}`,
    ),
  );
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
