// {baseUrl}/websub/callback/:token — the callback our WebSub subscriptions to sources' hubs give
// (push/subscriber/). GET: the hub's verification of intent (echoed only for a request we sent,
// else 404). POST: pushed content, read up to fetch.maxBytes + 1 bytes (more is the source's
// too-large error, as a poll's would be), signature-checked, then run through the pipeline.
import type { Hono } from 'hono';
import type { ServerDeps } from '../deps.ts';

/** At most `max` + 1 bytes of the body: enough to tell "over the cap" without holding more. */
async function readCapped(body: ReadableStream<Uint8Array> | null, max: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max + 1);
}

export function registerWebsubCallbackRoutes(app: Hono, deps: ServerDeps) {
  app.get('/websub/callback/:token', async (c) => {
    const sub = deps.subscriber;
    if (!sub) return c.text('not found', 404);
    const r = await sub.verify(c.req.param('token'), c.req.query());
    return r.status === 200 ? c.text(r.body, 200) : c.text('not found', 404);
  });

  app.post('/websub/callback/:token', async (c) => {
    const sub = deps.subscriber;
    if (!sub) return c.text('not found', 404);
    const max = deps.config.fetch.maxBytes;
    const declared = Number(c.req.header('content-length') ?? NaN);
    // A body declared over the cap is not read at all: max + 1 zero bytes stand for it.
    const bytes =
      Number.isFinite(declared) && declared > max
        ? Buffer.alloc(max + 1)
        : await readCapped(c.req.raw.body, max);
    const r = await sub.receive(c.req.param('token'), {
      bytes,
      contentType: c.req.header('content-type') ?? null,
      signature: c.req.header('x-hub-signature') ?? null,
    });
    return c.text(r.outcome, r.status);
  });
}
