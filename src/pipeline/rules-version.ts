// A short fingerprint of everything that shapes a stored article besides the feed itself: tag rules,
// section definitions and the source's own settings. When it changes, re-polls process every item
// again instead of skipping the unchanged ones.
import { createHash } from 'node:crypto';
import type { Config, SourceConfig } from '../domain/types.ts';

const cache = new WeakMap<object, string>();

export function rulesVersion(
  config: Partial<Pick<Config, 'tags' | 'sections'>>,
  source: SourceConfig,
): string {
  let base = cache.get(config);
  if (base === undefined) {
    base = createHash('sha1')
      .update(JSON.stringify([config.tags ?? null, config.sections ?? null]))
      .digest('base64url');
    cache.set(config, base);
  }
  // `fullText` joins only when set away from the default, so existing versions stay as they were.
  const fullText = source.fullText && source.fullText !== 'auto' ? `:${source.fullText}` : '';
  return `${base}:${JSON.stringify([source.lang, source.tags, source.sections ?? [], source.url])}${fullText}`;
}
