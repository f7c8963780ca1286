// Tributary's HTTP client for feeds (undici). Conditional GET, our own decompression under a
// size cap, one total timeout over every hop and the body, manual redirects, and an SSRF guard
// on the address actually connected to. The parser never sees the network: it gets `body`.
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import type { FetchRequest, FetchResult, FetchConfig } from '../../domain/types.ts';
import { FeedError, isFeedError } from '../../domain/errors.ts';
import { isBlockedAddress } from './ip-policy.ts';
import { BlockedAddressError, guardedLookup } from './guarded-lookup.ts';
import { contentCodings, readBody, tooLarge } from './read-body.ts';
import { header, parseMaxAge, parseRetryAfter, statusError } from './http-headers.ts';
import type { HeaderValue } from './http-headers.ts';
import { decodeFeedBytes } from './feed-bytes.ts';
import { webSubLinks } from './link-header.ts';

export interface FetcherOptions {
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  allowPrivateNetworks: boolean;
  maxRedirects: number;
  /** test seam: decides whether a resolved IP may be connected to; default = !isBlockedAddress(ip) unless allowPrivateNetworks */
  addressPolicy?: (ip: string) => boolean;
}

export interface Fetcher {
  fetch(req: FetchRequest, opts?: { signal?: AbortSignal; accept?: Accept }): Promise<FetchResult>;
  close(): Promise<void>;
}

export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8';

/** Linked web pages (full text). */
export const PAGE_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';
/** What the request asks for: a feed, a web page, anything. */
export type Accept = 'feed' | 'page' | 'any';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const PERMANENT_REDIRECTS = new Set([301, 308]);

function classify(e: unknown, url: string): FeedError {
  if (isFeedError(e)) return e;
  if (e instanceof BlockedAddressError)
    return new FeedError('blocked-address', e.message, { cause: e });
  const err = e as { code?: string; message?: string; cause?: unknown };
  if (err?.cause instanceof BlockedAddressError) return classify(err.cause, url);
  const code = err?.code ?? '';
  const message = err?.message ?? String(e);
  if (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    return new FeedError('timeout', `timed out fetching ${url}: ${message}`, { cause: e });
  }
  // Node's own messages already name the code ("getaddrinfo ENOTFOUND host", "connect
  // ECONNREFUSED …"); prefix it only when the message does not.
  const prefix = code && !message.includes(code) ? `${code} ` : '';
  return new FeedError('network', `cannot fetch ${url}: ${prefix}${message}`, { cause: e });
}

/** The fetcher the `fetch:` config describes (workers, preview, the catalog's feed check). */
export function fetcherFor(fetch: FetchConfig): Fetcher {
  return createFetcher({
    timeoutMs: fetch.timeout,
    maxBytes: fetch.maxBytes,
    userAgent: fetch.userAgent,
    allowPrivateNetworks: fetch.allowPrivateNetworks,
    maxRedirects: fetch.maxRedirects,
  });
}

export function createFetcher(opts: FetcherOptions): Fetcher {
  const allow =
    opts.addressPolicy ??
    (opts.allowPrivateNetworks ? () => true : (ip: string) => !isBlockedAddress(ip));
  const agent = new Agent({
    connect: { timeout: opts.timeoutMs, lookup: guardedLookup(allow) },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connections: 64,
  });

  /** Refuses URLs we never fetch: non-http(s), and literal IPs the policy refuses (lookup is skipped for those). */
  function checkTarget(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new FeedError(
        'http',
        `refusing to fetch ${url.protocol} URL ${url.href}: only http and https`,
        { permanent: true },
      );
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !allow(host)) {
      throw new FeedError(
        'blocked-address',
        `refusing to connect to ${host}: not a public address`,
      );
    }
  }

  async function fetchOnce(
    req: FetchRequest,
    signal: AbortSignal,
    accept: Accept,
  ): Promise<FetchResult> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new FeedError('http', `invalid URL: ${req.url}`, { permanent: true });
    }
    const base: Record<string, string> = {
      'user-agent': opts.userAgent,
      accept: accept === 'feed' ? FEED_ACCEPT : accept === 'page' ? PAGE_ACCEPT : '*/*',
      'accept-encoding': 'gzip, deflate, br',
    };
    if (req.etag) base['if-none-match'] = req.etag;
    if (req.lastModified) base['if-modified-since'] = req.lastModified;
    // A source's own user agent, headers and credentials go to its origin only, on every hop:
    // a redirect to another host gets none of them (and never the Authorization header).
    const own: Record<string, string> = { ...base };
    for (const [k, v] of Object.entries(req.headers ?? {})) own[k.toLowerCase()] = v;
    if (req.userAgent) own['user-agent'] = req.userAgent;
    if (req.authorization) own.authorization = req.authorization;
    const headersFor = (u: URL) =>
      req.credentialsOrigin && u.origin === req.credentialsOrigin ? own : base;

    const visited = new Set<string>();
    let allPermanent = true;
    let redirects = 0;
    for (;;) {
      checkTarget(url);
      visited.add(url.href);
      const res = await request(url, {
        dispatcher: agent,
        method: 'GET',
        headers: headersFor(url),
        signal,
      });
      const h = res.headers as Record<string, HeaderValue>;
      const status = res.statusCode;

      if (REDIRECTS.has(status)) {
        await res.body.dump().catch(() => undefined);
        const location = header(h, 'location');
        if (!location)
          throw new FeedError('http', `HTTP ${status} without Location from ${url.href}`, {
            status,
          });
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new FeedError('http', `bad redirect Location "${location}" from ${url.href}`, {
            status,
            permanent: true,
          });
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new FeedError(
            'http',
            `redirect to a ${next.protocol} URL refused (${url.href} -> ${next.href})`,
            { status, permanent: true },
          );
        }
        if (visited.has(next.href)) {
          throw new FeedError('http', `redirect loop: ${url.href} -> ${next.href}`, {
            status,
            permanent: true,
          });
        }
        if (++redirects > opts.maxRedirects) {
          throw new FeedError('http', `more than ${opts.maxRedirects} redirects from ${req.url}`, {
            status,
            permanent: true,
          });
        }
        if (!PERMANENT_REDIRECTS.has(status)) allPermanent = false;
        url = next;
        continue;
      }

      const links = webSubLinks(h['link'], url.href);
      const common = {
        ...(links ? { links } : {}),
        requestedUrl: req.url,
        finalUrl: url.href,
        permanentUrl: redirects > 0 && allPermanent ? url.href : null,
        maxAge: parseMaxAge(header(h, 'cache-control')),
        fetchedAt: new Date().toISOString(),
      };
      if (status === 304) {
        await res.body.dump().catch(() => undefined);
        return {
          kind: 'not-modified',
          ...common,
          etag: header(h, 'etag') ?? req.etag ?? null,
          lastModified: header(h, 'last-modified') ?? req.lastModified ?? null,
        };
      }
      if (status < 200 || status >= 300) {
        await res.body.dump().catch(() => undefined);
        throw statusError(status, url.href, parseRetryAfter(header(h, 'retry-after'), Date.now()));
      }

      const length = Number(header(h, 'content-length') ?? NaN);
      if (Number.isFinite(length) && length > opts.maxBytes) {
        res.body.destroy();
        throw tooLarge(opts.maxBytes, `Content-Length ${length}`);
      }
      const bytes = await readBody(
        res.body,
        contentCodings(header(h, 'content-encoding')),
        opts.maxBytes,
        signal,
      );
      const contentType = header(h, 'content-type');
      const decoded = decodeFeedBytes(bytes, contentType, opts.maxBytes, req.charset ?? null);
      return {
        kind: 'ok',
        ...common,
        status,
        etag: header(h, 'etag'),
        lastModified: header(h, 'last-modified'),
        contentType,
        charset: decoded.charset,
        body: decoded.text,
        bytes: decoded.bytes,
        ...(decoded.repairs.length ? { repairs: decoded.repairs } : {}),
      };
    }
  }

  return {
    async fetch(req, fetchOpts = {}) {
      const timeout = new AbortController();
      const timer = setTimeout(
        () =>
          timeout.abort(
            new FeedError(
              'timeout',
              `no complete response from ${req.url} within ${opts.timeoutMs} ms`,
            ),
          ),
        opts.timeoutMs,
      );
      const user = fetchOpts.signal;
      const signal = user ? AbortSignal.any([timeout.signal, user]) : timeout.signal;
      try {
        return await fetchOnce(req, signal, fetchOpts.accept ?? 'feed');
      } catch (e) {
        if (user?.aborted) throw user.reason;
        if (timeout.signal.aborted) throw timeout.signal.reason as FeedError;
        throw classify(e, req.url);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await agent.close();
    },
  };
}
