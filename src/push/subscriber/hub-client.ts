// Subscription requests to a source's hub (W3C WebSub §5.1): a form POST through the same SSRF
// guard as feed fetches (only public addresses unless fetch.allowPrivateNetworks), one total
// timeout, and HTTP 307/308 redirects followed with the same POST (the spec's hub redirects).
import type { FetchConfig } from '../../domain/types.ts';
import { createFormPoster } from '../../pipeline/fetch/form-post.ts';

export interface HubRequest {
  mode: 'subscribe' | 'unsubscribe';
  topic: string;
  callback: string;
  secret?: string;
  leaseSeconds?: number;
}

export interface HubAnswer {
  /** 2xx: the hub accepted the request (verification of intent follows). */
  ok: boolean;
  status: number | null;
  /** The hub URL that answered (differs after a 307/308). */
  hub: string;
  /** Every redirect on the way was a 308: the hub moved for good. */
  moved: boolean;
  /** Why it failed, for the source's push state. */
  error: string | null;
}

export type HubClient = ReturnType<typeof createHubClient>;

export function createHubClient(
  fetch: Pick<FetchConfig, 'timeout' | 'allowPrivateNetworks' | 'maxRedirects' | 'userAgent'>,
) {
  const poster = createFormPoster({
    timeoutMs: fetch.timeout,
    allowPrivateNetworks: fetch.allowPrivateNetworks,
    userAgent: fetch.userAgent,
  });

  async function send(hubUrl: string, req: HubRequest): Promise<HubAnswer> {
    const form = new URLSearchParams({
      'hub.mode': req.mode,
      'hub.topic': req.topic,
      'hub.callback': req.callback,
    });
    if (req.secret) form.set('hub.secret', req.secret);
    if (req.leaseSeconds) form.set('hub.lease_seconds', String(req.leaseSeconds));
    let url: URL;
    try {
      url = new URL(hubUrl);
    } catch {
      return fail(hubUrl, null, false, `invalid hub URL ${hubUrl}`);
    }
    let allPermanent = true;
    const signal = AbortSignal.timeout(fetch.timeout);
    for (let hops = 0; ; hops++) {
      let res;
      try {
        res = await poster.post(url, form.toString(), signal);
      } catch (e) {
        return fail(url.href, null, false, (e as Error).message);
      }
      const { status } = res;
      if (status === 307 || status === 308) {
        if (!res.location) return fail(url.href, status, false, `HTTP ${status} without Location`);
        if (hops >= fetch.maxRedirects)
          return fail(url.href, status, false, `more than ${fetch.maxRedirects} redirects`);
        if (status === 307) allPermanent = false;
        try {
          url = new URL(res.location, url);
        } catch {
          return fail(url.href, status, false, `bad Location "${res.location}"`);
        }
        continue;
      }
      const moved = hops > 0 && allPermanent;
      if (status >= 200 && status < 300)
        return { ok: true, status, hub: url.href, moved, error: null };
      const detail = res.text.trim().slice(0, 200);
      return fail(
        url.href,
        status,
        moved,
        `hub answered HTTP ${status}${detail ? `: ${detail}` : ''}`,
      );
    }
  }

  return { send, close: () => poster.close() };
}

const fail = (hub: string, status: number | null, moved: boolean, error: string): HubAnswer => ({
  ok: false,
  status,
  hub,
  moved,
  error,
});
