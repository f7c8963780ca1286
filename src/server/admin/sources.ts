// /admin/api/sources: list, add (validated, with feed discovery), update, pause/resume, delete and
// refresh now. Runtime sources live in Redis; config sources are read-only here except for pause.
import type { Context, Hono } from 'hono';
import type { SourceConfig } from '../../domain/types.ts';
import { allSources, findSource } from '../../catalog/sources.ts';
import { HttpError, badRequest, notFound } from '../http-error.ts';
import type { ServerDeps } from '../deps.ts';
import { jsonBody } from './validate.ts';
import { addSourceSchema, patchSourceSchema } from './schemas.ts';
import { resolveFeed } from './resolve-feed.ts';
import { sourceHealth } from '../source-health.ts';
import { runRetag } from '../../curate/retag.ts';

const conflict = (message: string) => new HttpError(409, 'conflict', message);

export function registerSourceRoutes(app: Hono, deps: ServerDeps) {
  const { config, store } = deps;
  const curation = store.curation;
  const knownTags = new Set(config.tags.map((t) => t.id));
  const knownSections = new Set(config.sections.map((s) => s.id));

  const sync = async () => {
    await deps.syncSchedules?.();
  };
  const checkRefs = (body: { tags?: string[]; sections?: string[] }) => {
    const issues: { path: string; message: string }[] = [];
    body.tags?.forEach((t, i) => {
      if (!knownTags.has(t)) issues.push({ path: `tags.${i}`, message: `unknown tag "${t}"` });
    });
    body.sections?.forEach((s, i) => {
      if (!knownSections.has(s))
        issues.push({ path: `sections.${i}`, message: `unknown section "${s}"` });
    });
    if (issues.length) throw badRequest('invalid request body', { issues });
  };
  const mustFind = async (id: string): Promise<SourceConfig> => {
    const s = await findSource(config, store, id);
    if (!s) throw notFound(`unknown source "${id}"`);
    return s;
  };
  const view = async (s: SourceConfig) => {
    const [st, paused] = await Promise.all([
      store.sources.getState(s.id),
      curation.pausedSources(),
    ]);
    return {
      ...s,
      title: s.title,
      sections: s.sections ?? [],
      push: s.push !== false,
      readOnly: s.origin === 'config',
      paused: !s.enabled || paused.has(s.id),
      health: sourceHealth(s, st),
    };
  };

  app.get('/admin/api/sources', async (c) => {
    const sources = await allSources(config, store);
    return c.json({ sources: await Promise.all(sources.map(view)) });
  });

  app.get('/admin/api/sources/:id', async (c) =>
    c.json({ source: await view(await mustFind(c.req.param('id'))) }),
  );

  app.post('/admin/api/sources', async (c) => {
    const body = await jsonBody(c, addSourceSchema);
    checkRefs(body);
    const existing = await allSources(config, store);
    if (existing.some((s) => s.id === body.id))
      throw conflict(`a source with id "${body.id}" exists`);
    const feed = await resolveFeed(config.fetch, body.url);
    const dup = existing.find((s) => s.url === feed.url);
    if (dup) throw conflict(`${feed.url} is already source "${dup.id}"`);
    const source: SourceConfig = {
      id: body.id,
      url: feed.url,
      title: body.title ?? feed.title,
      lang: body.lang ?? feed.lang?.toLowerCase() ?? null,
      interval: body.interval ?? null,
      tags: body.tags ?? [],
      priority: body.priority ?? 0,
      enabled: true,
      origin: 'runtime',
      ...(body.sections?.length ? { sections: body.sections } : {}),
      ...(body.push === false ? { push: false } : {}),
    };
    await store.sources.putRuntime(source);
    await sync();
    return c.json(
      {
        source: await view(source),
        feed: { discoveredFrom: feed.discoveredFrom, items: feed.items },
      },
      201,
    );
  });

  app.patch('/admin/api/sources/:id', async (c) => {
    const current = await mustFind(c.req.param('id'));
    if (current.origin === 'config')
      throw conflict(
        `source "${current.id}" comes from the config file and is read-only here (pause/resume work)`,
      );
    const body = await jsonBody(c, patchSourceSchema);
    checkRefs(body);
    const next: SourceConfig = { ...current };
    let discoveredFrom: string | null = null;
    if (body.url !== undefined && body.url !== current.url) {
      const feed = await resolveFeed(config.fetch, body.url);
      const dup = (await allSources(config, store)).find(
        (s) => s.url === feed.url && s.id !== current.id,
      );
      if (dup) throw conflict(`${feed.url} is already source "${dup.id}"`);
      next.url = feed.url;
      discoveredFrom = feed.discoveredFrom;
    }
    if (body.title !== undefined) next.title = body.title;
    if (body.lang !== undefined) next.lang = body.lang;
    if (body.interval !== undefined) next.interval = body.interval;
    if (body.tags !== undefined) next.tags = body.tags;
    if (body.priority !== undefined) next.priority = body.priority;
    if (body.sections !== undefined) next.sections = body.sections;
    if (body.push !== undefined) next.push = body.push;
    await store.sources.putRuntime(next);
    await sync();
    // New tags or sections reach the source's stored articles at once, not at the next retag.
    const same = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
      JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());
    const rulesChanged =
      (body.tags !== undefined && !same(body.tags, current.tags)) ||
      (body.sections !== undefined && !same(body.sections, current.sections));
    const applied = rulesChanged
      ? await runRetag({ config, store, log: deps.log }, { dryRun: false, sourceId: next.id })
      : null;
    return c.json({
      source: await view(next),
      ...(discoveredFrom ? { feed: { discoveredFrom } } : {}),
      ...(applied
        ? { applied: { articles: applied.scanned, replaced: applied.changed.length } }
        : {}),
    });
  });

  const setPaused = (paused: boolean) => async (c: Context) => {
    const s = await mustFind(c.req.param('id') ?? '');
    if (s.origin === 'config') await curation.setPaused(s.id, paused, deps.now());
    else {
      const stored = (await store.sources.listRuntime()).find((r) => r.id === s.id)!;
      await store.sources.putRuntime({ ...stored, enabled: !paused });
    }
    const st = await store.sources.getState(s.id);
    await store.sources.patchState(s.id, {
      status: paused
        ? 'paused'
        : st.lastError && st.consecutiveFailures > 0
          ? 'error'
          : st.lastSuccess
            ? 'ok'
            : 'new',
    });
    await sync();
    return c.json({ source: await view((await findSource(config, store, s.id))!) });
  };
  app.post('/admin/api/sources/:id/pause', setPaused(true));
  app.post('/admin/api/sources/:id/resume', setPaused(false));

  app.delete('/admin/api/sources/:id', async (c) => {
    const s = await mustFind(c.req.param('id'));
    if (s.origin === 'config')
      throw conflict(`source "${s.id}" comes from the config file and cannot be deleted here`);
    await store.sources.deleteRuntime(s.id);
    await Promise.all([
      store.sources.deleteState(s.id),
      curation.setPaused(s.id, false, deps.now()),
    ]);
    await sync();
    return c.json({ deleted: s.id });
  });

  app.post('/admin/api/sources/:id/refresh', async (c) => {
    const s = await mustFind(c.req.param('id'));
    if (!s.enabled) throw conflict(`source "${s.id}" is paused; resume it first`);
    if (!deps.refresh)
      throw new HttpError(503, 'unavailable', 'this server has no queue to refresh through');
    const jobId = await deps.refresh(s.id);
    return c.json({ queued: s.id, jobId }, 202);
  });
}
