// Outgoing webhooks (issue 12): when a section changes, each hook that follows it gets one
// delivery of the items it has not had, as JSON Feed items, signed per Standard Webhooks (the
// `standardwebhooks` package). A delivery's id and items are fixed when it is made (store/push.ts
// claims items atomically, so no item is in two deliveries to one hook); retries resend it as is.
// Hooks come from the config file and from the admin API (catalog/webhooks.ts), read from Redis
// at each use, so one added or removed at runtime is followed by every process at once.
import { Webhook } from 'standardwebhooks';
import type { Config, PublishedItem, SectionConfig, WebhookConfig } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import type { WebhookDelivery } from '../store/push.ts';
import type { Logger } from '../runtime/logger.ts';
import { selectItems } from '../curate/select.ts';
import { renderFeed } from '../publish/feeds.ts';
import { allWebhooks, findWebhook } from '../catalog/webhooks.ts';
import type { PushHttp } from './http.ts';

export const WEBHOOK_TIMEOUT_MS = 15_000;
/** Items looked at per section change (the newest; a section shows at most 200). */
const SCAN = 200;

export interface WebhookDeps {
  config: Config;
  store: Store;
  http: PushHttp;
  log: Logger;
  now(): Date;
  priorityOf(sourceId: string): number;
  /** Queues one delivery job (queues.ts enqueueWebhookDelivery). */
  enqueue(hookId: string, deliveryId: string, jobId?: string): Promise<void>;
}

export interface WebhookStatus {
  id: string;
  origin: 'config' | 'runtime';
  url: string;
  sections: string[] | null;
  lastStatus: number | null;
  lastError: string | null;
  pending: number;
  failed: number;
}

export interface WebhookAdmin {
  list(): Promise<WebhookStatus[]>;
  /** Queues every failed delivery of the hook again (same webhook-id, same items); null: no hook. */
  resend(hookId: string): Promise<number | null>;
  /**
   * A hook added at runtime starts now: whatever it kept under this id before is dropped and the
   * items its sections show now are marked as had (it gets the items that arrive after).
   */
  begin(hook: WebhookConfig): Promise<void>;
  /** The hook now also follows these sections: their current items are marked as had. */
  follow(hook: WebhookConfig, sectionIds: string[]): Promise<void>;
  /** The hook is gone: its state, claims, pending and failed deliveries are dropped. */
  forget(hookId: string): Promise<void>;
}

export const webhookMessageId = (deliveryId: string) => `msg_${deliveryId}`;

function follows(hook: WebhookConfig, sectionId: string): boolean {
  return hook.sections === null || hook.sections.includes(sectionId);
}

export function createWebhooks(deps: WebhookDeps) {
  const { config, store, log } = deps;
  const sections = new Map<string, SectionConfig>(config.sections.map((s) => [s.id, s]));
  // Claims are kept a little longer than articles are.
  const keepMs = config.retention.maxAge + 86_400_000;

  async function current(section: SectionConfig): Promise<PublishedItem[]> {
    const sel = await selectItems(
      store,
      section,
      { limit: SCAN, tags: [], lang: null, q: null, before: null },
      deps.priorityOf,
      deps.now(),
    );
    return sel.items;
  }

  /** Marks the items the hook's sections (or `only` these of them) show now as had. */
  async function baseline(hook: WebhookConfig, only: string[] | null = null): Promise<void> {
    const nowMs = deps.now().getTime();
    for (const section of config.sections) {
      if (!follows(hook, section.id) || (only && !only.includes(section.id))) continue;
      const ids = (await current(section)).map((i) => i.id);
      if (ids.length)
        await store.push.webhooks.claim(hook.id, section.id, ids, {
          nowMs,
          keepMs,
          deliveryId: null,
        });
    }
  }

  /** A hook the service has not run with before starts from what arrives after now. */
  async function ensureStarted(hook: WebhookConfig): Promise<boolean> {
    if (await store.push.webhooks.state(hook.id)) return true;
    await baseline(hook);
    await store.push.webhooks.start(hook.id, deps.now().getTime());
    return false;
  }

  function body(section: SectionConfig, items: PublishedItem[]): string {
    const base = config.site.baseUrl;
    const feed = JSON.parse(
      renderFeed(
        'json',
        {
          id: section.id,
          title: section.title,
          description: section.description,
          lang: section.lang,
          site: config.site,
          selfUrl: `${base}/feeds/${section.id}.json`,
          htmlUrl: `${base}/#section-${section.id}`,
          nextUrl: null,
          updated: deps.now(),
          formatUrls: {
            rss: `${base}/feeds/${section.id}.rss`,
            atom: `${base}/feeds/${section.id}.atom`,
            json: `${base}/feeds/${section.id}.json`,
          },
        },
        items,
      ),
    ) as { items: unknown[] };
    return JSON.stringify({ section: section.id, items: feed.items });
  }

  return {
    /** Every hook not seen before starts now (called once at worker start). */
    async startAll(): Promise<void> {
      for (const hook of await allWebhooks(config, store)) await ensureStarted(hook);
    },

    /** A section changed: one delivery per hook that follows it and has new items. */
    async fanout(sectionId: string, version: number): Promise<number> {
      const section = sections.get(sectionId);
      if (!section) return 0;
      const followers = (await allWebhooks(config, store)).filter((h) => follows(h, sectionId));
      if (followers.length === 0) return 0;
      const items = await current(section);
      const byId = new Map(items.map((i) => [i.id, i]));
      let made = 0;
      for (const hook of followers) {
        if (!(await ensureStarted(hook))) continue;
        const deliveryId = `${hook.id}.${sectionId}.${version}`;
        const d = await store.push.webhooks.claim(
          hook.id,
          sectionId,
          items.map((i) => i.id),
          { nowMs: deps.now().getTime(), keepMs, deliveryId },
        );
        if (!d) continue;
        if (d.body === null) {
          // Oldest first, as a reader would read them.
          const fresh = d.itemIds.flatMap((id) => byId.get(id) ?? []).reverse();
          await store.push.webhooks.savePending(hook.id, { ...d, body: body(section, fresh) });
        }
        await deps.enqueue(hook.id, d.id);
        made++;
      }
      return made;
    },

    /** One attempt at one delivery; throws to be retried. `last`: no attempt follows. */
    async deliver(hookId: string, deliveryId: string, last: boolean): Promise<'sent' | 'gone'> {
      const d = await store.push.webhooks.pending(hookId, deliveryId);
      if (!d) return 'gone'; // delivered already (a duplicate job) or removed
      const hook = await findWebhook(config, store, hookId);
      if (!hook) {
        // Deleted (or gone from the config file): its deliveries are dropped, not retried, and
        // whatever a fan-out that raced the delete wrote for it (claims, pending, failed) too.
        await store.push.webhooks.forget(hookId);
        log.info(
          { webhook: hookId, delivery: d.id },
          `webhook ${hookId} is gone: delivery dropped`,
        );
        return 'gone';
      }
      const nowMs = deps.now().getTime();
      let error: string;
      let status: number | null = null;
      if (!hook.secret)
        error = `webhook ${hookId}: no valid secret in environment variable ${hook.secretEnv}`;
      else {
        const payload = d.body ?? JSON.stringify({ section: d.sectionId, items: [] });
        const msgId = webhookMessageId(d.id);
        const at = new Date(Math.floor(nowMs / 1000) * 1000);
        const headers = {
          'content-type': 'application/json',
          'webhook-id': msgId,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(hook.secret).sign(msgId, at, payload),
        };
        try {
          const r = await deps.http.post(hook.url, headers, payload, WEBHOOK_TIMEOUT_MS);
          status = r.status;
          if (r.status >= 200 && r.status <= 299) {
            await store.push.webhooks.delivered(hookId, d.id);
            await store.push.webhooks.record(hookId, r.status, null, nowMs);
            return 'sent';
          }
          error = `HTTP ${r.status}${r.body ? `: ${r.body.slice(0, 200)}` : ''}`;
        } catch (e) {
          error = (e as Error).message;
        }
      }
      await store.push.webhooks.record(hookId, status, error, nowMs);
      if (last) {
        await store.push.webhooks.fail(hookId, { ...d, lastError: error } as WebhookDelivery);
        log.warn(
          { webhook: hookId, delivery: d.id },
          `webhook ${hookId}: delivery failed: ${error}`,
        );
      }
      throw new Error(`webhook ${hookId}: ${error}`);
    },

    admin(): WebhookAdmin {
      return {
        async list() {
          return Promise.all(
            (await allWebhooks(config, store)).map(async (h) => {
              const st = await store.push.webhooks.state(h.id);
              const counts = await store.push.webhooks.counts(h.id);
              return {
                id: h.id,
                origin: h.origin ?? 'config',
                url: h.url,
                sections: h.sections,
                lastStatus: st?.lastStatus ?? null,
                lastError: st?.lastError ?? null,
                ...counts,
              };
            }),
          );
        },
        async resend(hookId) {
          if (!(await findWebhook(config, store, hookId))) return null;
          const again = await store.push.webhooks.unfail(hookId);
          const stamp = deps.now().getTime();
          for (const d of again) await deps.enqueue(hookId, d.id, `whd.${d.id}.r${stamp}`);
          return again.length;
        },
        async begin(hook) {
          await store.push.webhooks.forget(hook.id);
          await baseline(hook);
          await store.push.webhooks.start(hook.id, deps.now().getTime());
        },
        follow: (hook, sectionIds) => baseline(hook, sectionIds),
        forget: (hookId) => store.push.webhooks.forget(hookId),
      };
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
