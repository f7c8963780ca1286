// Request bodies: JSON parsed by hand (so a bad body is our 400, not an exception) and validated
// with zod; problems come back as 400 with every zod issue listed.
import type { Context } from 'hono';
import type { z } from 'zod';
import { badRequest } from '../http-error.ts';

export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let data: unknown;
  try {
    data = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw badRequest(`request body is not JSON: ${(e as Error).message}`);
  }
  const res = schema.safeParse(data);
  if (!res.success) throw badRequest('invalid request body', { issues: zodIssues(res.error) });
  return res.data;
}
