// The catalog of sources: the config file's (read-only at runtime) plus those added at runtime
// through the admin API or OPML import (kept in Redis, surviving restarts).
import type { Config, SourceConfig } from '../domain/types.ts';
import type { Store } from '../store/index.ts';

/** Config sources paused through the admin API read as disabled (the config file stays untouched). */
const withPause = (s: SourceConfig, paused: ReadonlySet<string>): SourceConfig =>
  s.enabled && paused.has(s.id) ? { ...s, enabled: false } : s;

export async function allSources(
  config: Pick<Config, 'sources'>,
  store: Store,
): Promise<SourceConfig[]> {
  const fromConfig = new Set(config.sources.map((s) => s.id));
  const [stored, paused] = await Promise.all([
    store.sources.listRuntime(),
    store.curation.pausedSources(),
  ]);
  const runtime = stored.filter((s) => !fromConfig.has(s.id));
  return [...config.sources, ...runtime].map((s) => withPause(s, paused));
}

export async function findSource(
  config: Pick<Config, 'sources'>,
  store: Store,
  id: string,
): Promise<SourceConfig | null> {
  const own =
    config.sources.find((s) => s.id === id) ??
    (await store.sources.listRuntime()).find((s) => s.id === id) ??
    null;
  return own ? withPause(own, await store.curation.pausedSources()) : null;
}
