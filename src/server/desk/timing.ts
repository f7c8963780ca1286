// `Server-Timing: app;dur=<ms>, cpu;dur=<ms>` on every desk response: the time the server spent on
// the request (routing, guards, Redis reads, rendering) and the CPU time this process used
// meanwhile (process-wide: other requests served at the same moment count too), both measured
// here, so the desk's speed figure (bench/desk.ts) can tell our own cost from a busy machine's.
import type { MiddlewareHandler } from 'hono';
import { setResponseHeader } from '../response-headers.ts';

export function serverTiming(): MiddlewareHandler {
  return async (c, next) => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await next();
    const cpu = process.cpuUsage(cpu0);
    setResponseHeader(
      c,
      'Server-Timing',
      `app;dur=${(performance.now() - t0).toFixed(1)}, cpu;dur=${((cpu.user + cpu.system) / 1000).toFixed(1)}`,
    );
  };
}
