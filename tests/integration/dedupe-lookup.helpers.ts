// Shared set-up of the near-duplicate lookup tests: an ingest pipeline on a real Redis and a
// loopback feed server, with sources x0..xN.
import { createStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/index.ts';
import type { RedisClient } from '../../src/store/client.ts';
import { createFetcher } from '../../src/pipeline/fetch/fetcher.ts';
import { createTagger } from '../../src/pipeline/tag/tagger.ts';
import { createCurator } from '../../src/curate/curator.ts';
import type { IngestDeps } from '../../src/pipeline/ingest.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { SourceConfig } from '../../src/domain/types.ts';
import { uniquePrefix } from '../helpers/redis.ts';

export const NOW = '2026-11-20T12:00:00Z';

export function lookupSetup(
  redis: RedisClient,
  base: string,
  sources: number,
): { deps: IngestDeps; store: Store; src: SourceConfig[] } {
  const list = Array.from(
    { length: sources },
    (_, i) => `  - { id: x${i}, url: "\${BASE}/x${i}.rss", lang: en }`,
  ).join('\n');
  const cfg = parseConfigText(
    `
fetch: { allowPrivateNetworks: true, timeout: 10s }
retention: { maxAge: 30d }
sources:
${list}
sections:
  - { id: all, title: All, lang: en, limit: 200 }
`,
    'test.yaml',
    { BASE: base },
  );
  const store = createStore(redis, { prefix: uniquePrefix('lsh'), unhealthyAfter: 3 });
  const deps: IngestDeps = {
    config: cfg,
    store,
    fetcher: createFetcher({
      timeoutMs: 10_000,
      maxBytes: 8 << 20,
      userAgent: 'test',
      allowPrivateNetworks: true,
      maxRedirects: 5,
    }),
    hostLimiter: null,
    tagger: createTagger(cfg.tags),
    curator: createCurator(cfg.sections),
    priorityOf: () => 0,
    now: () => new Date(NOW),
  };
  return { deps, store, src: cfg.sources };
}
