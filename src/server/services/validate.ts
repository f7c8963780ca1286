// Input validation shared by the admin API and the desk: zod issues become one 400 that lists
// every problem by field path, so a form can show each next to its field.
import type { z } from 'zod';
import { badRequest } from '../http-error.ts';

export interface FieldIssue {
  path: string;
  message: string;
}

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export function validate<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  const res = schema.safeParse(data);
  if (!res.success) throw badRequest('invalid request body', { issues: zodIssues(res.error) });
  return res.data;
}

/** The field issues an error carries (details.issues), if any. */
export function issuesOf(err: unknown): FieldIssue[] {
  const d = (err as { details?: { issues?: unknown } } | null)?.details;
  return Array.isArray(d?.issues) ? (d.issues as FieldIssue[]) : [];
}
