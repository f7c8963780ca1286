// {baseUrl}/websub/callback/:token — the callback our WebSub subscriptions to sources' hubs give
// (push/subscriber/). GET: the hub's verification of intent (echoed only for a request we sent,
// else 404). POST: pushed content, signature-checked and run through the pipeline by the
// subscriber (which reads the body: see Subscriber.receive for the size rules).
import type { Hono } from 'hono';
import type { ServerDeps } from '../deps.ts';

async function* chunksOf(body: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
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
    const r = await sub.receive(c.req.param('token'), {
      chunks: chunksOf(c.req.raw.body),
      contentType: c.req.header('content-type') ?? null,
      signature: c.req.header('x-hub-signature') ?? null,
    });
    return c.text(r.outcome, r.status);
  });
}
