// Source operations shared by the admin API (JSON) and the desk (HTML forms): list with health,
// add (validated, with feed discovery), update, pause/resume, delete, refresh now, OPML import
// and export. Handlers only translate HTTP to these calls and back; the rules live here.
// Runtime sources live in Redis; config sources are read-only except for pause/resume.
import type { z } from 'zod';
import type { SourceConfig } from '../../domain/types.ts';
import { allSources, findSource } from '../../catalog/sources.ts';
import { importOpml } from '../../catalog/opml-import.ts';
import { sourceSlug, uniqueId } from '../../catalog/slug.ts';
import { runRetag } from '../../curate/retag.ts';
import { HttpError, badRequest, notFound } from '../http-error.ts';
import type { ServerDeps } from '../deps.ts';
import { addSourceInputSchema, patchSourceSchema } from '../admin/schemas.ts';
import { FeedRejected, resolveFeed as resolveCatalogFeed } from '../../catalog/resolve-feed.ts';
import { sourceHealth } from '../source-health.ts';
import { renderSourcesOpml } from './opml-export.ts';
import { validate } from './validate.ts';
import { withSourceSettings } from '../../pipeline/source-fetch.ts';

/** The catalog's feed check, its refusals as HTTP errors (400 / 422 with the reason). */
async function resolveFeed(...args: Parameters<typeof resolveCatalogFeed>) {
  try {
    return await resolveCatalogFeed(...args);
  } catch (e) {
    if (e instanceof FeedRejected) throw new HttpError(e.status, e.code, e.message);
    throw e;
  }
}

/** A source's settings as the API shows them: header names only, `auth` as its kind, never a secret. */
export function settingsView(s: SourceConfig) {
  const f = s.fetch;
  const auth = f?.auth ? ('basic' in f.auth ? 'basic' : 'bearer') : null;
  return {
    fetch: f
      ? {
          userAgent: f.userAgent ?? null,
          headers: Object.keys(f.headers ?? {}),
          charset: f.charset ?? null,
          auth,
        }
      : null,
    include: s.include ?? null,
    exclude: s.exclude ?? null,
    fullText: s.fullText ?? 'auto',
    push: s.push ?? true,
  };
}

type SettingsBody = Partial<Pick<SourceConfig, 'fullText' | 'push'>> & {
  fetch?: SourceConfig['fetch'] | null;
  include?: SourceConfig['include'] | null;
  exclude?: SourceConfig['exclude'] | null;
};

/** Applies given per-source settings to a source (null removes one). */
function applySettings(s: SourceConfig, body: SettingsBody): SourceConfig {
  const next: SourceConfig = { ...s };
  for (const k of ['fetch', 'include', 'exclude'] as const) {
    if (body[k] === null) delete next[k];
    else if (body[k] !== undefined) (next as unknown as Record<string, unknown>)[k] = body[k];
  }
  if (body.fullText !== undefined) next.fullText = body.fullText;
  if (body.push !== undefined) next.push = body.push;
  return next;
}

export const conflict = (message: string, details?: unknown) =>
  new HttpError(409, 'conflict', message, details);

export type SourceView = Awaited<ReturnType<SourceService['view']>>;

/** A field-level problem: `path` names the input field (`url`, `id`, `sections.0`…). */
const fieldError = (status: 400 | 409, path: string, message: string) =>
  new HttpError(status, status === 409 ? 'conflict' : 'bad-request', message, {
    issues: [{ path, message }],
  });

export function createSourceService(
  deps: Pick<ServerDeps, 'config' | 'store' | 'now' | 'refresh' | 'syncSchedules'> &
    Partial<Pick<ServerDeps, 'log'>>,
) {
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
  const present = (s: SourceConfig, st: Parameters<typeof sourceHealth>[1], paused: boolean) => ({
    ...s,
    ...settingsView(s),
    title: s.title,
    sections: s.sections ?? [],
    push: s.push !== false,
    readOnly: s.origin === 'config',
    paused: !s.enabled || paused,
    health: sourceHealth(s, st),
  });
  const view = async (s: SourceConfig) => {
    const [st, paused] = await Promise.all([
      store.sources.getState(s.id),
      curation.pausedSources(),
    ]);
    return present(s, st, paused.has(s.id));
  };

  return {
    view,
    get: async (id: string) => view(await mustFind(id)),

    /** Every source with its health, in catalog order. */
    async list() {
      const [sources, paused] = await Promise.all([
        allSources(config, store),
        curation.pausedSources(),
      ]);
      const states = await store.sources.getStates(sources.map((s) => s.id));
      return sources.map((s, i) => present(s, states[i]!, paused.has(s.id)));
    },

    /** Each source's title (its id when it has none), without reading any health state. */
    async titles(): Promise<Map<string, string>> {
      return new Map((await allSources(config, store)).map((s) => [s.id, s.title ?? s.id]));
    },

    /**
     * Adds a runtime source. `input` is validated here (the admin API's fields; an empty `id` is
     * derived from the title, or the feed's title, or the host). The feed is fetched first: a URL
     * that is not a feed (or a page without one) is refused.
     */
    async add(input: unknown) {
      const body = validate(addSourceInputSchema, input);
      checkRefs(body);
      const existing = await allSources(config, store);
      if (body.id && existing.some((s) => s.id === body.id))
        throw fieldError(409, 'id', `a source with id "${body.id}" exists`);
      let feed;
      // Checked with the source's own headers and credentials, as its polls will fetch it.
      const asSource = applySettings({ id: body.id ?? 'new', url: body.url } as SourceConfig, body);
      try {
        feed = await resolveFeed(config.fetch, body.url, (req) =>
          withSourceSettings(req, asSource),
        );
      } catch (e) {
        if (e instanceof HttpError && e.status < 500)
          throw new HttpError(e.status, e.code, e.message, {
            issues: [{ path: 'url', message: e.message }],
          });
        throw e;
      }
      const dup = existing.find((s) => s.url === feed.url);
      if (dup) throw fieldError(409, 'url', `${feed.url} is already source "${dup.id}"`);
      const title = body.title ?? feed.title;
      const id =
        body.id || uniqueId(sourceSlug(title, feed.url), new Set(existing.map((s) => s.id)));
      const source: SourceConfig = applySettings(
        {
          id,
          url: feed.url,
          title,
          lang: body.lang ?? feed.lang?.toLowerCase() ?? null,
          interval: body.interval ?? null,
          tags: body.tags ?? [],
          priority: body.priority ?? 0,
          enabled: true,
          origin: 'runtime',
          ...(body.sections?.length ? { sections: body.sections } : {}),
        },
        body,
      );
      await store.sources.putRuntime(source);
      await sync();
      return {
        source: await view(source),
        feed: { discoveredFrom: feed.discoveredFrom, items: feed.items },
      };
    },

    /** Changes a runtime source; config sources are read-only (409). */
    async update(id: string, input: unknown) {
      const current = await mustFind(id);
      if (current.origin === 'config')
        throw conflict(
          `source "${current.id}" comes from the config file and is read-only here (pause/resume work)`,
        );
      const body = validate(patchSourceSchema, input);
      checkRefs(body);
      const next: SourceConfig = applySettings(current, body);
      let discoveredFrom: string | null = null;
      if (body.url !== undefined && body.url !== current.url) {
        const feed = await resolveFeed(config.fetch, body.url, (req) =>
          withSourceSettings(req, { ...next, url: body.url! }),
        );
        const dup = (await allSources(config, store)).find(
          (s) => s.url === feed.url && s.id !== current.id,
        );
        if (dup) throw fieldError(409, 'url', `${feed.url} is already source "${dup.id}"`);
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
      return {
        source: await view(next),
        discoveredFrom,
        applied: applied ? { articles: applied.scanned, replaced: applied.changed.length } : null,
      };
    },

    async setPaused(id: string, paused: boolean) {
      const s = await mustFind(id);
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
      return view((await findSource(config, store, s.id))!);
    },

    /** Deletes a runtime source; its stored articles stay until retention removes them. */
    async remove(id: string) {
      const s = await mustFind(id);
      if (s.origin === 'config')
        throw conflict(`source "${s.id}" comes from the config file and cannot be deleted here`);
      await store.sources.deleteRuntime(s.id);
      await Promise.all([
        store.sources.deleteState(s.id),
        curation.setPaused(s.id, false, deps.now()),
      ]);
      await sync();
      return s.id;
    },

    /** Queues one forced poll; returns the job id. */
    async refresh(id: string) {
      const s = await mustFind(id);
      if (!s.enabled) throw conflict(`source "${s.id}" is paused; resume it first`);
      if (!deps.refresh)
        throw new HttpError(503, 'unavailable', 'this server has no queue to refresh through');
      return deps.refresh(s.id);
    },

    async exportOpml() {
      return renderSourcesOpml(config.site.title, await allSources(config, store), deps.now());
    },

    /** `verify` (default true): each feed is checked as `add` checks one before it is saved. */
    async importOpml(text: string, opts: { section: string | null; verify?: boolean }) {
      if (opts.section !== null && !knownSections.has(opts.section))
        throw notFound(`unknown section "${opts.section}"`);
      if (!/<opml[\s>]/i.test(text))
        throw badRequest('the body is not an OPML document (no <opml> element)');
      const res = await importOpml(config, store, text, {
        section: opts.section,
        verify: opts.verify ?? true,
      });
      await sync();
      return res;
    },
  };
}

export type SourceService = ReturnType<typeof createSourceService>;

export const SOURCE_FILTERS = ['broken', 'paused', 'new', 'ok'] as const;
export type SourceFilter = (typeof SOURCE_FILTERS)[number];

/** The state a source is listed under: broken (an error, or unhealthy), paused, new or ok. */
export function sourceState(s: SourceView): SourceFilter {
  if (s.paused) return 'paused';
  if (s.health.status === 'error' || !s.health.healthy) return 'broken';
  return s.health.status === 'new' ? 'new' : 'ok';
}

/** Sources whose title, id or URL contains `q` (case-insensitive) and in `state`, when given. */
export function filterSources(
  list: SourceView[],
  f: { q: string | null; state: SourceFilter | null },
): SourceView[] {
  const q = f.q?.trim().toLocaleLowerCase() || null;
  return list.filter(
    (s) =>
      (!f.state || sourceState(s) === f.state) &&
      (!q || [s.title ?? '', s.id, s.url].some((v) => v.toLocaleLowerCase().includes(q))),
  );
}
export type AddSourceInput = z.input<typeof addSourceInputSchema>;
