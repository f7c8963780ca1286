// Headers added by a middleware after the handler has answered. Hono's c.header() on a finished
// response rebuilds the response around its body as a stream: the page is converted and copied
// once more and then written chunk by chunk (~900 KB on /desk with 1,000 sources). Setting them on
// the response's own Headers keeps @hono/node-server's direct write of the string body. A
// response whose headers are immutable (a fetched one) falls back to c.header().
import type { Context } from 'hono';

export function setResponseHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.header(name, value);
  }
}
