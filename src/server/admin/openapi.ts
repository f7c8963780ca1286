// The admin API described as OpenAPI 3.1 (hand-written, brief). Served at
// GET /admin/api/openapi.json without a token whenever the admin API is enabled.
import { rulesPaths, rulesSchemas } from './openapi-rules.ts';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: Schema = { type: 'object' }) => ({
  description,
  ...json(schema),
});
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [String(c), { description: ERROR_TEXT[c] ?? 'error', ...json(ref('Error')) }]),
  );
const ERROR_TEXT: Record<number, string> = {
  400: 'invalid input (zod issues in error.details.issues) or a blocked address',
  401: 'missing or wrong token',
  404: 'unknown id, or the admin API is disabled',
  409: 'conflict (config sources and webhooks are read-only; duplicate id or URL; source paused)',
  413: 'body larger than 1 MB',
  422: 'the URL is not a usable feed (unreachable, not a feed, no feed announced)',
  503: 'no queue on this server',
};
const idParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const body = (schema: Schema) => ({ required: true, ...json(schema) });
const std = [401, 404];

/** Per-source settings as the admin API takes them (null clears one in a PATCH). */
const settingsInput: Record<string, Schema> = {
  fetch: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: {
      userAgent: { type: ['string', 'null'] },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      charset: { type: ['string', 'null'], description: 'e.g. windows-1256' },
      auth: {
        type: ['object', 'null'],
        description:
          '{ basic: { user, passwordEnv } } or { bearerEnv }: names of environment variables; secrets are never sent here',
      },
    },
  },
  include: { type: ['object', 'null'], properties: { keywords: { type: 'array' } } },
  exclude: { type: ['object', 'null'], properties: { keywords: { type: 'array' } } },
  fullText: { enum: ['auto', 'always', 'never'] },
  push: { type: 'boolean' },
};

export function adminOpenApi(baseUrl: string): Schema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tributary admin API',
      version: '1',
      description:
        'Sources, curation, OPML and webhooks. Every route needs `Authorization: Bearer $ADMIN_TOKEN` (compared in constant time) ' +
        'except this document; all /admin routes answer 404 while ADMIN_TOKEN is unset. Bodies are limited to 1 MB. ' +
        'The queue dashboard at /admin/queues also accepts the signed session cookie `tributary_session` set by the login form (POST /admin/login).',
    },
    servers: [{ url: baseUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'tributary_session' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            },
          },
        },
        Source: {
          type: 'object',
          properties: {
            id: { type: 'string', pattern: '^[a-z0-9-]+$' },
            url: { type: 'string', format: 'uri' },
            title: { type: ['string', 'null'] },
            lang: { type: ['string', 'null'] },
            interval: { type: ['integer', 'null'], description: 'ms' },
            tags: { type: 'array', items: { type: 'string' } },
            priority: { type: 'integer' },
            enabled: { type: 'boolean' },
            sections: { type: 'array', items: { type: 'string' } },
            fetch: {
              type: ['object', 'null'],
              description:
                'userAgent, headers (names only), charset, auth: "basic" | "bearer" | null (never a secret)',
            },
            include: { type: ['object', 'null'] },
            exclude: { type: ['object', 'null'] },
            fullText: { enum: ['auto', 'always', 'never'] },
            push: { type: 'boolean' },
            origin: { enum: ['config', 'runtime'] },
            readOnly: { type: 'boolean' },
            paused: { type: 'boolean' },
            health: {
              type: 'object',
              description:
                'status, healthy, lastFetch, lastSuccess, lastError, lastErrorKind, lastErrorPermanent, nextPoll, articleCount, skippedTooOld … healthy is false at once after a permanent error (404/410, not a feed, blocked address), after fetch.unhealthyAfter consecutive failures for a transient one.',
            },
          },
        },
        SourceInput: {
          type: 'object',
          required: ['id', 'url'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', pattern: '^[a-z0-9-]+$' },
            url: {
              type: 'string',
              description: 'http(s) feed URL, or an HTML page announcing one',
            },
            title: { type: ['string', 'null'] },
            lang: { type: ['string', 'null'] },
            interval: { type: ['string', 'integer', 'null'], description: '10m, 6h or ms' },
            tags: { type: 'array', items: { type: 'string' } },
            priority: { type: 'integer' },
            sections: { type: 'array', items: { type: 'string' } },
            ...settingsInput,
          },
        },
        Webhook: {
          type: 'object',
          required: [
            'id',
            'origin',
            'url',
            'sections',
            'lastStatus',
            'lastError',
            'pending',
            'failed',
          ],
          properties: {
            id: { type: 'string' },
            origin: {
              enum: ['config', 'runtime'],
              description: 'config-file hooks are read-only through the API',
            },
            url: { type: 'string' },
            sections: {
              type: ['array', 'null'],
              items: { type: 'string' },
              description: 'null: every section',
            },
            lastStatus: { type: ['integer', 'null'] },
            lastError: { type: ['string', 'null'] },
            pending: { type: 'integer' },
            failed: { type: 'integer' },
          },
        },
        WebhookInput: {
          type: 'object',
          required: ['id', 'url'],
          additionalProperties: false,
          properties: {
            id: {
              type: 'string',
              pattern: '^[a-z0-9-]+$',
              description: 'unique among all webhooks',
            },
            url: { type: 'string', description: 'http(s) URL the deliveries are POSTed to' },
            sections: {
              type: ['array', 'null'],
              items: { type: 'string' },
              description: 'known section ids; omitted or null: every section',
            },
            secret: {
              type: 'string',
              description: 'whsec_<base64 of 24–64 bytes> (Standard Webhooks); stored, never shown',
            },
            secretEnv: {
              type: 'string',
              description:
                'instead of secret: the environment variable holding it, read at each delivery (must be set where workers run)',
            },
          },
        },
        SectionCuration: {
          type: 'object',
          properties: {
            section: { type: 'string' },
            version: { type: 'integer' },
            hides: { type: 'array', items: { type: 'string' } },
            pins: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  articleId: { type: 'string' },
                  pinnedAt: { type: 'string', format: 'date-time' },
                  until: { type: ['string', 'null'], format: 'date-time' },
                },
              },
            },
          },
        },
        ArticleRef: {
          type: 'object',
          required: ['articleId'],
          additionalProperties: false,
          properties: { articleId: { type: 'string' } },
        },
        ...rulesSchemas,
      },
    },
    paths: {
      ...rulesPaths,
      '/admin/api/openapi.json': {
        get: { summary: 'This document', security: [], responses: { 200: ok('OpenAPI 3.1') } },
      },
      '/admin/login': {
        get: {
          summary: 'The login form (HTML). A token in the query string is refused (400).',
          security: [],
          responses: { 200: { description: 'HTML form' }, ...errors(400, 404) },
        },
        post: {
          summary:
            'Checks the form field `token` and starts a signed session (cookie tributary_session: HttpOnly, SameSite=Strict, Secure on https, 12 h), then redirects to /admin/queues',
          security: [],
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['token'],
                  properties: { token: { type: 'string' } },
                },
              },
            },
          },
          responses: { 303: { description: 'session started' }, ...errors(401, 404) },
        },
      },
      '/admin/logout': {
        post: {
          summary: 'Ends the session (clears the cookie) and redirects to /admin/login',
          security: [],
          responses: { 303: { description: 'session ended' } },
        },
      },
      '/admin/queues': {
        get: {
          summary: 'bull-board queue dashboard (HTML)',
          security: [{ bearer: [] }, { cookie: [] }],
          responses: { 200: { description: 'HTML' }, ...errors(...std) },
        },
      },
      '/admin/api/sources': {
        get: {
          summary: 'Every source (config and runtime) with health',
          responses: {
            200: ok('sources', {
              type: 'object',
              properties: { sources: { type: 'array', items: ref('Source') } },
            }),
            ...errors(...std),
          },
        },
        post: {
          summary:
            'Add a runtime source; HTML pages are followed to the feed they announce; the feed must parse',
          requestBody: body(ref('SourceInput')),
          responses: {
            201: ok('added', {
              type: 'object',
              properties: {
                source: ref('Source'),
                feed: {
                  type: 'object',
                  properties: {
                    discoveredFrom: { type: ['string', 'null'] },
                    items: { type: 'integer' },
                  },
                },
              },
            }),
            ...errors(400, 401, 404, 409, 413, 422),
          },
        },
      },
      '/admin/api/sources/{id}': {
        parameters: [idParam('id', 'source id')],
        get: {
          summary: 'One source',
          responses: {
            200: ok('source', { type: 'object', properties: { source: ref('Source') } }),
            ...errors(...std),
          },
        },
        patch: {
          summary:
            "Update a runtime source (title, lang, interval, tags, priority, sections, push, url); config sources → 409. A change of tags or sections is applied to the source's stored articles at once; the response then carries applied: {articles, replaced} (articles examined, articles whose tags or sections changed).",
          requestBody: body({
            type: 'object',
            additionalProperties: false,
            properties: {
              url: { type: 'string' },
              title: { type: ['string', 'null'] },
              lang: { type: ['string', 'null'] },
              interval: { type: ['string', 'integer', 'null'] },
              tags: { type: 'array', items: { type: 'string' } },
              priority: { type: 'integer' },
              sections: { type: 'array', items: { type: 'string' } },
              ...settingsInput,
            },
          }),
          responses: {
            200: ok('updated', { type: 'object', properties: { source: ref('Source') } }),
            ...errors(400, 401, 404, 409, 413, 422),
          },
        },
        delete: {
          summary:
            'Delete a runtime source (its articles expire with retention); config sources → 409',
          responses: { 200: ok('deleted'), ...errors(401, 404, 409) },
        },
      },
      '/admin/api/sources/{id}/pause': {
        parameters: [idParam('id', 'source id')],
        post: {
          summary: 'Pause polling (config sources: a Redis override)',
          responses: {
            200: ok('paused', { type: 'object', properties: { source: ref('Source') } }),
            ...errors(...std),
          },
        },
      },
      '/admin/api/sources/{id}/resume': {
        parameters: [idParam('id', 'source id')],
        post: {
          summary: 'Resume polling',
          responses: {
            200: ok('resumed', { type: 'object', properties: { source: ref('Source') } }),
            ...errors(...std),
          },
        },
      },
      '/admin/api/sources/{id}/refresh': {
        parameters: [idParam('id', 'source id')],
        post: {
          summary: 'Poll now (one forced poll, de-duplicated while pending)',
          responses: {
            202: ok('queued', {
              type: 'object',
              properties: { queued: { type: 'string' }, jobId: { type: 'string' } },
            }),
            ...errors(401, 404, 409, 503),
          },
        },
      },
      '/admin/api/sections/{id}': {
        parameters: [idParam('id', 'section id')],
        get: {
          summary: "A section's pins and hides",
          responses: { 200: ok('curation', ref('SectionCuration')), ...errors(...std) },
        },
      },
      '/admin/api/sections/{id}/pins': {
        parameters: [idParam('id', 'section id')],
        post: {
          summary:
            'Pin an article to the top of the section (newest pin first), until a time or until unpinned',
          requestBody: body({
            type: 'object',
            required: ['articleId'],
            additionalProperties: false,
            properties: {
              articleId: { type: 'string' },
              until: { type: 'string', format: 'date-time' },
            },
          }),
          responses: { 201: ok('pinned', ref('SectionCuration')), ...errors(400, 401, 404, 413) },
        },
      },
      '/admin/api/sections/{id}/pins/{articleId}': {
        parameters: [idParam('id', 'section id'), idParam('articleId', 'article id')],
        delete: {
          summary: 'Unpin',
          responses: { 200: ok('unpinned', ref('SectionCuration')), ...errors(...std) },
        },
      },
      '/admin/api/sections/{id}/hides': {
        parameters: [idParam('id', 'section id')],
        post: {
          summary: 'Hide an article from the section',
          requestBody: body(ref('ArticleRef')),
          responses: { 201: ok('hidden', ref('SectionCuration')), ...errors(400, 401, 404, 413) },
        },
      },
      '/admin/api/sections/{id}/hides/{articleId}': {
        parameters: [idParam('id', 'section id'), idParam('articleId', 'article id')],
        delete: {
          summary: 'Unhide',
          responses: { 200: ok('unhidden', ref('SectionCuration')), ...errors(...std) },
        },
      },
      '/admin/api/hides': {
        get: {
          summary: 'Articles hidden everywhere',
          responses: {
            200: ok('hides', {
              type: 'object',
              properties: { hides: { type: 'array', items: { type: 'string' } } },
            }),
            ...errors(...std),
          },
        },
        post: {
          summary: 'Hide an article from every section',
          requestBody: body(ref('ArticleRef')),
          responses: { 201: ok('hidden'), ...errors(400, 401, 404, 413) },
        },
      },
      '/admin/api/hides/{articleId}': {
        parameters: [idParam('articleId', 'article id')],
        delete: {
          summary: 'Unhide everywhere',
          responses: { 200: ok('unhidden'), ...errors(...std) },
        },
      },
      '/admin/api/articles/{id}': {
        parameters: [idParam('id', 'article id')],
        get: {
          summary: 'The stored article, its manual tags and sections',
          responses: { 200: ok('article'), ...errors(...std) },
        },
      },
      '/admin/api/articles/{id}/tags': {
        parameters: [idParam('id', 'article id')],
        post: {
          summary:
            'Add or remove manual tags (kept across re-ingest); section membership follows at once',
          requestBody: body({
            type: 'object',
            additionalProperties: false,
            properties: {
              add: { type: 'array', items: { type: 'string' } },
              remove: { type: 'array', items: { type: 'string' } },
            },
          }),
          responses: {
            200: ok('tags', {
              type: 'object',
              properties: {
                tags: { type: 'array', items: { type: 'string' } },
                sections: { type: 'array', items: { type: 'string' } },
              },
            }),
            ...errors(400, 401, 404, 413),
          },
        },
      },
      '/admin/api/webhooks': {
        get: {
          summary:
            "Every webhook (the config file's, then those added here) with its last delivery status and pending/failed counts; never a secret",
          responses: {
            200: ok('webhooks', {
              type: 'object',
              properties: { webhooks: { type: 'array', items: ref('Webhook') } },
            }),
            ...errors(...std),
          },
        },
        post: {
          summary:
            'Add a runtime webhook (kept in Redis, followed by every process at once, surviving restarts). It gets the items that arrive after it. ' +
            'Without secret or secretEnv a secret is generated and returned in this response only. The url passes the fetch SSRF guard ' +
            '(private addresses refused unless fetch.allowPrivateNetworks).',
          requestBody: body(ref('WebhookInput')),
          responses: {
            201: ok('added', {
              type: 'object',
              required: ['webhook'],
              properties: {
                webhook: ref('Webhook'),
                secret: {
                  type: 'string',
                  description: 'the generated whsec_ secret, present only when none was given',
                },
              },
            }),
            ...errors(400, 401, 409, 413),
          },
        },
      },
      '/admin/api/webhooks/{id}': {
        parameters: [idParam('id', 'webhook id')],
        get: {
          summary: 'One webhook with its status',
          responses: {
            200: ok('webhook', { type: 'object', properties: { webhook: ref('Webhook') } }),
            ...errors(...std),
          },
        },
        patch: {
          summary:
            'Change a runtime webhook: url, sections (items already in a section it newly follows are not sent), secret or secretEnv. Config-file webhooks: 409.',
          requestBody: body({
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              url: { type: 'string' },
              sections: { type: ['array', 'null'], items: { type: 'string' } },
              secret: { type: 'string' },
              secretEnv: { type: 'string' },
            },
          }),
          responses: {
            200: ok('changed', { type: 'object', properties: { webhook: ref('Webhook') } }),
            ...errors(400, 401, 404, 409, 413),
          },
        },
        delete: {
          summary:
            'Delete a runtime webhook; its pending and failed deliveries are dropped (not retried). Config-file webhooks: 409.',
          responses: {
            200: ok('deleted', { type: 'object', properties: { deleted: { type: 'string' } } }),
            ...errors(401, 404, 409),
          },
        },
      },
      '/admin/api/webhooks/{id}/resend': {
        post: {
          summary: 'Queue every failed delivery of a webhook again (same webhook-id, same items)',
          parameters: [idParam('id', 'webhook id')],
          responses: {
            202: ok('requeued', {
              type: 'object',
              properties: { id: { type: 'string' }, requeued: { type: 'integer' } },
            }),
            ...errors(401, 404),
          },
        },
      },
      '/admin/api/health': {
        get: {
          summary:
            'The service at a glance (as /desk/health shows it): readiness, worker heartbeats, poll and push queue depths, poll outcomes and durations (the counters /metrics exports), Redis memory, source health counts, the newest source errors, active desk sessions',
          responses: {
            200: ok('health', {
              type: 'object',
              properties: {
                time: { type: 'string', format: 'date-time' },
                ready: {
                  type: 'boolean',
                  description: 'Redis reachable and a worker beat within 30 s (as /readyz)',
                },
                redis: {
                  type: 'object',
                  properties: {
                    reachable: { type: 'boolean' },
                    memory: {
                      type: ['object', 'null'],
                      properties: {
                        usedBytes: { type: 'integer' },
                        peakBytes: { type: 'integer' },
                        maxBytes: { type: ['integer', 'null'] },
                        policy: { type: 'string' },
                      },
                    },
                  },
                },
                workers: {
                  type: 'object',
                  properties: {
                    alive: { type: 'integer' },
                    aliveWithinMs: { type: 'integer' },
                    list: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          id: { type: 'string' },
                          lastBeat: { type: 'string', format: 'date-time' },
                          alive: { type: 'boolean' },
                        },
                      },
                    },
                  },
                },
                queues: {
                  type: 'object',
                  description:
                    'job counts by state (waiting, prioritized, active, delayed, failed); null when unknown',
                  properties: {
                    poll: { type: ['object', 'null'] },
                    push: { type: ['object', 'null'] },
                  },
                },
                polls: {
                  type: ['object', 'null'],
                  properties: {
                    polls: { type: 'integer' },
                    meanMs: { type: ['number', 'null'] },
                    p50AtMostMs: { type: ['number', 'null'] },
                    p95AtMostMs: { type: ['number', 'null'] },
                    outcomes: { type: 'object', additionalProperties: { type: 'integer' } },
                    errorKinds: { type: 'object', additionalProperties: { type: 'integer' } },
                  },
                },
                sources: {
                  type: ['object', 'null'],
                  properties: {
                    total: { type: 'integer' },
                    unhealthy: { type: 'integer' },
                    failing: { type: 'integer' },
                    neverFetched: { type: 'integer' },
                  },
                },
                recentErrors: {
                  type: 'array',
                  description: 'sources whose last fetch failed, newest first (at most 20)',
                  items: {
                    type: 'object',
                    properties: {
                      source: { type: 'string' },
                      title: { type: ['string', 'null'] },
                      time: { type: ['string', 'null'], format: 'date-time' },
                      message: { type: 'string' },
                      kind: { type: ['string', 'null'] },
                      httpStatus: { type: ['integer', 'null'] },
                      permanent: { type: 'boolean' },
                      consecutiveFailures: { type: 'integer' },
                      healthy: { type: 'boolean' },
                    },
                  },
                },
                deskSessions: { type: ['integer', 'null'], description: 'active desk sessions' },
              },
            }),
            ...errors(...std),
          },
        },
      },
      '/admin/api/opml': {
        get: {
          summary: 'Every source as OPML 2.0',
          responses: {
            200: {
              description: 'OPML',
              content: { 'text/x-opml': { schema: { type: 'string' } } },
            },
            ...errors(...std),
          },
        },
        post: {
          summary:
            'Import an OPML document as runtime sources (?section= places them in a section). Each feed is checked as POST /admin/api/sources checks one (a few in parallel) unless ?verify=false; `feeds` reports each outline: added (id) or skipped (reason).',
          parameters: [
            { name: 'section', in: 'query', required: false, schema: { type: 'string' } },
            {
              name: 'verify',
              in: 'query',
              required: false,
              schema: { type: 'boolean', default: true },
            },
          ],
          requestBody: {
            required: true,
            content: {
              'text/x-opml': { schema: { type: 'string' } },
              'application/xml': { schema: { type: 'string' } },
            },
          },
          responses: {
            201: ok('imported', {
              type: 'object',
              properties: {
                added: { type: 'array', items: { type: 'string' } },
                skipped: { type: 'array', items: { type: 'object' } },
                feeds: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      url: { type: 'string' },
                      outcome: { enum: ['added', 'skipped'] },
                      id: { type: 'string' },
                      feedUrl: { type: 'string' },
                      reason: { type: 'string' },
                    },
                  },
                },
              },
            }),
            200: ok('nothing new'),
            ...errors(400, 401, 404, 413),
          },
        },
      },
    },
  };
}
