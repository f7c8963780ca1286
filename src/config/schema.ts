// The config file's schema. Unknown keys are errors (a typo must not be silently ignored);
// durations and sizes are parsed into ms and bytes here, so the rest of the code sees numbers.
import { z } from 'zod';
import { parseDuration, parseSize } from './units.ts';
import { canonicalCharset } from '../pipeline/fetch/charset.ts';
import { ENV_NAME } from './secrets.ts';

export const id = z
  .string()
  .regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+ (lower-case letters, digits and dashes)');

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({
      code: 'custom',
      message: `not a duration: ${JSON.stringify(v)} (use 90s, 10m, 6h, 30d)`,
    });
    return z.NEVER;
  }
  return ms;
});

const size = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const bytes = parseSize(v);
  if (bytes === null) {
    ctx.addIssue({ code: 'custom', message: `not a size: ${JSON.stringify(v)} (use 512KB, 10MB)` });
    return z.NEVER;
  }
  return bytes;
});

export const lang = z
  .string()
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'must be a language tag such as ar or en')
  .transform((s) => s.toLowerCase());

export const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL');

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as UTC or Asia/Damascus');

const site = z
  .strictObject({
    title: z.string().min(1).default('Tributary'),
    // Unset ('' after parsing): derived at start from HOST and PORT (see config/base-url.ts).
    baseUrl: httpUrl.optional().transform((s) => (s ?? '').replace(/\/+$/, '')),
    description: z.string().default('Curated news feeds'),
  })
  .prefault({});

const fetch = z
  .strictObject({
    timeout: duration.default(20_000),
    maxBytes: size.default(10 * 1024 * 1024),
    userAgent: z
      .string()
      .min(1)
      .default('Tributary/0.1 (+https://github.com/tributary/tributary; feed aggregator)'),
    allowPrivateNetworks: z.boolean().default(false),
    defaultInterval: duration.default(15 * 60_000),
    minInterval: duration.default(5 * 60_000),
    maxInterval: duration.default(6 * 3_600_000),
    perHostConcurrency: z.number().int().min(1).max(64).default(2),
    maxRedirects: z.number().int().min(0).max(10).default(5),
    unhealthyAfter: z.number().int().min(1).default(3),
  })
  .prefault({});

const retention = z
  .strictObject({
    maxAge: duration.default(30 * 86_400_000),
    maxPerSection: z.number().int().min(1).default(500),
  })
  .prefault({});

const dedupe = z
  .strictObject({
    threshold: z.number().gt(0).lte(1).default(0.7),
    window: duration.default(72 * 3_600_000),
  })
  .prefault({});

const worker = z
  .strictObject({
    concurrency: z.number().int().min(1).max(256).default(8),
    shutdownGrace: duration.default(25_000),
  })
  .prefault({});

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable');

/** Headers the HTTP client owns, or that carry secrets (those come from `auth`). */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'authorization',
  'proxy-authorization',
  'if-none-match',
  'if-modified-since',
  'accept-encoding',
]);

export const sourceFetch = z.strictObject({
  userAgent: z.string().trim().min(1).max(500).nullable().optional(),
  headers: z
    .record(
      z.string(),
      z
        .string()
        .max(4096)
        .refine((v) => !/[\r\n\0]/.test(v), 'must not contain line breaks'),
    )
    .superRefine((h, ctx) => {
      for (const name of Object.keys(h)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
          ctx.addIssue({ code: 'custom', path: [name], message: 'not an HTTP header name' });
        else if (RESERVED_HEADERS.has(name.toLowerCase()))
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message:
              'is set by Tributary; credentials go in fetch.auth (read from the environment)',
          });
      }
    })
    .optional(),
  charset: z
    .string()
    .refine((c) => canonicalCharset(c) !== null, 'unknown charset (e.g. windows-1256, utf-8)')
    .nullable()
    .optional(),
  auth: z
    .strictObject({
      basic: z
        .strictObject({
          user: z
            .string()
            .min(1)
            .refine((u) => !u.includes(':'), 'must not contain ":"'),
          passwordEnv: envName,
        })
        .optional(),
      bearerEnv: envName.optional(),
    })
    .refine(
      (a) => (a.basic === undefined) !== (a.bearerEnv === undefined),
      'give exactly one of basic: { user, passwordEnv } or bearerEnv',
    )
    .transform((a) => (a.basic ? { basic: a.basic } : { bearerEnv: a.bearerEnv! }))
    .nullable()
    .optional(),
});

export const sourceKeywords = z.strictObject({
  keywords: z.array(z.string().trim().min(1, 'keywords must not be empty')).min(1),
});

export const fullTextMode = z.enum(['auto', 'always', 'never']);

/** A source's own settings, as the admin API and OPML import take them (same rules as the file). */
export const sourceSettings = {
  fetch: sourceFetch,
  include: sourceKeywords,
  exclude: sourceKeywords,
  fullText: fullTextMode,
  push: z.boolean(),
};

const source = z.strictObject({
  id,
  url: httpUrl,
  title: z.string().nullable().default(null),
  lang: lang.nullable().default(null),
  interval: duration.nullable().default(null),
  tags: z.array(id).default([]),
  priority: z.number().int().default(0),
  enabled: z.boolean().default(true),
  fullText: fullTextMode.default('auto'),
  // Sections the source's articles always go to (as runtime sources accept).
  sections: z.array(id).optional(),
  fetch: sourceFetch.optional(),
  include: sourceKeywords.optional(),
  exclude: sourceKeywords.optional(),
  // false: never subscribe to the WebSub hub the source advertises (push.subscribe is global).
  push: z.boolean().default(true),
});

const tag = z.strictObject({
  id,
  label: z.string().min(1),
  keywords: z.array(z.string().trim().min(1, 'keywords must not be empty')).default([]),
  categories: z.array(z.string().trim().min(1)).default([]),
});

const criteria = {
  tags: z.array(id).default([]),
  sources: z.array(id).default([]),
  langs: z.array(lang).default([]),
};

const section = z.strictObject({
  id,
  title: z.string().min(1),
  description: z.string().default(''),
  lang: lang.default('en'),
  include: z.strictObject(criteria).prefault({}),
  exclude: z
    .strictObject({ ...criteria, keywords: z.array(z.string().trim().min(1)).default([]) })
    .prefault({}),
  collapseDuplicates: z.boolean().default(false),
  limit: z.number().int().min(1).max(200).default(50),
  timezone: timezone.default('UTC'),
  guid: z.enum(['article', 'section']).default('article'),
});

// Push (issue 12): our WebSub hub, outgoing webhooks, and `subscribe`: the WebSub subscriber
// for our sources (push/subscriber/); the hub clamps every lease to [3600, 2592000] s.
const push = z
  .strictObject({
    hub: z.boolean().default(true),
    subscribe: z.boolean().default(true),
    leaseSeconds: z.number().int().min(3600).max(2_592_000).default(864_000),
    maxSubscriptions: z.number().int().min(1).default(10_000),
  })
  .prefault({});

const webhook = z.strictObject({
  id,
  url: httpUrl,
  /** Omitted = every section. */
  sections: z.array(id).nullable().default(null),
  secretEnv: z.string().regex(ENV_NAME, 'must be the name of an environment variable'),
});

type Issue = { path: (string | number)[]; message: string };

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const ids = (v: unknown): string[] =>
  list(v)
    .map((x) => rec(x).id)
    .filter((x): x is string => typeof x === 'string');

/**
 * Duplicate ids and references to unknown tags, sections and sources. Works on the raw YAML data
 * too (anything not shaped as expected is skipped), so check-config reports these even when other
 * keys fail to parse: every problem in one run.
 */
export function referenceIssues(cfg: unknown): Issue[] {
  const root = rec(cfg);
  const issues: Issue[] = [];
  for (const key of ['sources', 'tags', 'sections', 'webhooks'] as const) {
    const seen = new Map<string, number>();
    list(root[key]).forEach((item, i) => {
      const itemId = rec(item).id;
      if (typeof itemId !== 'string') return;
      const prev = seen.get(itemId);
      if (prev !== undefined)
        issues.push({
          path: [key, i, 'id'],
          message: `duplicate id "${itemId}" (also ${key}[${prev}])`,
        });
      else seen.set(itemId, i);
    });
  }
  const known = {
    tag: new Set(ids(root.tags)),
    source: new Set(ids(root.sources)),
    section: new Set(ids(root.sections)),
  };
  const refs = (values: unknown, kind: keyof typeof known, path: (string | number)[]) =>
    list(values).forEach((v, j) => {
      if (typeof v === 'string' && !known[kind].has(v))
        issues.push({ path: [...path, j], message: `unknown ${kind} "${v}"` });
    });
  list(root.sources).forEach((src, i) => {
    refs(rec(src).tags, 'tag', ['sources', i, 'tags']);
    refs(rec(src).sections, 'section', ['sources', i, 'sections']);
  });
  list(root.webhooks).forEach((h, i) =>
    refs(rec(h).sections, 'section', ['webhooks', i, 'sections']),
  );
  list(root.sections).forEach((sec, i) => {
    for (const part of ['include', 'exclude'] as const) {
      const crit = rec(rec(sec)[part]);
      refs(crit.tags, 'tag', ['sections', i, part, 'tags']);
      refs(crit.sources, 'source', ['sections', i, part, 'sources']);
    }
  });
  return issues;
}

export const fileConfigSchema = z
  .strictObject({
    site,
    fetch,
    retention,
    dedupe,
    worker,
    sources: z.array(source).default([]),
    tags: z.array(tag).default([]),
    sections: z.array(section).default([]),
    push,
    webhooks: z.array(webhook).default([]),
  })
  .superRefine((cfg, ctx) => {
    for (const issue of referenceIssues(cfg)) ctx.addIssue({ code: 'custom', ...issue });
    if (cfg.fetch.minInterval > cfg.fetch.maxInterval) {
      ctx.addIssue({
        code: 'custom',
        path: ['fetch', 'minInterval'],
        message: 'must not exceed fetch.maxInterval',
      });
    }
  });

export type FileConfigInput = z.input<typeof fileConfigSchema>;
