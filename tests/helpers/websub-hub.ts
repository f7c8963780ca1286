// A small WebSub hub on loopback for the subscriber's tests: it takes subscription requests,
// verifies intent by GET on the callback (as W3C WebSub §5.3 says), and POSTs content signed
// with the subscriber's secret. Per path, a behaviour: verify, deny, never verify, or redirect.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { sign } from '../../src/push/subscriber/signature.ts';

export type HubBehaviour =
  | { kind: 'verify'; leaseSeconds?: number }
  | { kind: 'deny'; reason: string }
  | { kind: 'silent' }
  | { kind: 'redirect'; status: 307 | 308; to: string };

export interface HubSubscription {
  topic: string;
  callback: string;
  secret: string | null;
  leaseSeconds: number | null;
}

export interface Verification {
  mode: string;
  topic: string;
  callback: string;
  status: number;
  /** The callback echoed the challenge exactly. */
  echoed: boolean;
}

export interface TestHub {
  url: string;
  behaviours: Map<string, HubBehaviour>;
  /** Every request to the hub: path and form. */
  requests: { path: string; form: URLSearchParams }[];
  verifications: Verification[];
  /** Verified subscriptions by topic. */
  subscriptions: Map<string, HubSubscription>;
  /** GET on a callback with these query parameters; the status and body. */
  verify(
    callback: string,
    params: Record<string, string>,
  ): Promise<{ status: number; body: string }>;
  /** Content distribution: POST `body` to the topic's subscriber, signed unless told otherwise. */
  publish(
    topic: string,
    body: string,
    opts?: { method?: string; signature?: string | null; contentType?: string },
  ): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** The service listens on 127.0.0.1; its baseUrl says localhost (which may resolve to ::1). */
const loopback = (u: string) => u.replace('//localhost:', '//127.0.0.1:');

export async function startTestHub(): Promise<TestHub> {
  const behaviours = new Map<string, HubBehaviour>();
  const requests: TestHub['requests'] = [];
  const verifications: Verification[] = [];
  const subscriptions = new Map<string, HubSubscription>();

  async function get(callback: string, params: Record<string, string>) {
    const u = new URL(loopback(callback));
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    const res = await fetch(u);
    return { status: res.status, body: await res.text() };
  }

  async function verifyIntent(form: URLSearchParams, behaviour: HubBehaviour) {
    const mode = form.get('hub.mode') ?? '';
    const topic = form.get('hub.topic') ?? '';
    const callback = form.get('hub.callback') ?? '';
    if (behaviour.kind === 'deny') {
      const r = await get(callback, {
        'hub.mode': 'denied',
        'hub.topic': topic,
        'hub.reason': behaviour.reason,
      });
      verifications.push({ mode: 'denied', topic, callback, status: r.status, echoed: false });
      return;
    }
    const challenge = randomBytes(12).toString('hex');
    const lease =
      behaviour.kind === 'verify' && behaviour.leaseSeconds
        ? behaviour.leaseSeconds
        : Number(form.get('hub.lease_seconds') ?? 3600);
    const r = await get(callback, {
      'hub.mode': mode,
      'hub.topic': topic,
      'hub.challenge': challenge,
      'hub.lease_seconds': String(lease),
    });
    const echoed = r.status >= 200 && r.status < 300 && r.body === challenge;
    verifications.push({ mode, topic, callback, status: r.status, echoed });
    if (!echoed) return;
    if (mode === 'subscribe')
      subscriptions.set(topic, {
        topic,
        callback,
        secret: form.get('hub.secret'),
        leaseSeconds: lease,
      });
    else if (mode === 'unsubscribe') subscriptions.delete(topic);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      requests.push({ path, form });
      const b = behaviours.get(path);
      if (!b || req.method !== 'POST') {
        res.writeHead(404).end('no hub here');
        return;
      }
      if (b.kind === 'redirect') {
        res.writeHead(b.status, { Location: b.to }).end();
        return;
      }
      res.writeHead(202).end();
      // Verification of intent after the 202, as hubs do.
      if (b.kind !== 'silent') setTimeout(() => void verifyIntent(form, b).catch(() => {}), 20);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    behaviours,
    requests,
    verifications,
    subscriptions,
    verify: get,
    async publish(topic, body, opts = {}) {
      const sub = subscriptions.get(topic);
      if (!sub) throw new Error(`no verified subscription to ${topic}`);
      const headers: Record<string, string> = {
        'content-type': opts.contentType ?? 'application/rss+xml; charset=utf-8',
        link: `<${url}/hub>; rel="hub", <${topic}>; rel="self"`,
      };
      const signature =
        opts.signature !== undefined
          ? opts.signature
          : sub.secret
            ? sign(opts.method ?? 'sha256', sub.secret, Buffer.from(body))
            : null;
      if (signature !== null) headers['x-hub-signature'] = signature;
      const res = await fetch(loopback(sub.callback), { method: 'POST', headers, body });
      return { status: res.status, body: await res.text() };
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
