// POST /websub — our WebSub hub's subscription endpoint (the logic is in push/hub.ts). Answers
// 202 and verifies intent afterwards; a bad request gets 400 with the reason, a full hub 503.
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HttpError } from '../http-error.ts';
import type { ServerDeps } from '../deps.ts';
import { createHub } from '../../push/hub.ts';
import { renderThrough } from '../../push/render.ts';
import { HUB_PATH } from '../../push/topics.ts';

/** A subscription form is a few hundred bytes; 2 KB callback + 200 B secret + topic fit in 8 KB. */
const FORM_LIMIT = 8 * 1024;

export function registerWebsubRoutes(app: Hono, deps: ServerDeps): void {
  if (!deps.config.push.hub || !deps.pushHttp) return;
  const hub = createHub({
    config: deps.config,
    store: deps.store,
    http: deps.pushHttp,
    log: deps.log,
    now: deps.now,
    render: renderThrough(app),
  });
  app.post(
    HUB_PATH,
    bodyLimit({
      maxSize: FORM_LIMIT,
      onError: () => {
        throw new HttpError(413, 'payload-too-large', `subscription form over ${FORM_LIMIT} bytes`);
      },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!type.startsWith('application/x-www-form-urlencoded'))
        throw new HttpError(
          415,
          'unsupported-media-type',
          'send the subscription as application/x-www-form-urlencoded',
        );
      const form = Object.fromEntries(new URLSearchParams(await c.req.text()));
      const answer = await hub.request(form);
      if (answer.status === 202) {
        void answer.verify();
        return c.body(null, 202);
      }
      if (answer.status === 503) c.header('Retry-After', String(answer.retryAfter ?? 60));
      throw new HttpError(
        answer.status,
        answer.status === 503 ? 'hub-full' : 'bad-request',
        answer.reason,
      );
    },
  );
}
