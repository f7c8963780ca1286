// OpenAPI of the rule routes (section rules and tag keywords saved at runtime); spread into
// openapi.ts's components and paths.
type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: Schema) => ({ description, ...json(schema) });
const err = (description: string) => ({ description, ...json(ref('Error')) });
const E = {
  400: err(
    'invalid input: error.details.issues names each field (e.g. include.tags.0: unknown tag)',
  ),
  401: err('missing or wrong token'),
  404: err('unknown section or tag, nothing saved to reset, or the admin API is disabled'),
  413: err('body larger than 1 MB'),
};
const idParam = (description: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const ids = { type: 'array', items: { type: 'string' } };
const criteria = {
  type: 'object',
  additionalProperties: false,
  properties: { tags: ids, sources: ids, langs: ids },
};

export const rulesSchemas: Record<string, Schema> = {
  SectionRules: {
    type: 'object',
    required: ['include', 'exclude'],
    additionalProperties: false,
    description:
      "The config file's include/exclude: tags and sources must exist, langs are language tags",
    properties: {
      include: criteria,
      exclude: { ...criteria, properties: { ...criteria.properties, keywords: ids } },
    },
  },
  RetagStatus: {
    type: ['object', 'null'],
    description:
      'The retag that applies the last save to stored articles (null: none yet). entered/left: articles that entered/left the section, or gained/lost the tag',
    properties: {
      state: { enum: ['queued', 'running', 'done', 'failed'] },
      version: { type: 'integer' },
      done: { type: 'integer' },
      total: { type: 'integer' },
      entered: { type: 'integer' },
      left: { type: 'integer' },
      error: { type: ['string', 'null'] },
      updatedAt: { type: 'string' },
    },
  },
  SectionRulesState: {
    type: 'object',
    properties: {
      section: { type: 'string' },
      rules: ref('SectionRules'),
      overridden: { type: 'boolean', description: 'saved at runtime over the config file' },
      savedAt: { type: ['string', 'null'] },
      configRules: ref('SectionRules'),
      retag: ref('RetagStatus'),
    },
  },
  Tag: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      label: { type: 'string' },
      keywords: ids,
      categories: ids,
      overridden: { type: 'boolean' },
      savedAt: { type: ['string', 'null'] },
      configKeywords: ids,
      retag: ref('RetagStatus'),
    },
  },
  TagKeywords: {
    type: 'object',
    required: ['keywords'],
    additionalProperties: false,
    properties: { keywords: { ...ids, maxItems: 500 } },
  },
};

export const rulesPaths: Record<string, Schema> = {
  '/admin/api/sections/{id}/rules': {
    parameters: [idParam('section id')],
    get: {
      summary: "The section's effective include/exclude rules (saved, else the config file's)",
      responses: { 200: ok('rules', ref('SectionRulesState')), 401: E[401], 404: E[404] },
    },
    put: {
      summary:
        "Save the section's rules over the config file's: every process uses them from its next poll; stored articles are retagged in the background (see retag)",
      requestBody: { required: true, ...json(ref('SectionRules')) },
      responses: { 200: ok('saved', ref('SectionRulesState')), ...E },
    },
    delete: {
      summary: "Reset to the config file's rules (and retag stored articles)",
      responses: { 200: ok('reset', ref('SectionRulesState')), 401: E[401], 404: E[404] },
    },
  },
  '/admin/api/tags': {
    get: {
      summary: 'Every tag with its effective keywords',
      responses: {
        200: ok('tags', {
          type: 'object',
          properties: { tags: { type: 'array', items: ref('Tag') } },
        }),
        401: E[401],
      },
    },
  },
  '/admin/api/tags/{id}': {
    parameters: [idParam('tag id')],
    get: {
      summary: 'One tag',
      responses: { 200: ok('tag', ref('Tag')), 401: E[401], 404: E[404] },
    },
  },
  '/admin/api/tags/{id}/keywords': {
    parameters: [idParam('tag id')],
    put: {
      summary:
        "Save the tag's keywords over the config file's (matched as the contract's keyword rules say); stored articles are retagged in the background",
      requestBody: { required: true, ...json(ref('TagKeywords')) },
      responses: { 200: ok('saved', ref('Tag')), ...E },
    },
    delete: {
      summary: "Reset to the config file's keywords (and retag stored articles)",
      responses: { 200: ok('reset', ref('Tag')), 401: E[401], 404: E[404] },
    },
  },
  '/admin/api/tags/{id}/preview': {
    parameters: [idParam('tag id')],
    post: {
      summary:
        'Stored articles that would carry the tag with these keywords (the current ones when the body is empty); writes nothing; the newest 50 are listed',
      requestBody: { required: false, ...json(ref('TagKeywords')) },
      responses: {
        200: ok('matches', {
          type: 'object',
          properties: {
            tag: { type: 'string' },
            keywords: ids,
            scanned: { type: 'integer' },
            total: { type: 'integer' },
            gained: { type: 'integer' },
            lost: { type: 'integer' },
            matches: {
              type: 'array',
              maxItems: 50,
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  title: { type: 'string' },
                  lang: { type: 'string' },
                  published: { type: 'string' },
                  tagged: { type: 'boolean', description: 'carries the tag now' },
                },
              },
            },
          },
        }),
        ...E,
      },
    },
  },
};
