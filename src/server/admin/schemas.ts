// Request schemas of the admin API (zod), mirroring the config file's rules for sources.
import { z } from 'zod';
import { parseDuration } from '../../config/units.ts';
import { id, httpUrl, lang, sourceSettings } from '../../config/schema.ts';
import { ENV_NAME, webhookSecretProblem } from '../../config/secrets.ts';

// The config file's rules, with length limits for input from the network.
export const idSchema = z.string().max(64).pipe(id);
export const httpUrlSchema = z.string().max(2048).pipe(httpUrl);
const langSchema = lang;

/** `90s`, `10m`, `6h` or a number of ms; at least 1 minute. */
const intervalSchema = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null || ms < 60_000) {
    ctx.addIssue({
      code: 'custom',
      message: `not a duration of at least 1m: ${JSON.stringify(v)} (use 10m, 6h)`,
    });
    return z.NEVER;
  }
  return ms;
});

const sourceFields = {
  url: httpUrlSchema,
  title: z.string().trim().min(1).max(300).nullable(),
  lang: langSchema.nullable(),
  interval: intervalSchema.nullable(),
  tags: z.array(idSchema).max(50),
  priority: z.number().int().min(-1000).max(1000),
  sections: z.array(idSchema).max(50),
  /** false: never subscribe to the WebSub hub the source advertises. */
  push: z.boolean(),
};

export const addSourceSchema = z.strictObject({
  id: idSchema,
  url: sourceFields.url,
  title: sourceFields.title.optional(),
  lang: sourceFields.lang.optional(),
  interval: sourceFields.interval.optional(),
  tags: sourceFields.tags.optional(),
  priority: sourceFields.priority.optional(),
  sections: sourceFields.sections.optional(),
  // Per-source settings (null clears one in a PATCH).
  fetch: sourceSettings.fetch.nullable().optional(),
  include: sourceSettings.include.nullable().optional(),
  exclude: sourceSettings.exclude.nullable().optional(),
  fullText: sourceSettings.fullText.optional(),
  push: sourceSettings.push.optional(),
});

/** What the service takes: the same, but an empty or absent id is derived from the title. */
export const addSourceInputSchema = addSourceSchema.extend({
  id: z.preprocess((v) => (v === '' || v === null ? undefined : v), idSchema.optional()),
});

/** The fields of `addSourceSchema` but the id, every one optional; at least one given. */
export const patchSourceSchema = addSourceSchema
  .omit({ id: true })
  .partial()
  .refine((o) => Object.keys(o).length > 0, 'nothing to change');

export const articleRefSchema = z.strictObject({ articleId: z.string().min(1).max(128) });

export const pinSchema = z.strictObject({
  articleId: z.string().min(1).max(128),
  until: z.iso.datetime({ offset: true }).optional(),
});

export const tagChangeSchema = z
  .strictObject({
    add: z.array(idSchema).max(50).default([]),
    remove: z.array(idSchema).max(50).default([]),
  })
  .refine((o) => o.add.length + o.remove.length > 0, 'give tags to add or remove')
  .refine(
    (o) => !o.add.some((t) => o.remove.includes(t)),
    'a tag cannot be both added and removed',
  );

/** A section's rules as the rule preview takes them (the config file's `include`/`exclude`). */
export const sectionRulesSchema = z.strictObject({
  include: z.strictObject({
    tags: z.array(idSchema).max(50).default([]),
    sources: z.array(idSchema).max(500).default([]),
    langs: z.array(langSchema).max(20).default([]),
  }),
  exclude: z.strictObject({
    tags: z.array(idSchema).max(50).default([]),
    sources: z.array(idSchema).max(500).default([]),
    langs: z.array(langSchema).max(20).default([]),
    keywords: z.array(z.string().trim().min(1).max(200)).max(200).default([]),
  }),
});

/** A tag's keywords as the config file takes them (an empty list: the tag comes from its
 *  categories and sources alone). */
export const tagKeywordsSchema = z.strictObject({
  keywords: z.array(z.string().trim().min(1, 'keywords must not be empty').max(200)).max(500),
});
/** A webhook's signing secret as the admin API takes it (the config file's rule). */
const webhookSecretSchema = z
  .string()
  .max(200)
  .superRefine((v, ctx) => {
    const problem = webhookSecretProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((v) => v.trim());

const webhookFields = {
  url: httpUrlSchema,
  /** null (or omitted when adding) = every section. */
  sections: z
    .array(idSchema)
    .min(1, 'give at least one section, or null for every section')
    .max(50)
    .nullable(),
  secret: webhookSecretSchema,
  secretEnv: z.string().max(200).regex(ENV_NAME, 'must be the name of an environment variable'),
};

const oneSecret = (o: { secret?: unknown; secretEnv?: unknown }) =>
  o.secret === undefined || o.secretEnv === undefined;
const oneSecretIssue = {
  message: 'give secret or secretEnv, not both',
  path: ['secret'],
};

export const addWebhookSchema = z
  .strictObject({
    id: idSchema,
    url: webhookFields.url,
    sections: webhookFields.sections.optional(),
    secret: webhookFields.secret.optional(),
    secretEnv: webhookFields.secretEnv.optional(),
  })
  .refine(oneSecret, oneSecretIssue);

/** url, sections, secret or secretEnv; at least one given. */
export const patchWebhookSchema = z
  .strictObject({
    url: webhookFields.url.optional(),
    sections: webhookFields.sections.optional(),
    secret: webhookFields.secret.optional(),
    secretEnv: webhookFields.secretEnv.optional(),
  })
  .refine((o) => Object.keys(o).length > 0, 'nothing to change')
  .refine(oneSecret, oneSecretIssue);
