// Lint rules, including the import boundaries of DESIGN.md: each third-party library enters
// through one module, `domain` imports nothing, and pipeline stages never import each other.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const lib = (name, owner) => ({ name, message: `${name} is only imported by ${owner}.` });
const libraryOwners = [
  lib(
    'rss-parser',
    'bench/ and tests/ (the naive baseline, an independent reader); src/ has its own parser',
  ),
  lib('ioredis', 'src/store'),
  lib('bullmq', 'src/queues and workers/'),
  lib('hono', 'src/server'),
  lib('@hono/node-server', 'src/server'),
  lib('sanitize-html', 'src/pipeline/normalize'),
  lib('undici', 'src/pipeline/fetch'),
  lib('@mozilla/readability', 'src/pipeline/fulltext'),
  lib('linkedom', 'src/pipeline/fulltext'),
];
const restrict = (allowed, extraPatterns = []) => [
  'error',
  {
    paths: libraryOwners.filter((p) => !allowed.includes(p.name)),
    patterns: extraPatterns,
  },
];
const stage = (name) => ({
  files: [`src/pipeline/${name}/**/*.ts`],
  rules: {
    'no-restricted-imports': restrict(
      name === 'fetch'
        ? ['undici']
        : name === 'normalize'
          ? ['sanitize-html']
          : name === 'fulltext'
            ? ['@mozilla/readability', 'linkedom']
            : [],
      [
        {
          group: ['fetch', 'parse', 'normalize', 'fulltext', 'dedupe', 'tag']
            .filter((other) => other !== name)
            .map((other) => `../${other}/**`)
            // fulltext fetches pages through the feeds' own fetcher and cleans them with the
            // feeds' own sanitizer (DESIGN.md "Rooms for round two"), nothing else of theirs.
            .concat(
              name === 'fulltext'
                ? [
                    '!../fetch/fetcher.ts',
                    '!../normalize/sanitize.ts',
                    '!../normalize/normalize.ts',
                  ]
                : [],
            )
            .concat([
              '../../store/**',
              '../../server/**',
              '../../queues/**',
              '../../curate/**',
              '../../publish/**',
              '../ingest.ts',
              '../persist.ts',
            ]),
          message:
            'Pipeline stages import only domain, text and their own library; ingest.ts composes them.',
        },
      ],
    ),
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'coverage/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Stripping control characters from hostile feeds is part of the job.
      'no-control-regex': 'off',
      'no-restricted-imports': restrict([]),
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['*', '!./*'], message: 'domain imports nothing.' }] },
      ],
    },
  },
  ...['fetch', 'parse', 'normalize', 'fulltext', 'dedupe', 'tag'].map(stage),
  { files: ['src/store/**/*.ts'], rules: { 'no-restricted-imports': restrict(['ioredis']) } },
  {
    files: ['src/queues/**/*.ts', 'workers/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(['bullmq']) },
  },
  {
    files: ['src/server/**/*.ts', 'src/server/**/*.tsx'],
    rules: {
      'no-restricted-imports': restrict(
        ['hono', '@hono/node-server'],
        [
          {
            group: ['../runtime/**', '../../runtime/**'],
            message: 'runtime composes the server; the server never imports runtime.',
          },
        ],
      ),
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx', 'workers/**/*.ts'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config reads process.env.' },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', '**/*.test.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': 'off', 'no-restricted-properties': 'off' },
  },
);
