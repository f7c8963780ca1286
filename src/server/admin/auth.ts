// Admin authentication: a bearer token compared in constant time. The API takes only
// `Authorization: Bearer <token>`; the queue dashboard (a browser page, which cannot send that
// header) also takes the signed session cookie set by the login form (`POST /admin/login`).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { HttpError, errorResponse, notFound } from '../http-error.ts';
import type { Sessions } from '../session.ts';
import { escapeHtml } from '../../publish/pages.ts';

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

export function requireToken(
  token: string | null,
  opts: { cookie: boolean; sessions?: Sessions | null },
): MiddlewareHandler {
  return async (c, next) => {
    if (!token) throw notFound('the admin API is disabled (ADMIN_TOKEN is not set)');
    const given = bearer(c);
    if (!given && opts.cookie && opts.sessions?.read(c)) return next();
    if (!given)
      return unauthorized(
        c,
        opts.cookie
          ? 'not logged in: log in at /admin/login or send Authorization: Bearer <ADMIN_TOKEN>'
          : 'missing admin token: send Authorization: Bearer <ADMIN_TOKEN>',
      );
    if (!tokenMatches(token, given)) return unauthorized(c, 'wrong admin token');
    await next();
  };
}

function loginPage(message: string | null): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Tributary admin login</title></head>
<body><main><h1>Tributary admin</h1>
${message ? `<p role="alert">${escapeHtml(message)}</p>\n` : ''}<form method="post" action="/admin/login">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button>
</form></main></body></html>`;
}

function htmlPage(c: Context, status: 200 | 400 | 401, message: string | null): Response {
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  return c.html(loginPage(message), status);
}

/**
 * GET /admin/login shows a form; POST /admin/login (form field `token`) starts a signed session
 * (see ../session.ts) and sends the browser to /admin/queues. The token never travels in a URL:
 * a GET that carries one is refused, since URLs end up in logs and browser history.
 */
export function loginHandlers(token: string | null, sessions: Sessions | null) {
  return {
    form: (c: Context) => {
      if (!token) throw notFound('the admin API is disabled (ADMIN_TOKEN is not set)');
      if (c.req.query('token') !== undefined)
        return htmlPage(
          c,
          400,
          'The token is not accepted in the URL (it would stay in logs and history): enter it below.',
        );
      return htmlPage(c, 200, null);
    },
    submit: async (c: Context) => {
      if (!token || !sessions) throw notFound('the admin API is disabled (ADMIN_TOKEN is not set)');
      const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const given = typeof body.token === 'string' ? body.token : null;
      if (!tokenMatches(token, given)) return htmlPage(c, 401, 'Wrong or missing token.');
      sessions.start(c);
      c.header('Cache-Control', 'no-store');
      return c.redirect('/admin/queues', 303);
    },
    logout: (c: Context) => {
      sessions?.end(c);
      return c.redirect('/admin/login', 303);
    },
  };
}
