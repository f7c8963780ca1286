// The store's Lua scripts live as `.lua` files next to this module (src/store/lua/ in the
// sources, dist/store/lua/ in the build, copied there by scripts/build.mjs). Each file documents
// its KEYS and ARGV at the top. Read once, at import; ioredis then runs them by SHA (EVALSHA).
import { readFileSync } from 'node:fs';

function load(name: string): string {
  return readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
}

export const LUA = {
  upsertArticle: load('upsert-article'),
  claimUrl: load('claim-url'),
  setArticleFields: load('set-article-fields'),
  replaceArticle: load('replace-article'),
} as const;
