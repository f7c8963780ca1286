// Retention, enforced continuously: section indexes by age and count, source and global indexes by
// age. Article hashes, URL claims, LSH buckets and clusters expire by themselves (TTL).
import type { Config } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import { allSources } from '../catalog/sources.ts';

/** Longest pause between sweeps: with the default maxAge (30 d) a sweep every 10 min is plenty. */
export const RETENTION_MAX_EVERY_MS = 10 * 60_000;
/** Shortest pause between sweeps, however short maxAge is. */
export const RETENTION_MIN_EVERY_MS = 5_000;

/**
 * How often to sweep. The age-ordered indexes (global, per source) hold up to maxAge + one pause
 * of articles, so the pause scales with maxAge (a tenth of it: indexes at most ~10 % over what
 * retention keeps), between 5 s and 10 min. A fixed 10-min pause let a 2-min maxAge's indexes grow
 * to six times their size between sweeps.
 */
export function retentionEveryMs(maxAgeMs: number): number {
  return Math.min(
    RETENTION_MAX_EVERY_MS,
    Math.max(RETENTION_MIN_EVERY_MS, Math.round(maxAgeMs / 10)),
  );
}

export async function runRetention(
  config: Pick<Config, 'retention' | 'sections' | 'sources'>,
  store: Store,
  now: Date,
): Promise<{ trimmed: number }> {
  const t = now.getTime();
  const { maxAge, maxPerSection } = config.retention;
  let trimmed = 0;
  for (const s of config.sections) {
    trimmed += await store.sections.trim(s.id, t, maxAge, maxPerSection);
    // Expired timed pins already left every feed by the clock (a GET writes nothing); drop them here.
    await store.curation.expirePins(s.id, t);
  }
  for (const s of await allSources(config, store))
    await store.sources.trimArticles(s.id, t, maxAge);
  trimmed += await store.articles.trimIndex(t, maxAge);
  return { trimmed };
}
