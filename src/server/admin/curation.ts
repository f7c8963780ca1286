// /admin/api curation: pins and hides per section, hides everywhere, manual tags, and the stored
// article. Every change bumps the affected sections' versions, so cached renders are superseded at once.
import type { Hono } from 'hono';
import type { Article, SectionConfig, StoredArticle } from '../../domain/types.ts';
import { createCurator } from '../../curate/curator.ts';
import { allSources } from '../../catalog/sources.ts';
import { applyManualTags } from '../../store/curation.ts';
import { htmlToText } from '../../text/html-text.ts';
import { badRequest, notFound } from '../http-error.ts';
import type { ServerDeps } from '../deps.ts';
import { jsonBody } from './validate.ts';
import { articleRefSchema, pinSchema, tagChangeSchema } from './schemas.ts';

/** The plain article of a stored one (what the article hash holds). */
function plainArticle(a: StoredArticle, tags: string[]): Article {
  return {
    id: a.id,
    sourceId: a.sourceId,
    guid: a.guid,
    url: a.url,
    title: a.title,
    published: a.published,
    updated: a.updated,
    author: a.author,
    summary: a.summary,
    contentHtml: a.contentHtml,
    image: a.image,
    lang: a.lang,
    tags,
    sourceCategories: a.sourceCategories,
    contentHash: a.contentHash,
  };
}

export function registerCurationRoutes(app: Hono, deps: ServerDeps) {
  const { config, store } = deps;
  const curation = store.curation;
  const curator = createCurator(config.sections);
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

  app.get('/admin/api/sections/:id', async (c) => {
    const s = mustSection(c.req.param('id'));
    return c.json({
      ...(await sectionState(s.id)),
      globalHides: (await curation.globalHides()).sort(),
    });
  });

  app.post('/admin/api/sections/:id/pins', async (c) => {
    const s = mustSection(c.req.param('id'));
    const body = await jsonBody(c, pinSchema);
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
    return c.json(await sectionState(s.id), 201);
  });

  app.delete('/admin/api/sections/:id/pins/:articleId', async (c) => {
    const s = mustSection(c.req.param('id'));
    const articleId = c.req.param('articleId');
    if (!(await curation.unpin(s.id, articleId)))
      throw notFound(`article "${articleId}" is not pinned in "${s.id}"`);
    await store.sections.bump([s.id]);
    return c.json(await sectionState(s.id));
  });

  app.post('/admin/api/sections/:id/hides', async (c) => {
    const s = mustSection(c.req.param('id'));
    const body = await jsonBody(c, articleRefSchema);
    await mustArticle(body.articleId);
    await curation.prune(s.id);
    await curation.hide(s.id, body.articleId, deps.now());
    await store.sections.bump([s.id]);
    return c.json(await sectionState(s.id), 201);
  });

  app.delete('/admin/api/sections/:id/hides/:articleId', async (c) => {
    const s = mustSection(c.req.param('id'));
    const articleId = c.req.param('articleId');
    if (!(await curation.unhide(s.id, articleId)))
      throw notFound(`article "${articleId}" is not hidden in "${s.id}"`);
    await store.sections.bump([s.id]);
    return c.json(await sectionState(s.id));
  });

  app.get('/admin/api/hides', async (c) =>
    c.json({ hides: (await curation.globalHides()).sort() }),
  );

  app.post('/admin/api/hides', async (c) => {
    const body = await jsonBody(c, articleRefSchema);
    await mustArticle(body.articleId);
    await curation.hideEverywhere(body.articleId, deps.now());
    await store.sections.bump(allSectionIds);
    return c.json({ hides: (await curation.globalHides()).sort() }, 201);
  });

  app.delete('/admin/api/hides/:articleId', async (c) => {
    const articleId = c.req.param('articleId');
    if (!(await curation.unhideEverywhere(articleId)))
      throw notFound(`article "${articleId}" is not hidden everywhere`);
    await store.sections.bump(allSectionIds);
    return c.json({ hides: (await curation.globalHides()).sort() });
  });

  app.get('/admin/api/articles/:id', async (c) => {
    const a = await mustArticle(c.req.param('id'));
    const [manualTags, indexed, globalHides] = await Promise.all([
      curation.manualTags(a.id),
      curation.articleSections(a.id),
      curation.globalHides(),
    ]);
    return c.json({
      article: a,
      manualTags,
      sections: indexed,
      hiddenEverywhere: globalHides.includes(a.id),
    });
  });

  app.post('/admin/api/articles/:id/tags', async (c) => {
    const a = await mustArticle(c.req.param('id'));
    const change = await jsonBody(c, tagChangeSchema);
    const expireAt =
      (await curation.articleExpiry(a.id)) ?? Date.parse(a.published) + config.retention.maxAge;
    const manual = await curation.setManualTags(a.id, change, expireAt);
    const tags = applyManualTags(a.tags, manual);
    await store.articles.replace(a.id, plainArticle(a, tags));
    // Section membership follows the new tags at once, as persist would compute it.
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
    return c.json({ articleId: a.id, tags, manualTags: manual, sections: member });
  });
}
