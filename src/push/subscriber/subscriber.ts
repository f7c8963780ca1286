// The WebSub subscriber for our sources (issue 12, point 2; W3C WebSub §5–§8). A poll that finds
// a hub advertised subscribes the source with an unguessable callback under
// {baseUrl}/websub/callback/ and a secret of its own; the callback echoes only the verification
// of a request we sent (mode + topic), renews at ~85 % of the granted lease, and hands verified
// pushed bodies to the same pipeline as a poll (runtime/start.ts queues them for the worker
// role, which runs pipeline/ingest.ts ingestPushed). While the
// subscription is active the schedule polls the source at fetch.maxInterval, as a safety net.
import { randomBytes } from 'node:crypto';
import type {
  Config,
  FetchResult,
  IngestReport,
  RawFeed,
  SourceConfig,
} from '../../domain/types.ts';
import type { Store } from '../../store/index.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { PushedBody, PushHooks } from '../../pipeline/ingest.ts';
import { discoverHub } from './discover.ts';
import { createHubClient } from './hub-client.ts';
import { signatureVerifier } from './signature.ts';
import { subscriptionState } from './state.ts';
import type { PushState, Subscription } from './state.ts';

/** Share of the granted lease after which we renew. */
export const RENEW_AT = 0.85;

export interface SubscriberDeps {
  config: Pick<Config, 'site' | 'fetch' | 'push'>;
  store: Store;
  log: Logger;
  now(): Date;
  /** Where pushes are counted (the shared poll-counter hash, so every server's /metrics shows them). */
  counters?: { incr(fields: Record<string, number>): Promise<void> };
  /** The source by id (config or runtime), or null. */
  findSource?(sourceId: string): Promise<SourceConfig | null>;
  /**
   * Hands a verified pushed body to the pipeline (absent: the process cannot ingest, pushes get
   * 503): its report once ingested, or null when it is queued and not ingested yet (202).
   */
  ingest?(source: SourceConfig, body: PushedBody): Promise<IngestReport | null>;
}

/** `/api/sources` `push` of one source. */
export interface PushView {
  hub: string;
  state: PushState;
  leaseEnds: string | null;
}

export type Subscriber = ReturnType<typeof createSubscriber>;

function pushView(s: Subscription | null): PushView | null {
  if (!s) return null;
  return {
    hub: s.hub,
    state: s.state,
    leaseEnds: s.leaseEnds === null ? null : new Date(s.leaseEnds).toISOString(),
  };
}

export function createSubscriber(deps: SubscriberDeps) {
  const subs = subscriptionState(deps.store);
  const hubClient = createHubClient(deps.config.fetch);
  const nowMs = () => deps.now().getTime();
  /** A request the hub never verified (or a denial/failure) is tried again after this long. */
  const retryMs = deps.config.fetch.maxInterval;
  const callbackUrl = (token: string) =>
    `${deps.config.site.baseUrl.replace(/\/+$/, '')}/websub/callback/${token}`;
  const wanted = (source: SourceConfig) =>
    deps.config.push.subscribe && source.push !== false && source.enabled;
  // A worker-only process without site.baseUrl has no callback to give: it neither subscribes
  // nor unsubscribes (a process that serves, or one with baseUrl set, does).
  const canAct = deps.config.site.baseUrl !== '';
  const count = (fields: Record<string, number>) =>
    deps.counters?.incr(fields).catch((err: Error) => deps.log.warn({ err }, err.message));
  /** The subscription ended: poll as usual again, from now. */
  const resumePolling = (sourceId: string) =>
    deps.store.sources.patchState(sourceId, { nextPoll: deps.now().toISOString() });

  async function request(
    source: SourceConfig,
    target: { hub: string; advertisedHub: string; topic: string },
    prev: Subscription | null,
  ): Promise<void> {
    const renewing = prev?.state === 'subscribed' && prev.topic === target.topic;
    const sub: Subscription = {
      sourceId: source.id,
      ...target,
      state: renewing ? 'subscribed' : 'pending',
      // A renewal keeps its callback and secret: pushes signed meanwhile still verify.
      token: renewing ? prev.token : randomBytes(24).toString('base64url'),
      secret: renewing ? prev.secret : randomBytes(32).toString('hex'),
      pending: 'subscribe',
      requestedAt: nowMs(),
      leaseEnds: renewing ? prev.leaseEnds : null,
      renewAt: renewing ? prev.renewAt : null,
      lastError: null,
    };
    if (prev && prev.token !== sub.token) await subs.remove(prev);
    // Stored before the POST: a hub may verify before it even answers.
    await subs.put(sub);
    const answer = await hubClient.send(sub.hub, {
      mode: 'subscribe',
      topic: sub.topic,
      callback: callbackUrl(sub.token),
      secret: sub.secret,
      leaseSeconds: deps.config.push.leaseSeconds,
    });
    if (answer.ok) {
      if (answer.moved) await subs.patch(source.id, { hub: answer.hub });
      deps.log.info(
        { source: source.id, hub: answer.hub, topic: sub.topic },
        `websub: asked ${answer.hub} to push ${sub.topic}`,
      );
      return;
    }
    const now = await subs.get(source.id);
    if (now?.pending === 'subscribe' && now.requestedAt === sub.requestedAt) {
      // A failed renewal leaves the running lease; a failed first request is `failed`.
      await subs.patch(source.id, {
        pending: null,
        state: now.state === 'subscribed' ? 'subscribed' : 'failed',
        lastError: answer.error,
      });
    }
    deps.log.warn(
      { source: source.id, hub: answer.hub, err: answer.error },
      `websub: subscribing ${source.id} at ${answer.hub} failed: ${answer.error}`,
    );
  }

  async function unsubscribe(sub: Subscription): Promise<void> {
    await subs.patch(sub.sourceId, { pending: 'unsubscribe' });
    const answer = await hubClient.send(sub.hub, {
      mode: 'unsubscribe',
      topic: sub.topic,
      callback: callbackUrl(sub.token),
    });
    if (!answer.ok) {
      // The hub will not verify: forget the subscription on our side (pushes then get 410).
      await subs.remove(sub);
      await resumePolling(sub.sourceId);
    }
  }

  const locked = (sourceId: string, fn: () => Promise<void>) =>
    deps.store.locks.withLease(`websub:${sourceId}`, deps.config.fetch.timeout + 5_000, fn);

  const hooks: PushHooks = {
    async isActive(sourceId) {
      const s = await subs.get(sourceId);
      return s?.state === 'subscribed' && s.leaseEnds !== null && s.leaseEnds > nowMs();
    },
    async discovered(source: SourceConfig, fetched: FetchResult, feed: RawFeed | null) {
      if (!canAct) return;
      const found = discoverHub(fetched, feed);
      try {
        await locked(source.id, async () => {
          const prev = await subs.get(source.id);
          if (!wanted(source)) {
            if (prev && prev.pending !== 'unsubscribe' && prev.state === 'subscribed')
              await unsubscribe(prev);
            return;
          }
          // No hub in this response (a 304 often has no Link header): keep what we have.
          if (!found) return;
          const target = { hub: found.hub, advertisedHub: found.hub, topic: found.topic };
          if (!prev || prev.advertisedHub !== found.hub || prev.topic !== found.topic)
            return request(source, target, null);
          const sinceRequest = nowMs() - prev.requestedAt;
          if (prev.state === 'expired') return request(source, { ...target, hub: prev.hub }, prev);
          if (prev.state !== 'subscribed') {
            // Pending never verified, denied or failed: ask again now and then (state stays).
            if (sinceRequest >= retryMs) return request(source, { ...target, hub: prev.hub }, prev);
            return;
          }
          await renewIfDue(source, prev);
        });
      } catch (err) {
        deps.log.warn({ err, source: source.id }, `websub: ${(err as Error).message}`);
      }
    },
  };

  async function renewIfDue(source: SourceConfig, sub: Subscription) {
    if (sub.state !== 'subscribed' || sub.renewAt === null || nowMs() < sub.renewAt) return;
    // One renewal in flight at a time (a hub that never verifies it is asked again later).
    if (sub.pending === 'subscribe' && nowMs() - sub.requestedAt < retryMs / 4) return;
    await request(
      source,
      { hub: sub.hub, advertisedHub: sub.advertisedHub, topic: sub.topic },
      sub,
    );
  }

  return {
    ...hooks,

    /**
     * On every scheduler tick of a source (due or not): renew a lease at ~85 %, mark an
     * unrenewed lease expired (polling resumes), and unsubscribe a source that no longer wants push.
     */
    async maintain(source: SourceConfig): Promise<void> {
      if (!canAct) return;
      const sub = await subs.get(source.id);
      if (!sub) return;
      await locked(source.id, async () => {
        const s = await subs.get(source.id);
        if (!s) return;
        if (!wanted(source)) {
          if (s.pending !== 'unsubscribe' && (s.state === 'subscribed' || s.state === 'pending'))
            await unsubscribe(s);
          return;
        }
        if (s.state === 'subscribed' && s.leaseEnds !== null && s.leaseEnds <= nowMs()) {
          await subs.patch(source.id, { state: 'expired', pending: null });
          await resumePolling(source.id);
          return;
        }
        await renewIfDue(source, s);
      });
    },

    /** The hub's verification of intent (GET on our callback): the challenge, or 404. */
    async verify(token: string, q: Record<string, string | undefined>) {
      const sourceId = await subs.sourceOfToken(token);
      const sub = sourceId ? await subs.get(sourceId) : null;
      const mode = q['hub.mode'];
      if (!sub || !mode || q['hub.topic'] !== sub.topic) return { status: 404 as const, body: '' };
      if (mode === 'denied') {
        await subs.put({
          ...sub,
          state: 'denied',
          pending: null,
          leaseEnds: null,
          renewAt: null,
          lastError: `denied by the hub${q['hub.reason'] ? `: ${q['hub.reason']}` : ''}`,
        });
        await resumePolling(sub.sourceId);
        deps.log.warn({ source: sub.sourceId }, `websub: ${sub.hub} denied ${sub.topic}`);
        return { status: 200 as const, body: '' };
      }
      const challenge = q['hub.challenge'];
      if (mode !== sub.pending || !challenge) return { status: 404 as const, body: '' };
      if (mode === 'unsubscribe') {
        await subs.remove(sub);
        await resumePolling(sub.sourceId);
        return { status: 200 as const, body: challenge };
      }
      const asked = deps.config.push.leaseSeconds;
      const granted = Number(q['hub.lease_seconds']);
      const lease = Number.isFinite(granted) && granted > 0 ? granted : asked;
      const now = nowMs();
      await subs.put({
        ...sub,
        state: 'subscribed',
        pending: null,
        leaseEnds: now + lease * 1000,
        renewAt: now + Math.round(lease * 1000 * RENEW_AT),
        lastError: null,
      });
      deps.log.info(
        { source: sub.sourceId, lease },
        `websub: ${sub.hub} pushes ${sub.topic} for ${lease} s`,
      );
      return { status: 200 as const, body: challenge };
    },

    /**
     * Content distribution (POST on our callback). Unknown callback: 410 (the hub drops it).
     * The body is read once: the signature over all of it, at most fetch.maxBytes + 1 bytes
     * kept (a bigger one is the source's too-large error, as a poll's would be). Past 4 × the cap
     * reading stops (413, dropped unverified). Bad or missing signature: 2xx and dropped,
     * counted. Else the body is handed to the pipeline (`deps.ingest`): 200 with what it
     * stored, or 202 while it waits in the queue.
     */
    async receive(
      token: string,
      body: {
        chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | null;
        contentType: string | null;
        signature: string | null;
      },
    ): Promise<{ status: 200 | 202 | 410 | 413 | 503; outcome: string }> {
      const sourceId = await subs.sourceOfToken(token);
      const sub = sourceId ? await subs.get(sourceId) : null;
      if (!sub) return { status: 410, outcome: 'unknown callback' };
      const max = deps.config.fetch.maxBytes;
      const verifier = signatureVerifier(body.signature, sub.secret);
      const kept: Uint8Array[] = [];
      let keptBytes = 0;
      let total = 0;
      for await (const chunk of body.chunks ?? []) {
        total += chunk.length;
        if (total > 4 * max) {
          await count({ 'push\trejected\ttoo-large': 1 });
          return { status: 413, outcome: `body over ${4 * max} bytes: not read` };
        }
        verifier.update(chunk);
        if (keptBytes <= max) {
          const part = chunk.subarray(0, max + 1 - keptBytes);
          kept.push(part);
          keptBytes += part.length;
        }
      }
      const check = verifier.result();
      if (check !== 'ok') {
        await count({ [`push\trejected\t${check}-signature`]: 1 });
        deps.log.warn(
          { source: sub.sourceId },
          `websub: push for ${sub.sourceId} dropped: ${check} signature`,
        );
        return { status: 202, outcome: `${check} signature: ignored` };
      }
      if (!deps.ingest || !deps.findSource) return { status: 503, outcome: 'cannot ingest here' };
      const source = await deps.findSource(sub.sourceId);
      if (!source) {
        // The source was removed: forget its subscription; 410 tells the hub to stop.
        await subs.remove(sub);
        return { status: 410, outcome: 'the source is gone' };
      }
      if (!wanted(source)) {
        // Paused, or push turned off since: not ingested; the hub is asked to stop.
        if (sub.pending !== 'unsubscribe' && canAct)
          await locked(sub.sourceId, () => unsubscribe(sub));
        return { status: 202, outcome: 'the source does not take pushes now: ignored' };
      }
      await count({ 'push\treceived': 1 });
      const report = await deps.ingest(source, {
        bytes: Buffer.concat(kept),
        contentType: body.contentType,
        url: sub.topic,
      });
      if (!report) return { status: 202, outcome: 'queued for ingest' };
      return {
        status: 200,
        outcome: report.error
          ? `${report.error.kind}: ${report.error.message}`
          : `${report.inserted} new, ${report.updated} updated`,
      };
    },

    /** `/api/sources` `push`: null without a hub. */
    async view(sourceId: string): Promise<PushView | null> {
      return pushView(await subs.get(sourceId));
    },

    /** `view` of many sources in one round trip (the desk's sources table). */
    async views(sourceIds: readonly string[]): Promise<(PushView | null)[]> {
      return (await subs.getMany(sourceIds)).map(pushView);
    },

    close: () => hubClient.close(),
  };
}
