// Section rules and tag keywords saved at runtime, shared by the admin API and the desk: read the
// effective rules (config + saved), save (validated exactly as the config file is), reset to the
// config's, and preview a tag's matches. A save or reset bumps the rules version (every process
// picks the new rules up at its next poll) and queues the retag that applies them to the stored
// articles; its progress and outcome are read back here.
import type { Config, SectionConfig, TagConfig } from '../../domain/types.ts';
import { allSources } from '../../catalog/sources.ts';
import { createRulesView } from '../../catalog/rules.ts';
import type { RulesView } from '../../catalog/rules.ts';
import { applySavedRules } from '../../curate/apply-rules.ts';
import { createTagger } from '../../pipeline/tag/tagger.ts';
import { applyManualTags } from '../../store/curation.ts';
import type { RetagStatus, RetagTarget, SectionRules } from '../../store/rules.ts';
import { htmlToText } from '../../text/html-text.ts';
import { badRequest, notFound } from '../http-error.ts';
import type { ServerDeps } from '../deps.ts';
import { sectionRulesSchema, tagKeywordsSchema } from '../admin/schemas.ts';
import { zodIssues } from './validate.ts';
import type { FieldIssue } from './validate.ts';

type Deps = Pick<ServerDeps, 'config' | 'store' | 'now'> &
  Partial<Pick<ServerDeps, 'log' | 'enqueueRetag'>>;

/** Matches a tag preview lists at most. */
export const TAG_PREVIEW_LIMIT = 50;

const views = new WeakMap<object, RulesView<Config>>();
/** One rules view per store (services built over the same store share its cache). */
export function rulesViewFor(deps: Pick<Deps, 'config' | 'store'>): RulesView<Config> {
  let v = views.get(deps.store);
  if (!v) views.set(deps.store, (v = createRulesView(deps.config, deps.store)));
  return v;
}

/**
 * A section's include/exclude rules as the config file takes them: the schema's checks, then
 * every tag and source named must exist (400 naming each field, e.g. `include.tags.0`).
 */
export async function parseSectionRules(deps: Deps, input: unknown): Promise<SectionRules> {
  const parsed = sectionRulesSchema.safeParse(input);
  const issues: FieldIssue[] = parsed.success ? [] : zodIssues(parsed.error);
  const knownTags = new Set(deps.config.tags.map((t) => t.id));
  const knownSources = new Set((await allSources(deps.config, deps.store)).map((s) => s.id));
  const raw = (input ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const part of ['include', 'exclude'] as const) {
    const names = (key: string) => {
      const v = raw[part]?.[key];
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    };
    names('tags').forEach((t, i) => {
      if (!knownTags.has(t))
        issues.push({ path: `${part}.tags.${i}`, message: `unknown tag "${t}"` });
    });
    names('sources').forEach((s, i) => {
      if (!knownSources.has(s))
        issues.push({ path: `${part}.sources.${i}`, message: `unknown source "${s}"` });
    });
  }
  if (issues.length || !parsed.success) throw badRequest('invalid rule', { issues });
  return parsed.data;
}

export function createRulesService(deps: Deps) {
  const { config, store } = deps;
  const rules = rulesViewFor(deps);
  const configSection = (id: string): SectionConfig => {
    const s = config.sections.find((x) => x.id === id);
    if (!s) throw notFound(`unknown section "${id}"`);
    return s;
  };
  const configTag = (id: string): TagConfig => {
    const t = config.tags.find((x) => x.id === id);
    if (!t) throw notFound(`unknown tag "${id}"`);
    return t;
  };

  /** Queues the retag of a save (or runs it here, in the background, without a queue). */
  const applyInBackground = async (target: RetagTarget, version: number) => {
    await store.rules.setRetagStatus(target, {
      state: 'queued',
      version,
      done: 0,
      total: 0,
      entered: 0,
      left: 0,
      error: null,
      updatedAt: deps.now().toISOString(),
    });
    if (deps.enqueueRetag) return deps.enqueueRetag({ target, version });
    void applySavedRules({ config, store, rules, log: deps.log, now: deps.now }, target, version)
      // (applySavedRules records its own failures; this catches Redis being gone meanwhile)
      .catch((err: Error) => deps.log?.warn(`retag of ${target}: ${err.message}`));
  };

  const sectionRules = async (id: string) => {
    const base = configSection(id);
    const { overlay } = await rules.current();
    const saved = overlay.sections.get(id) ?? null;
    const pick = (s: SectionRules): SectionRules => ({ include: s.include, exclude: s.exclude });
    return {
      section: id,
      rules: pick(saved ?? base),
      /** Saved at runtime over the config file's (reset restores those). */
      overridden: saved !== null,
      savedAt: saved?.savedAt ?? null,
      configRules: pick(base),
      retag: await store.rules.retagStatus(`section:${id}`),
    };
  };

  const tagView = async (
    t: TagConfig,
    retag: RetagStatus | null,
    saved?: { keywords: string[]; savedAt: string },
  ) => ({
    id: t.id,
    label: t.label,
    keywords: saved ? saved.keywords : t.keywords,
    categories: t.categories,
    overridden: saved !== undefined,
    savedAt: saved?.savedAt ?? null,
    configKeywords: t.keywords,
    retag,
  });

  const tag = async (id: string) => {
    const t = configTag(id);
    const { overlay } = await rules.current();
    return tagView(t, await store.rules.retagStatus(`tag:${id}`), overlay.tags.get(id));
  };

  return {
    /** The effective rules (config + saved), as every process applies them. */
    effective: () => rules.current(),
    sectionRules,

    async saveSectionRules(id: string, input: unknown) {
      configSection(id);
      const parsed = await parseSectionRules(deps, input);
      const version = await store.rules.saveSection(id, parsed, deps.now());
      await applyInBackground(`section:${id}`, version);
      return sectionRules(id);
    },

    async resetSectionRules(id: string) {
      configSection(id);
      if (!(await store.rules.load()).sections.has(id))
        throw notFound(`section "${id}" has no saved rules (it follows the config file)`);
      const version = await store.rules.resetSection(id);
      await applyInBackground(`section:${id}`, version);
      return sectionRules(id);
    },

    async listTags() {
      const { overlay } = await rules.current();
      return Promise.all(
        config.tags.map(async (t) =>
          tagView(t, await store.rules.retagStatus(`tag:${t.id}`), overlay.tags.get(t.id)),
        ),
      );
    },
    tag,

    async saveTagKeywords(id: string, input: unknown) {
      configTag(id);
      const parsed = tagKeywordsSchema.safeParse(input);
      if (!parsed.success)
        throw badRequest('invalid keywords', { issues: zodIssues(parsed.error) });
      const version = await store.rules.saveTag(id, parsed.data.keywords, deps.now());
      await applyInBackground(`tag:${id}`, version);
      return tag(id);
    },

    async resetTagKeywords(id: string) {
      configTag(id);
      if (!(await store.rules.load()).tags.has(id))
        throw notFound(`tag "${id}" has no saved keywords (it follows the config file)`);
      const version = await store.rules.resetTag(id);
      await applyInBackground(`tag:${id}`, version);
      return tag(id);
    },

    /**
     * Which stored articles would carry the tag with these keywords (the effective ones when
     * none are given): its keywords, categories and the sources configured with it, as the
     * tagger applies them, manual tags on top. Writes nothing. The newest 50 are listed.
     */
    async previewTag(id: string, input: unknown) {
      const base = configTag(id);
      const given = (input ?? {}) as { keywords?: unknown };
      const { config: effective } = await rules.current();
      const current = effective.tags.find((t) => t.id === id) ?? base;
      let keywords = current.keywords;
      if (given.keywords !== undefined) {
        const parsed = tagKeywordsSchema.safeParse(input);
        if (!parsed.success)
          throw badRequest('invalid keywords', { issues: zodIssues(parsed.error) });
        keywords = parsed.data.keywords;
      }
      const tagger = createTagger([{ ...current, keywords }]);
      const sourceTags = new Map(
        (await allSources(config, store)).map((s) => [s.id, s.tags.filter((x) => x === id)]),
      );
      const matches: {
        id: string;
        title: string;
        lang: string;
        published: string;
        tagged: boolean;
      }[] = [];
      let scanned = 0;
      let gained = 0;
      let lost = 0;
      const seen = new Set<string>();
      for (let offset = 0; ; offset += 200) {
        const raw = await store.articles.scanIds(offset, 200);
        if (raw.length === 0) break;
        // New articles may enter the index while we page; an id seen twice counts once.
        const page = raw.filter((x) => !seen.has(x));
        page.forEach((x) => seen.add(x));
        const articles = await store.articles.getMany(page);
        const manual = await Promise.all(articles.map((a) => store.curation.manualTags(a.id)));
        articles.forEach((a, i) => {
          scanned++;
          const computed = tagger.tag({
            title: a.title,
            summary: a.summary,
            text: htmlToText(a.contentHtml),
            categories: a.sourceCategories,
            sourceTags: sourceTags.get(a.sourceId) ?? [],
          });
          const will = applyManualTags(computed, manual[i]!).includes(id);
          const has = a.tags.includes(id);
          if (will && !has) gained++;
          if (!will && has) lost++;
          if (will)
            matches.push({
              id: a.id,
              title: a.title,
              lang: a.lang,
              published: a.published,
              tagged: has,
            });
        });
      }
      matches.sort((x, y) => y.published.localeCompare(x.published));
      return {
        tag: id,
        keywords,
        scanned,
        total: matches.length,
        /** Articles that would gain / lose the tag if these keywords were saved. */
        gained,
        lost,
        matches: matches.slice(0, TAG_PREVIEW_LIMIT),
      };
    },
  };
}

export type RulesService = ReturnType<typeof createRulesService>;
