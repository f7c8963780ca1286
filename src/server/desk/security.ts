// The desk's guards: the signed session (../session.ts, Path=/desk), a CSRF token bound to that
// session, a per-client limit on failed logins, and the security headers of every desk response.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { SESSION_COOKIE } from '../session.ts';
import { setResponseHeader } from '../response-headers.ts';

/** The form field every desk POST carries. */
export const CSRF_FIELD = 'csrf';

/**
 * CSRF tokens: an HMAC of the session cookie's value under a key derived from ADMIN_TOKEN. A token
 * is valid only with the session it was made for, and a new login makes a new one.
 */
export function createCsrf(secret: string) {
  const key = createHmac('sha256', 'tributary-desk-csrf-v1').update(secret).digest();
  const tokenFor = (sessionValue: string) =>
    createHmac('sha256', key).update(sessionValue).digest('base64url');
  return {
    /** The token for the request's session cookie ('' without one). */
    token(c: Context): string {
      const v = getCookie(c, SESSION_COOKIE);
      return v ? tokenFor(v) : '';
    },
    valid(c: Context, given: unknown): boolean {
      const v = getCookie(c, SESSION_COOKIE);
      if (!v || typeof given !== 'string' || given === '') return false;
      const a = Buffer.from(tokenFor(v));
      const b = Buffer.from(given);
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}

/** The client's address (the socket peer); requests without a socket (tests) share one bucket. */
export function clientOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * At most `limit` failures per client in a sliding window. Memory is bounded: at most `maxClients`
 * clients are tracked (the oldest forgotten first).
 */
export function createFailureLimiter(opts: {
  limit: number;
  windowMs: number;
  now: () => number;
  maxClients?: number;
}) {
  const failures = new Map<string, number[]>();
  const maxClients = opts.maxClients ?? 10_000;
  const recent = (client: string) => {
    const since = opts.now() - opts.windowMs;
    const list = (failures.get(client) ?? []).filter((t) => t > since);
    if (list.length) failures.set(client, list);
    else failures.delete(client);
    return list;
  };
  return {
    blocked: (client: string) => recent(client).length >= opts.limit,
    fail(client: string) {
      const list = recent(client);
      list.push(opts.now());
      failures.delete(client);
      failures.set(client, list);
      while (failures.size > maxClients) failures.delete(failures.keys().next().value!);
    },
  };
}

/**
 * Same-origin everything, no inline script or style, no framing, forms post only to us. htmx is
 * configured (meta htmx-config) not to inject its indicator style, so `style-src 'self'` holds.
 */
export const DESK_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function deskHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    setResponseHeader(c, 'Content-Security-Policy', DESK_CSP);
    setResponseHeader(c, 'X-Content-Type-Options', 'nosniff');
    setResponseHeader(c, 'Referrer-Policy', 'no-referrer');
    setResponseHeader(c, 'X-Frame-Options', 'DENY');
    if (!c.res.headers.has('Cache-Control')) setResponseHeader(c, 'Cache-Control', 'no-store');
  };
}
