// A form POST through the fetcher's SSRF guard (the DNS lookup hands out only allowed addresses,
// literal IPs are checked here), for WebSub subscription requests to sources' hubs
// (push/subscriber/hub-client.ts). No redirects followed: the caller decides (307/308 only).
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { isBlockedAddress } from './ip-policy.ts';
import { guardedLookup } from './guarded-lookup.ts';

export interface FormPostAnswer {
  status: number;
  location: string | null;
  /** The first 2 KB of the answer's body (for the error message). */
  text: string;
}

export function createFormPoster(opts: {
  timeoutMs: number;
  allowPrivateNetworks: boolean;
  userAgent: string;
}) {
  const allow = opts.allowPrivateNetworks ? () => true : (ip: string) => !isBlockedAddress(ip);
  const agent = new Agent({
    connect: { timeout: opts.timeoutMs, lookup: guardedLookup(allow) },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });
  return {
    /** Throws with a readable message on a refused address, a network error or the timeout. */
    async post(url: URL, form: string, signal: AbortSignal): Promise<FormPostAnswer> {
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new Error(`${url.href} is not an http(s) URL`);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && !allow(host))
        throw new Error(`refusing to connect to ${host}: not a public address`);
      try {
        const res = await request(url, {
          dispatcher: agent,
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'user-agent': opts.userAgent,
          },
          body: form,
          signal,
        });
        const text = (await res.body.text().catch(() => '')).slice(0, 2048);
        const loc = res.headers.location;
        return {
          status: res.statusCode,
          location: (Array.isArray(loc) ? loc[0] : loc) ?? null,
          text,
        };
      } catch (e) {
        const err = e as { message?: string; cause?: { message?: string } };
        throw new Error(err.cause?.message ?? err.message ?? String(e), { cause: e });
      }
    },
    close: () => agent.close(),
  };
}
