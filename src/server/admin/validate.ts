// Request bodies: JSON parsed by hand (so a bad body is our 400, not an exception) and validated
// with zod; problems come back as 400 with every zod issue listed.
import type { Context } from 'hono';
import type { z } from 'zod';
import { badRequest } from '../http-error.ts';
import { validate } from '../services/validate.ts';

export { zodIssues } from '../services/validate.ts';

/** The body as JSON, unvalidated (for a service that validates it). */
export async function rawJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw badRequest(`request body is not JSON: ${(e as Error).message}`);
  }
}

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  return validate(schema, await rawJsonBody(c));
}
