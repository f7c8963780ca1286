// The catalog of sources: the config file's (read-only at runtime) plus those added at runtime
// through the admin API or OPML import (kept in Redis, surviving restarts).
import type { Config, SourceConfig } from '../domain/types.ts';
import type { Store } from '../store/index.ts';

export async function allSources(config: Pick<Config, 'sources'>, store: Store): Promise<SourceConfig[]> {
  const fromConfig = new Set(config.sources.map((s) => s.id));
  const runtime = (await store.sources.listRuntime()).filter((s) => !fromConfig.has(s.id));
  return [...config.sources, ...runtime];
}

export async function findSource(config: Pick<Config, 'sources'>, store: Store, id: string): Promise<SourceConfig | null> {
  const own = config.sources.find((s) => s.id === id);
  if (own) return own;
  return (await store.sources.listRuntime()).find((s) => s.id === id) ?? null;
}

/** How often a source's scheduler ticks; the adaptive schedule may skip ticks, never add them. */
export function tickInterval(config: Pick<Config, 'fetch'>, source: SourceConfig): number {
  return source.interval ?? Math.min(config.fetch.defaultInterval, config.fetch.minInterval);
}
