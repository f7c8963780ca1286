// The store's Lua scripts live as `.lua` files next to this module (src/store/lua/ in the
// sources, dist/store/lua/ in the build, copied there by scripts/build.mjs). Each file documents
// its KEYS and ARGV at the top. Read once, at import; ioredis then runs them by SHA (EVALSHA).
// The article scripts share the helpers of lua/article.lua (reading and writing the article
// string), put in front of each: Redis scripts cannot call each other.
import { readFileSync } from 'node:fs';

function load(name: string): string {
  return readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
}

const ARTICLE = load('article');

export const LUA = {
  upsertArticle: ARTICLE + load('upsert-article'),
  claimUrl: load('claim-url'),
  setArticleFields: ARTICLE + load('set-article-fields'),
  replaceArticle: ARTICLE + load('replace-article'),
} as const;
