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
import { previewFeedWithSource } from '../../catalog/preview.ts';
import { isFeedError } from '../../domain/errors.ts';
import type { PushView } from '../../push/subscriber/subscriber.ts';

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

/** Items a preview shows (the first ones, in feed order). */
export const PREVIEW_ITEMS = 10;

/** Header names whose values are treated as credentials: never shown again once saved. */
const SECRET_HEADER = /auth|key|token|secret|pass|cookie|session|signature|credential/i;
export const looksSecret = (headerName: string) => SECRET_HEADER.test(headerName);

/**
 * A source's per-source settings for an edit form, without any secret: header values that look
 * like credentials are null ("unchanged"), and `auth` gives its kind (and the basic user) but not
 * the variable it reads.
 */
export function settingsForForm(s: SourceConfig) {
  const f = s.fetch;
  const auth = f?.auth;
  return {
    userAgent: f?.userAgent ?? null,
    charset: f?.charset ?? null,
    headers: Object.entries(f?.headers ?? {}).map(([name, value]) => ({
      name,
      value: looksSecret(name) ? null : value,
    })),
    auth: !auth
      ? null
      : 'basic' in auth
        ? { kind: 'basic' as const, user: auth.basic.user }
        : { kind: 'bearer' as const, user: null },
    include: s.include?.keywords ?? [],
    exclude: s.exclude?.keywords ?? [],
    fullText: s.fullText ?? 'auto',
    push: s.push !== false,
  };
}
export type FormSettings = ReturnType<typeof settingsForForm>;

/**
 * An edit's `fetch` with the secrets it left empty taken from the stored source: an empty value
 * of a credential-like header keeps the stored one (same name, any case), an empty
 * `passwordEnv`/`bearerEnv` keeps the stored variable of the same kind of auth.
 */
function keepStoredSecrets(current: SourceConfig, input: unknown): unknown {
  const body = input as { fetch?: unknown } | null;
  const f = body?.fetch as Record<string, unknown> | null | undefined;
  const stored = current.fetch;
  if (!f || typeof f !== 'object' || !stored) return input;
  const next: Record<string, unknown> = { ...f };
  if (f.headers && typeof f.headers === 'object') {
    const headers = { ...(f.headers as Record<string, unknown>) };
    for (const [name, v] of Object.entries(headers)) {
      if (v !== '' || !looksSecret(name)) continue;
      const kept = Object.entries(stored.headers ?? {}).find(
        ([n]) => n.toLowerCase() === name.toLowerCase(),
      );
      if (kept) headers[name] = kept[1];
    }
    next.headers = headers;
  }
  const auth = f.auth as { basic?: Record<string, unknown>; bearerEnv?: unknown } | null;
  if (auth && typeof auth === 'object' && stored.auth) {
    if (auth.basic && auth.basic.passwordEnv === '' && 'basic' in stored.auth)
      next.auth = { basic: { ...auth.basic, passwordEnv: stored.auth.basic.passwordEnv } };
    else if (auth.bearerEnv === '' && 'bearerEnv' in stored.auth)
      next.auth = { bearerEnv: stored.auth.bearerEnv };
  }
  return { ...(input as object), fetch: next };
}

export function createSourceService(
  deps: Pick<ServerDeps, 'config' | 'store' | 'now' | 'refresh' | 'syncSchedules'> &
    Partial<Pick<ServerDeps, 'log' | 'subscriber'>>,
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
  /** Sections a source's articles go to by the source itself: placed there, or named by the
   * section's include.sources (and not its exclude.sources); tag and language rules aside. */
  const bySource = config.sections.map((sec) => ({
    id: sec.id,
    named: new Set(sec.include.sources),
    excluded: new Set(sec.exclude.sources),
  }));
  const inSections = (s: SourceConfig) =>
    bySource
      .filter(
        (sec) => !sec.excluded.has(s.id) && (sec.named.has(s.id) || s.sections?.includes(sec.id)),
      )
      .map((sec) => sec.id);
  const present = (
    s: SourceConfig,
    st: Parameters<typeof sourceHealth>[1],
    paused: boolean,
    pushSub: PushView | null,
  ) => ({
    ...s,
    ...settingsView(s),
    title: s.title,
    sections: s.sections ?? [],
    inSections: inSections(s),
    push: s.push !== false,
    readOnly: s.origin === 'config',
    paused: !s.enabled || paused,
    health: sourceHealth(s, st),
    /** The WebSub subscription (as `push` in /api/sources): null when no hub was found. */
    pushSub,
  });
  const pushOf = async (id: string) => (await deps.subscriber?.view(id)) ?? null;
  const view = async (s: SourceConfig) => {
    const [st, paused, pushSub] = await Promise.all([
      store.sources.getState(s.id),
      curation.pausedSources(),
      pushOf(s.id),
    ]);
    return present(s, st, paused.has(s.id), pushSub);
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
      const [states, pushes] = await Promise.all([
        store.sources.getStates(sources.map((s) => s.id)),
        deps.subscriber ? deps.subscriber.views(sources.map((s) => s.id)) : [],
      ]);
      return sources.map((s, i) => present(s, states[i]!, paused.has(s.id), pushes[i] ?? null));
    },

    /** A runtime source's settings for its edit form (no secrets; see settingsForForm). */
    async formSettings(id: string) {
      return settingsForForm(await mustFind(id));
    },

    /**
     * The first items of a feed as a poll would store them, with the source's own fetch
     * settings, storing nothing (the same code as `tributary preview`). `input` is an add
     * form's fields, checked as `add` checks them; a feed that cannot be read is a problem at
     * `url` (422, or 400 for a blocked address).
     */
    async preview(input: unknown) {
      const body = validate(addSourceInputSchema, input);
      try {
        const res = await previewFeedWithSource(config, body.url, deps.now(), {
          settings: { fetch: body.fetch ?? undefined },
        });
        return {
          ...res,
          total: res.articles.length,
          articles: res.articles.slice(0, PREVIEW_ITEMS),
        };
      } catch (e) {
        if (!isFeedError(e)) throw e;
        const status = e.kind === 'blocked-address' ? 400 : 422;
        throw new HttpError(status, `feed-${e.kind}`, `cannot use ${body.url}: ${e.message}`, {
          issues: [{ path: 'url', message: e.message }],
        });
      }
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

    /**
     * Changes a runtime source; config sources are read-only (409). `keepSecrets` (the desk's
     * edit form, which never shows them): an empty credential keeps the stored one.
     */
    async update(id: string, input: unknown, opts: { keepSecrets?: boolean } = {}) {
      const current = await mustFind(id);
      if (current.origin === 'config')
        throw conflict(
          `source "${current.id}" comes from the config file and is read-only here (pause/resume work)`,
        );
      const body = validate(
        patchSourceSchema,
        opts.keepSecrets ? keepStoredSecrets(current, input) : input,
      );
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
export const SOURCE_SORTS = ['health', 'title', 'lastFetch', 'nextPoll', 'articles'] as const;
export type SourceSort = (typeof SOURCE_SORTS)[number];

/** What the sources table shows: a text match, a state, a section, an order. */
export interface SourceQuery {
  q: string | null;
  state: SourceFilter | null;
  section: string | null;
  sort: SourceSort;
  dir: 'asc' | 'desc';
}

/** The state a source is listed under: broken (an error, or unhealthy), paused, new or ok. */
export function sourceState(s: SourceView): SourceFilter {
  if (s.paused) return 'paused';
  if (s.health.status === 'error' || !s.health.healthy) return 'broken';
  return s.health.status === 'new' ? 'new' : 'ok';
}

/** A query string's `q`, `state`, `section`, `sort`, `dir`; unknown values are ignored. */
export function parseSourceQuery(params: Record<string, string | undefined>): SourceQuery {
  const one = <T extends string>(v: string | undefined, allowed: readonly T[]): T | null =>
    (allowed as readonly string[]).includes(v ?? '') ? (v as T) : null;
  const section = params.section ?? '';
  return {
    q: (params.q ?? '').trim().slice(0, 200) || null,
    state: one(params.state, SOURCE_FILTERS),
    section: /^[a-z0-9-]{1,64}$/.test(section) ? section : null,
    sort: one(params.sort, SOURCE_SORTS) ?? 'health',
    dir: params.dir === 'desc' ? 'desc' : 'asc',
  };
}

/** Sources whose title, id or URL contains `q` (case-insensitive), in `state` and `section`
 * (placed there, or named by its include.sources). */
export function filterSources(
  list: SourceView[],
  f: { q: string | null; state: SourceFilter | null; section?: string | null },
): SourceView[] {
  const q = f.q?.trim().toLocaleLowerCase() || null;
  return list.filter(
    (s) =>
      (!f.state || sourceState(s) === f.state) &&
      (!f.section || s.inSections.includes(f.section)) &&
      (!q || [s.title ?? '', s.id, s.url].some((v) => v.toLocaleLowerCase().includes(q))),
  );
}

/** Broken first, then paused, new and healthy ones. */
const STATE_RANK: Record<SourceFilter, number> = { broken: 0, paused: 1, new: 2, ok: 3 };
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/**
 * The table's order: by `sort` in `dir`, then by title (and id). Sources without a last fetch
 * or a next poll (paused ones have none) come last either way. `health` ascending is the
 * desk's default: broken (error) first, then paused, new, ok.
 */
export function sortSources(list: SourceView[], sort: SourceSort, dir: 'asc' | 'desc') {
  const sign = dir === 'desc' ? -1 : 1;
  const byTitle = (a: SourceView, b: SourceView) =>
    collator.compare(a.title ?? a.id, b.title ?? b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const time = (v: string | null) => (v ? Date.parse(v) : NaN);
  const key = (s: SourceView): number =>
    sort === 'health'
      ? STATE_RANK[sourceState(s)]
      : sort === 'lastFetch'
        ? time(s.health.lastFetch)
        : sort === 'nextPoll'
          ? s.paused
            ? NaN
            : time(s.health.nextPoll)
          : (s.health.articleCount ?? 0);
  const rows = list.map((s) => ({ s, k: sort === 'title' ? 0 : key(s) }));
  rows.sort((a, b) => {
    if (sort === 'title') return sign * byTitle(a.s, b.s);
    const an = Number.isNaN(a.k);
    const bn = Number.isNaN(b.k);
    if (an !== bn) return an ? 1 : -1;
    return (an ? 0 : sign * (a.k - b.k)) || byTitle(a.s, b.s);
  });
  return rows.map((r) => r.s);
}

/** The table's rows for a query: filtered, then sorted. */
export function querySources(list: SourceView[], query: SourceQuery): SourceView[] {
  return sortSources(filterSources(list, query), query.sort, query.dir);
}
export type AddSourceInput = z.input<typeof addSourceInputSchema>;
