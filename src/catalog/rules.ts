// The effective tag and section rules: the config file's, with the rules saved at runtime (desk,
// admin API; store/rules.ts) on top. Like runtime sources (catalog/sources.ts) they live in Redis
// and every process reads them there, so a save reaches the poll workers, the ingest thread and
// the servers without a restart: `current()` costs one GET of the rules version and rebuilds the
// tagger and curator only when it moved.
import type { Config, SectionConfig, TagConfig } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import type { RuleOverlay } from '../store/rules.ts';
import { createTagger } from '../pipeline/tag/tagger.ts';
import type { Tagger } from '../pipeline/tag/tagger.ts';
import { createCurator } from '../curate/curator.ts';
import type { Curator } from '../curate/curator.ts';

/** The config's tags and sections with the overlay's saved rules in place of theirs. */
export function withOverlay<C extends Pick<Config, 'tags' | 'sections'>>(
  config: C,
  overlay: Pick<RuleOverlay, 'sections' | 'tags'>,
): C {
  if (overlay.sections.size === 0 && overlay.tags.size === 0) return { ...config };
  const tags: TagConfig[] = config.tags.map((t) => {
    const o = overlay.tags.get(t.id);
    return o ? { ...t, keywords: [...o.keywords] } : t;
  });
  const sections: SectionConfig[] = config.sections.map((s) => {
    const o = overlay.sections.get(s.id);
    return o ? { ...s, include: o.include, exclude: o.exclude } : s;
  });
  return { ...config, tags, sections };
}

export interface EffectiveRules<C extends Pick<Config, 'tags' | 'sections'>> {
  /** The overlay version these rules were built from (0: the config file's alone). */
  version: number;
  /** The config with the effective tags and sections (one object per version, so caches keyed
   *  on it, such as rulesVersion's, hold). */
  config: C;
  overlay: RuleOverlay;
  tagger: Tagger;
  curator: Curator;
}

export interface RulesView<C extends Pick<Config, 'tags' | 'sections'>> {
  current(): Promise<EffectiveRules<C>>;
}

export function createRulesView<C extends Pick<Config, 'tags' | 'sections'>>(
  config: C,
  store: Pick<Store, 'rules'>,
): RulesView<C> {
  let cached: EffectiveRules<C> | null = null;
  let loading: Promise<EffectiveRules<C>> | null = null;
  const build = async (): Promise<EffectiveRules<C>> => {
    const overlay = await store.rules.load();
    const effective = withOverlay(config, overlay);
    return {
      version: overlay.version,
      config: effective,
      overlay,
      tagger: createTagger(effective.tags),
      curator: createCurator(effective.sections),
    };
  };
  return {
    async current() {
      const version = await store.rules.version();
      if (cached && cached.version === version) return cached;
      // Concurrent polls share one rebuild.
      loading ??= build().finally(() => (loading = null));
      const built = await loading;
      if (!cached || built.version >= cached.version) cached = built;
      return built;
    },
  };
}
