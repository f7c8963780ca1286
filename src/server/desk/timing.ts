// `Server-Timing: app;dur=<ms>` on every desk response: the time the server spent on the request
// (routing, guards, Redis reads, rendering), measured here, so the desk's speed figure
// (bench/desk.ts) separates server time from the network and the client.
import type { MiddlewareHandler } from 'hono';

export function serverTiming(): MiddlewareHandler {
  return async (c, next) => {
    const t0 = performance.now();
    await next();
    c.header('Server-Timing', `app;dur=${(performance.now() - t0).toFixed(1)}`);
  };
}
