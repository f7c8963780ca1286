// The one HTTP error class, and the one mapper from errors to JSON responses.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new HttpError(400, 'bad-request', message, details);
export const notFound = (message: string) => new HttpError(404, 'not-found', message);

export function errorResponse(
  c: Context,
  err: unknown,
  log?: { error(o: object, m: string): void },
) {
  if (err instanceof HttpError) {
    return c.json(
      {
        error: {
          code: err.code,
          message: err.message,
          ...(err.details ? { details: err.details } : {}),
        },
      },
      err.status,
    );
  }
  log?.error(
    { err },
    `unhandled error on ${c.req.method} ${c.req.path}: ${(err as Error)?.message}`,
  );
  return c.json({ error: { code: 'internal', message: 'internal server error' } }, 500);
}
