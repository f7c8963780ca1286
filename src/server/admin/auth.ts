// Admin authentication: a bearer token compared in constant time. The API takes only
// `Authorization: Bearer <token>`; the queue dashboard (a browser page, which cannot send that
// header) also takes the `tributary_admin` cookie set by `GET /admin/login?token=…`.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { HttpError, errorResponse, notFound } from '../http-error.ts';

export const ADMIN_COOKIE = 'tributary_admin';

/** Constant-time comparison: both sides are hashed first, so lengths never leak either. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

function bearer(c: Context): string | null {
  const h = c.req.header('authorization');
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1]! : null;
}

export function unauthorized(c: Context, message: string): Response {
  const res = errorResponse(c, new HttpError(401, 'unauthorized', message));
  res.headers.set('WWW-Authenticate', 'Bearer realm="tributary-admin"');
  return res;
}

/** Every /admin route is a 404 while no token is configured. */
export function adminEnabled(token: string | null): MiddlewareHandler {
  return async (_c, next) => {
    if (!token) throw notFound('the admin API is disabled (ADMIN_TOKEN is not set)');
    await next();
  };
}

export function requireToken(token: string | null, opts: { cookie: boolean }): MiddlewareHandler {
  return async (c, next) => {
    if (!token) throw notFound('the admin API is disabled (ADMIN_TOKEN is not set)');
    const given = bearer(c) ?? (opts.cookie ? getCookie(c, ADMIN_COOKIE) : undefined);
    if (!given)
      return unauthorized(c, 'missing admin token: send Authorization: Bearer <ADMIN_TOKEN>');
    if (!tokenMatches(token, given)) return unauthorized(c, 'wrong admin token');
    await next();
  };
}

/** GET /admin/login?token=… : sets the dashboard cookie and sends the browser to /admin/queues. */
export function loginHandler(token: string | null, secure: boolean) {
  return (c: Context) => {
    if (!token) throw notFound('the admin API is disabled (ADMIN_TOKEN is not set)');
    const given = c.req.query('token');
    if (!tokenMatches(token, given)) return unauthorized(c, 'wrong or missing token');
    setCookie(c, ADMIN_COOKIE, given!, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/admin',
      secure,
      maxAge: 12 * 3600,
    });
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect('/admin/queues', 303);
  };
}
