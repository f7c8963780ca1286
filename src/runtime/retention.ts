// Retention, enforced continuously: section indexes by age and count, source and global indexes by
// age. Article hashes, URL claims, LSH buckets and clusters expire by themselves (TTL).
import type { Config } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import { allSources } from './catalog.ts';

export async function runRetention(config: Pick<Config, 'retention' | 'sections' | 'sources'>, store: Store, now: Date): Promise<{ trimmed: number }> {
  const t = now.getTime();
  const { maxAge, maxPerSection } = config.retention;
  let trimmed = 0;
  for (const s of config.sections) trimmed += await store.sections.trim(s.id, t, maxAge, maxPerSection);
  for (const s of await allSources(config, store)) await store.sources.trimArticles(s.id, t, maxAge);
  trimmed += await store.articles.trimIndex(t, maxAge);
  return { trimmed };
}
