// Signed session cookies for browser pages under /admin (the queue dashboard now, the desk later).
// The cookie never holds ADMIN_TOKEN: it holds an expiry and an HMAC-SHA256 over it, keyed by a
// key derived from ADMIN_TOKEN, so changing the token ends every session. HttpOnly, SameSite=Strict,
// Secure when the site is served over https.
import { createHmac, timingSafeEqual, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'tributary_session';
/** How long a login lasts. */
export const SESSION_TTL_MS = 12 * 3600_000;

export interface SessionOptions {
  /** ADMIN_TOKEN; the signing key is derived from it, never the token itself. */
  secret: string;
  /** Mark the cookie Secure (site served over https). */
  secure: boolean;
  /** The cookie's path (default /admin). */
  path?: string;
  ttlMs?: number;
  now?: () => number;
}

export interface Session {
  /** Who logged in ("admin" for the token login). */
  sub: string;
  /** Expiry, ms since the epoch. */
  exp: number;
  /** Random id of this login: the desk keeps the ids of live sessions in Redis (revocation). */
  sid: string;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function createSessions(opts: SessionOptions) {
  const key = createHmac('sha256', 'tributary-session-v1').update(opts.secret).digest();
  const ttl = opts.ttlMs ?? SESSION_TTL_MS;
  const now = opts.now ?? Date.now;
  const path = opts.path ?? '/admin';
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest();

  /** A cookie value for this session: base64url(JSON) "." base64url(HMAC). */
  function encode(s: Session): string {
    const payload = b64(JSON.stringify(s));
    return `${payload}.${b64(sign(payload))}`;
  }

  /** The session in a cookie value, or null when it is malformed, forged or expired. */
  function decode(value: string | undefined | null): Session | null {
    if (!value) return null;
    const dot = value.indexOf('.');
    if (dot <= 0) return null;
    const payload = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = sign(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const s = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Session;
      if (typeof s.exp !== 'number' || typeof s.sub !== 'string' || s.exp <= now()) return null;
      return { sub: s.sub, exp: s.exp, sid: typeof s.sid === 'string' ? s.sid : '' };
    } catch {
      return null;
    }
  }

  return {
    encode,
    decode,
    /** Starts a session: sets the cookie on the response. */
    start(c: Context, sub = 'admin'): Session {
      const s = { sub, exp: now() + ttl, sid: randomBytes(16).toString('base64url') };
      setCookie(c, SESSION_COOKIE, encode(s), {
        httpOnly: true,
        sameSite: 'Strict',
        secure: opts.secure,
        path,
        maxAge: Math.floor(ttl / 1000),
      });
      return s;
    },
    /** The request's valid session, or null. */
    read(c: Context): Session | null {
      return decode(getCookie(c, SESSION_COOKIE));
    },
    end(c: Context): void {
      deleteCookie(c, SESSION_COOKIE, { path, secure: opts.secure });
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
