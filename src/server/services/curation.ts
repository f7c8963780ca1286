// Curation operations shared by the admin API and the desk: pins (optionally timed) and hides per
// section, hides everywhere, manual tags, and a section's items as readers see them. Every change
// bumps the affected sections' versions, so cached renders are superseded at once.
import type { SectionConfig } from '../../domain/types.ts';
import { selectPage } from '../../curate/page.ts';
import { NO_TEXT_FILTERS } from '../../curate/filters.ts';
import { allSources } from '../../catalog/sources.ts';
import { applyManualTags } from '../../store/curation.ts';
import { htmlToText } from '../../text/html-text.ts';
import { badRequest, notFound } from '../http-error.ts';
import type { ServerDeps } from '../deps.ts';
import { articleRefSchema, pinSchema, tagChangeSchema } from '../admin/schemas.ts';
import { parseSectionRules, rulesViewFor } from './rules.ts';
import { runRetag, toArticle } from '../../curate/retag.ts';
import { validate } from './validate.ts';

export function createCurationService(
  deps: Pick<ServerDeps, 'config' | 'store' | 'now' | 'priorityOf'> &
    Partial<Pick<ServerDeps, 'log'>>,
) {
  const { config, store } = deps;
  const curation = store.curation;
  const sections = new Map<string, SectionConfig>(config.sections.map((s) => [s.id, s]));
  const allSectionIds = config.sections.map((s) => s.id);

  const mustSection = (id: string) => {
    const s = sections.get(id);
    if (!s) throw notFound(`unknown section "${id}"`);
    return s;
  };
  const mustArticle = async (id: string) => {
    const a = await store.articles.get(id);
    if (!a) throw notFound(`unknown article "${id}" (it may have expired)`);
    return a;
  };
  const sectionState = async (sectionId: string) => {
    const [pins, hides] = await Promise.all([
      curation.pins(sectionId),
      curation.sectionHides(sectionId),
    ]);
    const nowMs = deps.now().getTime();
    return {
      section: sectionId,
      // An expired pin is gone from every feed at once; retention removes it from Redis later.
      pins: pins
        .filter((p) => p.until === null || p.until > nowMs)
        .map((p) => ({
          articleId: p.articleId,
          pinnedAt: new Date(p.pinnedAt).toISOString(),
          until: p.until === null ? null : new Date(p.until).toISOString(),
        })),
      hides: hides.sort(),
      version: await store.sections.version(sectionId),
    };
  };

  return {
    mustSection,
    sectionState: async (id: string) => sectionState(mustSection(id).id),
    globalHides: async () => (await curation.globalHides()).sort(),

    /**
     * The section's head page as its feeds show it (pins first, hides left out), plus the
     * articles hidden here or everywhere (so they can be unhidden), with the curation state.
     */
    async sectionView(id: string) {
      const section = mustSection(id);
      const nowMs = deps.now().getTime();
      const [page, state, globalHides] = await Promise.all([
        selectPage(
          deps,
          section,
          {
            limit: null,
            tags: [],
            lang: null,
            q: null,
            before: null,
            beforeId: null,
            text: NO_TEXT_FILTERS,
            sorted: null,
          },
          nowMs,
        ),
        sectionState(section.id),
        curation.globalHides(),
      ]);
      const hiddenIds = [...new Set([...state.hides, ...globalHides])];
      const hidden = await store.articles.getMany(hiddenIds);
      return {
        section,
        items: page.items,
        pins: new Map(state.pins.map((p) => [p.articleId, p])),
        hidden: hidden.map((a) => ({
          article: a,
          here: state.hides.includes(a.id),
          everywhere: globalHides.includes(a.id),
        })),
      };
    },

    /**
     * Rule preview: what would enter and leave the section if its include/exclude rules were
     * `input`, over every stored article (`tributary retag --dry-run` with the section changed).
     * Writes nothing.
     */
    async previewRules(sectionId: string, input: unknown) {
      const section = mustSection(sectionId);
      const rules = await parseSectionRules(deps, input);
      // Over the effective rules (saved ones included), so only this section's change shows.
      const { config: effective } = await rulesViewFor(deps).current();
      const res = await runRetag(
        {
          config: {
            ...effective,
            sections: effective.sections.map((s) =>
              s.id === section.id ? { ...s, include: rules.include, exclude: rules.exclude } : s,
            ),
          },
          store,
          log: deps.log,
        },
        { dryRun: true },
      );
      const moved = (into: boolean) =>
        res.changed
          .filter(
            (c) =>
              c.sectionsAfter.includes(section.id) === into &&
              c.sectionsBefore.includes(section.id) !== into,
          )
          .map((c) => ({ id: c.id, title: c.title }));
      return { scanned: res.scanned, entering: moved(true), leaving: moved(false) };
    },

    async pin(sectionId: string, input: unknown) {
      const s = mustSection(sectionId);
      const body = validate(pinSchema, input);
      const now = deps.now().getTime();
      const until = body.until ? Date.parse(body.until) : null;
      if (until !== null && until <= now)
        throw badRequest('until must be in the future', {
          issues: [{ path: 'until', message: 'in the past' }],
        });
      await mustArticle(body.articleId);
      await curation.prune(s.id);
      await curation.pin(s.id, body.articleId, until, now);
      await store.sections.bump([s.id]);
      return sectionState(s.id);
    },

    async unpin(sectionId: string, articleId: string) {
      const s = mustSection(sectionId);
      if (!(await curation.unpin(s.id, articleId)))
        throw notFound(`article "${articleId}" is not pinned in "${s.id}"`);
      await store.sections.bump([s.id]);
      return sectionState(s.id);
    },

    async hide(sectionId: string, input: unknown) {
      const s = mustSection(sectionId);
      const body = validate(articleRefSchema, input);
      await mustArticle(body.articleId);
      await curation.prune(s.id);
      await curation.hide(s.id, body.articleId, deps.now());
      await store.sections.bump([s.id]);
      return sectionState(s.id);
    },

    async unhide(sectionId: string, articleId: string) {
      const s = mustSection(sectionId);
      if (!(await curation.unhide(s.id, articleId)))
        throw notFound(`article "${articleId}" is not hidden in "${s.id}"`);
      await store.sections.bump([s.id]);
      return sectionState(s.id);
    },

    async hideEverywhere(input: unknown) {
      const body = validate(articleRefSchema, input);
      await mustArticle(body.articleId);
      await curation.hideEverywhere(body.articleId, deps.now());
      await store.sections.bump(allSectionIds);
      return (await curation.globalHides()).sort();
    },

    async unhideEverywhere(articleId: string) {
      if (!(await curation.unhideEverywhere(articleId)))
        throw notFound(`article "${articleId}" is not hidden everywhere`);
      await store.sections.bump(allSectionIds);
      return (await curation.globalHides()).sort();
    },

    async article(id: string) {
      const a = await mustArticle(id);
      const [manualTags, indexed, globalHides] = await Promise.all([
        curation.manualTags(a.id),
        curation.articleSections(a.id),
        curation.globalHides(),
      ]);
      return {
        article: a,
        manualTags,
        sections: indexed,
        hiddenEverywhere: globalHides.includes(a.id),
      };
    },

    async changeTags(articleId: string, input: unknown) {
      const a = await mustArticle(articleId);
      const change = validate(tagChangeSchema, input);
      const expireAt =
        (await curation.articleExpiry(a.id)) ?? Date.parse(a.published) + config.retention.maxAge;
      const manual = await curation.setManualTags(a.id, change, expireAt);
      const tags = applyManualTags(a.tags, manual);
      await store.articles.replace(a.id, toArticle(a, tags));
      // Section membership follows the new tags at once, as persist would compute it (under the
      // effective rules: saved ones included).
      const { curator } = await rulesViewFor(deps).current();
      const explicit = (await allSources(config, store))
        .filter((s) => a.sources.includes(s.id))
        .flatMap((s) => s.sections ?? []);
      const member = curator.sectionsFor({
        tags,
        sources: a.sources,
        lang: a.lang,
        title: a.title,
        summary: a.summary,
        text: htmlToText(a.contentHtml),
        explicitSections: explicit,
      });
      const previous = await curation.articleSections(a.id);
      await store.sections.index(a.id, Date.parse(a.published), member, previous, true);
      await store.articles.setFields(a.id, { sections: member });
      return { articleId: a.id, tags, manualTags: manual, sections: member };
    },
  };
}

export type CurationService = ReturnType<typeof createCurationService>;
