// Outgoing push requests (hub verification and distribution, webhooks): no redirects, one total
// timeout, a capped response body, and the fetcher's SSRF guard on the address actually
// connected to (pipeline/fetch/guarded-lookup.ts), unless fetch.allowPrivateNetworks. Plain
// node:http (undici belongs to pipeline/fetch), which takes the guarded lookup per request.
import { lookup as resolveHost } from 'node:dns/promises';
import { isIP } from 'node:net';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { isBlockedAddress } from '../pipeline/fetch/ip-policy.ts';
import { guardedLookup } from '../pipeline/fetch/guarded-lookup.ts';

/** Longest callback URL accepted (WebSub callbacks and webhook URLs). */
export const MAX_CALLBACK_BYTES = 2048;

export interface PushReply {
  status: number;
  body: string;
}

export interface PushHttp {
  /** Why this URL may not be called back, or null when it may (checked before storing it);
   *  `what` names it in the reason (default "callback"; "webhook url" for a webhook). */
  refuse(url: string, what?: string): Promise<string | null>;
  get(url: string, timeoutMs: number): Promise<PushReply>;
  post(
    url: string,
    headers: Record<string, string>,
    body: string | Buffer,
    timeoutMs: number,
  ): Promise<PushReply>;
  close(): Promise<void>;
}

/** Reads at most `max` bytes of a response body as text (the rest is discarded). */
async function readCapped(body: AsyncIterable<Buffer>, max: number): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    if (n < max) parts.push(chunk.subarray(0, max - n));
    n += chunk.length;
  }
  return Buffer.concat(parts).toString('utf8');
}

export function createPushHttp(opts: {
  allowPrivateNetworks: boolean;
  userAgent: string;
}): PushHttp {
  const allow = opts.allowPrivateNetworks ? () => true : (ip: string) => !isBlockedAddress(ip);
  const lookup = guardedLookup(allow);

  function send(
    method: 'GET' | 'POST',
    u: URL,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
    signal: AbortSignal,
  ): Promise<PushReply> {
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
      method,
      headers: {
        'user-agent': opts.userAgent,
        ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
        ...headers,
      },
      lookup,
      signal,
    });
    return new Promise<PushReply>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res: IncomingMessage) => {
        readCapped(res, 64 * 1024).then(
          (text) => resolve({ status: res.statusCode ?? 0, body: text }),
          reject,
        );
      });
      req.end(body);
    });
  }

  async function call(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
    timeoutMs: number,
  ): Promise<PushReply> {
    const u = new URL(url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !allow(host))
      throw new Error(`refusing to connect to ${host}: not a public address`);
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await send(method, u, headers, body, signal);
    } catch (e) {
      if (signal.aborted) throw new Error(`no answer from ${u.origin} within ${timeoutMs} ms`);
      const err = e as Error & { cause?: Error };
      throw new Error(`cannot reach ${u.origin}: ${err.cause?.message ?? err.message}`);
    }
  }

  return {
    async refuse(url, what = 'callback') {
      if (Buffer.byteLength(url) > MAX_CALLBACK_BYTES)
        return `${what} longer than ${MAX_CALLBACK_BYTES} bytes`;
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return `${what} is not an absolute URL`;
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        return `${what} must be http or https, not ${u.protocol.replace(/:$/, '')}`;
      if (u.username || u.password) return `${what} must not carry credentials`;
      if (opts.allowPrivateNetworks) return null;
      const host = u.hostname.replace(/^\[|\]$/g, '');
      let addresses: string[];
      if (isIP(host)) addresses = [host];
      else {
        try {
          addresses = (await resolveHost(host, { all: true })).map((a) => a.address);
        } catch (e) {
          return `${what} host ${host} does not resolve (${(e as { code?: string }).code ?? 'DNS error'})`;
        }
      }
      if (!addresses.some(allow))
        return `${what} host ${host} is not a public address (${addresses.join(', ')})`;
      return null;
    },
    get: (url, timeoutMs) => call('GET', url, {}, undefined, timeoutMs),
    post: (url, headers, body, timeoutMs) => call('POST', url, headers, body, timeoutMs),
    close: async () => undefined,
  };
}
