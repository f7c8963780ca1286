// Our WebSub hub (W3C WebSub 2018, section 5): subscription requests, verification of intent,
// and content distribution of our own section feeds and digests. Subscriptions live in Redis
// (store/push.ts); distribution runs as BullMQ jobs (queues.ts, workers/push.worker.ts).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import type { HubSubscription } from '../store/push.ts';
import type { Logger } from '../runtime/logger.ts';
import type { PushHttp } from './http.ts';
import { localPath, selfFromLink, topicSection } from './topics.ts';

export const MIN_LEASE_S = 3600;
export const MAX_LEASE_S = 2_592_000;
/** A subscriber that does not answer verification within this is not subscribed. */
export const VERIFY_TIMEOUT_MS = 10_000;
export const DELIVER_TIMEOUT_MS = 10_000;
/** `hub.secret` must be shorter than this many bytes (WebSub 5.1). */
export const MAX_SECRET_BYTES = 200;
/** Verifications in flight at once per server; more → 503 (they hold a socket for up to 10 s). */
export const MAX_PENDING_VERIFICATIONS = 500;

/** One of our URLs rendered the way the server serves it (status, type, body, Link header). */
export interface RenderedTopic {
  status: number;
  contentType: string;
  body: Buffer;
  link: string | null;
}
export type RenderTopic = (path: string) => Promise<RenderedTopic>;

export interface HubDeps {
  config: Config;
  store: Store;
  http: PushHttp;
  log: Logger;
  now(): Date;
  render: RenderTopic;
}

export interface HubRequest {
  mode: 'subscribe' | 'unsubscribe';
  topic: string;
  callback: string;
  secret: string | null;
  /** As asked for; null = not given. */
  leaseSeconds: number | null;
}

/** What POST /websub answers: 202 (verification follows), or a 4xx/503 with a reason. */
export type HubAnswer =
  | { status: 202; verify: () => Promise<void> }
  | { status: 400 | 503; reason: string; retryAfter?: number };

export const subscriptionId = (topic: string, callback: string) =>
  createHash('sha256').update(`${topic}\n${callback}`).digest('hex').slice(0, 32);

export function clampLease(asked: number | null, dflt: number): number {
  return Math.min(MAX_LEASE_S, Math.max(MIN_LEASE_S, asked ?? dflt));
}

/** Reads the form (unknown parameters ignored); a string is the reason it is refused. */
export function parseHubForm(form: Record<string, string | undefined>): HubRequest | string {
  const mode = form['hub.mode'];
  if (mode !== 'subscribe' && mode !== 'unsubscribe')
    return `hub.mode must be subscribe or unsubscribe${mode ? `, not "${mode}"` : ''}`;
  const topic = form['hub.topic'];
  if (!topic) return 'hub.topic is missing';
  const callback = form['hub.callback'];
  if (!callback) return 'hub.callback is missing';
  const secret = form['hub.secret'] || null;
  if (secret !== null && Buffer.byteLength(secret) >= MAX_SECRET_BYTES)
    return `hub.secret must be shorter than ${MAX_SECRET_BYTES} bytes`;
  const lease = form['hub.lease_seconds'];
  let leaseSeconds: number | null = null;
  if (lease !== undefined && lease !== '') {
    if (!/^\d{1,10}$/.test(lease)) return 'hub.lease_seconds must be a whole number of seconds';
    leaseSeconds = Number(lease);
  }
  return { mode, topic, callback, secret, leaseSeconds };
}

function withParams(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
  return u.href;
}

export function createHub(deps: HubDeps) {
  const { config, store, http, log } = deps;
  let verifying = 0;

  /** Our topic's section when `topic` is exactly a self URL we advertise, else why not. */
  async function checkTopic(topic: string): Promise<{ sectionId: string } | { reason: string }> {
    const sectionId = topicSection(config, topic);
    if (!sectionId) return { reason: `${topic} is not a feed of this hub` };
    const r = await deps.render(localPath(topic));
    if (r.status !== 200) return { reason: `${topic} answers HTTP ${r.status}` };
    const self = selfFromLink(r.link);
    if (self !== topic) return { reason: `not a topic URL: the feed names itself ${self}` };
    return { sectionId };
  }

  async function verifyIntent(req: HubRequest): Promise<void> {
    const checked = req.mode === 'subscribe' ? await checkTopic(req.topic) : null;
    if (checked && 'reason' in checked) {
      // Denial (WebSub 5.2): tell the subscriber; nothing is stored.
      await http
        .get(
          withParams(req.callback, {
            'hub.mode': 'denied',
            'hub.topic': req.topic,
            'hub.reason': checked.reason,
          }),
          VERIFY_TIMEOUT_MS,
        )
        .catch(() => undefined);
      log.info({ topic: req.topic, callback: req.callback }, `websub: denied: ${checked.reason}`);
      return;
    }
    const lease = clampLease(req.leaseSeconds, config.push.leaseSeconds);
    const challenge = randomBytes(24).toString('base64url');
    const params: Record<string, string> = {
      'hub.mode': req.mode,
      'hub.topic': req.topic,
      'hub.challenge': challenge,
    };
    if (req.mode === 'subscribe') params['hub.lease_seconds'] = String(lease);
    let why: string | null = null;
    try {
      const r = await http.get(withParams(req.callback, params), VERIFY_TIMEOUT_MS);
      if (r.status < 200 || r.status > 299) why = `callback answered HTTP ${r.status}`;
      else if (r.body.trim() !== challenge) why = 'callback did not echo hub.challenge';
    } catch (e) {
      why = (e as Error).message;
    }
    const id = subscriptionId(req.topic, req.callback);
    if (why) {
      log.info(
        { topic: req.topic, callback: req.callback },
        `websub: ${req.mode} not verified: ${why}`,
      );
      return;
    }
    if (req.mode === 'unsubscribe') {
      const cur = await store.push.hub.get(id);
      if (cur) await store.push.hub.remove(id, cur.sectionId);
      log.info({ topic: req.topic, callback: req.callback }, 'websub: unsubscribed');
      return;
    }
    const nowMs = deps.now().getTime();
    const prev = await store.push.hub.get(id);
    const sub: HubSubscription = {
      id,
      topic: req.topic,
      callback: req.callback,
      sectionId: (checked as { sectionId: string }).sectionId,
      secret: req.secret,
      leaseSeconds: lease,
      leaseEnds: nowMs + lease * 1000,
      createdAt: prev?.createdAt ?? nowMs,
    };
    // A new secret gets the next change even if the document is unchanged.
    if (prev && prev.secret !== req.secret) await store.push.hub.setLastSent(id, null);
    if (!(await store.push.hub.put(sub, config.push.maxSubscriptions))) {
      log.warn(
        `websub: ${config.push.maxSubscriptions} subscriptions reached; ${req.callback} not stored`,
      );
      return;
    }
    log.info(
      { topic: req.topic, callback: req.callback, lease },
      prev ? 'websub: subscription renewed' : 'websub: subscribed',
    );
  }

  return {
    /** Handles one POST /websub form. */
    async request(form: Record<string, string | undefined>): Promise<HubAnswer> {
      const req = parseHubForm(form);
      if (typeof req === 'string') return { status: 400, reason: req };
      const refused = await http.refuse(req.callback);
      if (refused) return { status: 400, reason: refused };
      if (req.mode === 'subscribe') {
        const id = subscriptionId(req.topic, req.callback);
        const isFull = async () =>
          (await store.push.hub.count()) >= config.push.maxSubscriptions &&
          !(await store.push.hub.get(id));
        let full = await isFull();
        if (full) {
          // Expired leases count until dropped: drop them before refusing.
          await store.push.hub.dropExpired(deps.now().getTime());
          full = await isFull();
        }
        if (full)
          return {
            status: 503,
            reason: `this hub holds its maximum of ${config.push.maxSubscriptions} subscriptions`,
            retryAfter: 3600,
          };
      }
      if (verifying >= MAX_PENDING_VERIFICATIONS)
        return { status: 503, reason: 'too many verifications in progress', retryAfter: 60 };
      return {
        status: 202,
        verify: async () => {
          verifying++;
          try {
            await verifyIntent(req);
          } catch (e) {
            log.warn({ err: e }, `websub: verification failed: ${(e as Error).message}`);
          } finally {
            verifying--;
          }
        },
      };
    },

    /** Content distribution of one subscription's topic: 'sent', 'unchanged', 'gone' or throws. */
    async deliver(subscriptionIdValue: string): Promise<'sent' | 'unchanged' | 'gone'> {
      const nowMs = deps.now().getTime();
      const sub = await store.push.hub.get(subscriptionIdValue);
      if (!sub) return 'gone';
      if (sub.leaseEnds <= nowMs) {
        await store.push.hub.remove(sub.id, sub.sectionId);
        return 'gone';
      }
      const doc = await deps.render(localPath(sub.topic));
      if (doc.status !== 200) {
        // The topic is no longer served (section removed from the config): end the subscription.
        if (doc.status === 404) await store.push.hub.remove(sub.id, sub.sectionId);
        throw new Error(`topic ${sub.topic} answers HTTP ${doc.status}`);
      }
      const hash = createHash('sha256').update(doc.body).digest('hex');
      if ((await store.push.hub.lastSent(sub.id)) === hash) return 'unchanged';
      const headers: Record<string, string> = { 'content-type': doc.contentType };
      if (doc.link) headers.link = doc.link;
      if (sub.secret)
        headers['x-hub-signature'] =
          `sha256=${createHmac('sha256', sub.secret).update(doc.body).digest('hex')}`;
      const r = await http.post(sub.callback, headers, doc.body, DELIVER_TIMEOUT_MS);
      if (r.status === 410) {
        await store.push.hub.remove(sub.id, sub.sectionId);
        log.info({ callback: sub.callback }, 'websub: subscriber answered 410 Gone: unsubscribed');
        return 'gone';
      }
      if (r.status < 200 || r.status > 299)
        throw new Error(`subscriber ${new URL(sub.callback).origin} answered HTTP ${r.status}`);
      await store.push.hub.setLastSent(sub.id, hash);
      return 'sent';
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
