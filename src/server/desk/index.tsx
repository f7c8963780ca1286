// The desk: /desk, the web UI for the people who run the service (CONTRACT.md "The desk"). It
// exists only while ADMIN_TOKEN is set. Pages are rendered here; every change goes through the
// same service functions as the admin API (../services), so handlers only turn forms into calls
// and results into pages or 303 redirects (POST → redirect → GET: works without JavaScript).
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ServerDeps } from '../deps.ts';
import { HttpError, notFound } from '../http-error.ts';
import { createDeskSessions } from './sessions.ts';
import { serverTiming } from './timing.ts';
import { registerHealthRoutes } from './health.tsx';
import { tokenMatches } from '../admin/auth.ts';
import { createSourceService } from '../services/sources.ts';
import { parseSourceQuery, querySources } from '../services/sources.ts';
import type { SourceView } from '../services/sources.ts';
import { createCurationService } from '../services/curation.ts';
import { createRulesService } from '../services/rules.ts';
import { registerTagRoutes } from './tags.tsx';
import { issuesOf } from '../services/validate.ts';
import { localeOf, uiFor } from './i18n.ts';
import type { Strings, Ui } from './i18n.ts';
import { CSRF_FIELD, clientOf, createCsrf, createFailureLimiter, deskHeaders } from './security.ts';
import { registerDeskAssets } from './assets.ts';
import {
  DeletePage,
  DeskPage,
  EditSourcePage,
  LoginPage,
  MessagePage,
  SectionPage,
  emptyForm,
  RULE_FIELDS,
} from './pages.tsx';
import type { FormState, RulePreview, Shell } from './pages.tsx';
import { formIssues, postedValues, sourceInput, sourceValues } from './source-form.ts';
import { PREVIEW_ID, SourcePreview } from './sources-view.tsx';
import type { SourcePreviewState } from './sources-view.tsx';

/** Failed logins allowed per client per minute (then 429). */
export const LOGIN_LIMIT = 10;
/** Largest desk request body (an OPML file of a few thousand feeds fits). */
export const DESK_BODY_LIMIT = 1024 * 1024;

type Form = Record<string, string | File | (string | File)[]>;
const str = (f: Form, k: string): string => {
  const v = f[k];
  return typeof v === 'string' ? v.trim() : '';
};

/** What a browser opening /desk reads while ADMIN_TOKEN is unset (still a 404). */
const DISABLED_PAGE = `<!doctype html>
<html lang="en" dir="ltr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>The desk is disabled</title></head>
<body style="font-family:system-ui,sans-serif;max-inline-size:40rem;margin:2rem auto;padding-inline:1rem;line-height:1.5">
<h1>The desk is disabled</h1>
<p>The desk and the admin API exist only while <code>ADMIN_TOKEN</code> is set. Start the service with one, for example <code>ADMIN_TOKEN=$(openssl rand -hex 24) npm start</code>, then log in here with that token.</p>
<p lang="ar" dir="rtl">لوحة التحرير معطّلة: شغّل الخدمة مع تعيين <code>ADMIN_TOKEN</code> ثم سجّل الدخول هنا بذلك الرمز.</p>
</body>
</html>
`;

export function registerDeskRoutes(app: Hono, deps: ServerDeps): void {
  const token = deps.config.env.adminToken || null;
  const enabled: MiddlewareHandler = async (c, next) => {
    if (!token) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.html(DISABLED_PAGE, 404);
      throw notFound('the desk is disabled (ADMIN_TOKEN is not set)');
    }
    await next();
  };
  app.use('/desk', enabled);
  app.use('/desk/*', enabled);
  if (!token) return;

  const baseUrl = deps.config.site.baseUrl;
  const secure = baseUrl.startsWith('https:');
  const sessions = createDeskSessions(deps, { token, secure });
  const csrf = createCsrf(token);
  const limiter = createFailureLimiter({
    limit: LOGIN_LIMIT,
    windowMs: 60_000,
    now: () => deps.now().getTime(),
  });
  const sources = createSourceService(deps);
  const curation = createCurationService(deps);
  const rulesService = createRulesService(deps);
  const sections = deps.config.sections;

  app.use('/desk', serverTiming());
  app.use('/desk/*', serverTiming());
  app.use('/desk', deskHeaders());
  app.use('/desk/*', deskHeaders());
  app.use(
    '/desk/*',
    bodyLimit({
      maxSize: DESK_BODY_LIMIT,
      onError: (c) => c.text(`request body exceeds ${DESK_BODY_LIMIT} bytes`, 413),
    }),
  );
  registerDeskAssets(app);

  const shellOf = (c: Context, loggedIn: boolean): Shell => ({
    ui: uiFor(localeOf(c, secure)),
    csrf: loggedIn ? csrf.token(c) : '',
    siteTitle: deps.config.site.title,
    path: c.req.path,
    loggedIn,
  });
  const html = async (
    c: Context,
    status: 200 | 400 | 401 | 403 | 404 | 409 | 429 | 502 | 503,
    node: unknown,
  ) => {
    // A page showing a problem is not a place to come back to: htmx must not push its URL.
    if (status >= 400) c.header('HX-Push-Url', 'false');
    return c.html(`<!doctype html>${await Promise.resolve(String(node))}`, status);
  };
  const flash = (c: Context, ui: Ui) => {
    const m = c.req.query('done');
    if (m === 'imported') {
      const n = (k: string) => ui.number(Number(/^\d{1,6}$/.exec(c.req.query(k) ?? '')?.[0] ?? 0));
      return ui.t.importedCounts(n('added'), n('skipped'));
    }
    const key = `msg_${m}` as keyof Strings;
    return m && typeof ui.t[key] === 'string' ? (ui.t[key] as string) : null;
  };

  // ------------------------------------------------------------------ login, session, CSRF
  app.get('/desk/login', async (c) => {
    if (await sessions.read(c)) return c.redirect('/desk', 303);
    return html(c, 200, <LoginPage shell={shellOf(c, false)} message={null} />);
  });

  app.post('/desk/login', async (c) => {
    const shell = shellOf(c, false);
    const client = clientOf(c);
    if (limiter.blocked(client)) {
      c.header('Retry-After', '60');
      return html(c, 429, <LoginPage shell={shell} message={shell.ui.t.tooMany} />);
    }
    const form = (await c.req.parseBody().catch(() => ({}))) as Form;
    if (!tokenMatches(token, str(form, 'token') || null)) {
      limiter.fail(client);
      return html(c, 401, <LoginPage shell={shell} message={shell.ui.t.wrongToken} />);
    }
    await sessions.start(c);
    return c.redirect('/desk', 303);
  });

  // Everything else needs a session; every POST a CSRF token bound to it.
  const guard = async (c: Context, next: () => Promise<void>) => {
    const p = c.req.path;
    if (p === '/desk/login' || p.startsWith('/desk/assets/')) return next();
    if (!(await sessions.read(c))) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect('/desk/login', 303);
      const shell = shellOf(c, false);
      return html(c, 403, <MessagePage shell={shell} title="403" message={shell.ui.t.forbidden} />);
    }
    if (c.req.method === 'POST') {
      const form = (await c.req.parseBody().catch(() => ({}))) as Form;
      if (!csrf.valid(c, form[CSRF_FIELD])) {
        const shell = shellOf(c, true);
        return html(
          c,
          403,
          <MessagePage shell={shell} title="403" message={shell.ui.t.forbidden} />,
        );
      }
    } else if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      throw new HttpError(405, 'method-not-allowed', 'the desk takes GET and POST only');
    }
    return next();
  };
  app.use('/desk', guard);
  app.use('/desk/*', guard);

  app.post('/desk/logout', async (c) => {
    await sessions.end(c);
    return c.redirect('/desk/login', 303);
  });
  app.post('/desk/logout-everywhere', async (c) => {
    await sessions.endAll(c);
    return c.redirect('/desk/login', 303);
  });

  // A service error shown as a page (404 unknown source, 409 read-only, 503 no queue…).
  const problem = (c: Context, err: unknown) => {
    if (!(err instanceof HttpError)) throw err;
    const shell = shellOf(c, true);
    const status = ([400, 404, 409, 502, 503] as const).find((s) => s === err.status) ?? 400;
    return html(
      c,
      status,
      <MessagePage
        shell={shell}
        title={status === 404 ? shell.ui.t.notFound : shell.ui.t.error}
        message={err.message}
      />,
    );
  };

  // ------------------------------------------------------------------ sources
  const deskPage = async (
    c: Context,
    status: 200 | 400 | 409 | 502,
    add: FormState,
    preview: { result?: SourcePreviewState; error?: string } = {},
  ) => {
    const shell = shellOf(c, true);
    const all = await sources.list();
    const query = parseSourceQuery(c.req.query());
    return html(
      c,
      status,
      <DeskPage
        shell={shell}
        sources={querySources(all, query)}
        total={all.length}
        query={query}
        sections={sections}
        tags={deps.config.tags}
        flash={status === 200 && !preview.result ? flash(c, shell.ui) : null}
        add={add}
        preview={preview.result ?? null}
        previewError={preview.error ?? null}
      />,
    );
  };

  app.get('/desk', (c) => deskPage(c, 200, emptyForm()));
  // A form's URL reloaded (after an error page) lands on the desk.
  app.get('/desk/sources', (c) => c.redirect('/desk', 303));
  app.get('/desk/sources/preview', (c) => c.redirect('/desk', 303));

  /** A source form's problems at its fields (API paths like `fetch.headers.X` mapped to them). */
  const sourceFormError = (err: unknown, values: Record<string, string>): FormState => {
    const issues = formIssues(issuesOf(err), values);
    return { values, issues, error: issues.length ? null : (err as Error).message };
  };
  const formError = (err: unknown, values: Record<string, string>): FormState => {
    const issues = issuesOf(err);
    return { values, issues, error: issues.length ? null : (err as Error).message };
  };
  const formStatus = (err: HttpError) => (err.status === 409 ? 409 : err.status >= 500 ? 502 : 400);

  app.post('/desk/sources', async (c) => {
    const form = (await c.req.parseBody({ all: true })) as Form;
    try {
      await sources.add(sourceInput(form, 'add'));
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      return deskPage(c, formStatus(err), sourceFormError(err, postedValues(form, 'add')));
    }
    return c.redirect('/desk?done=added', 303);
  });

  // Preview: the add form again with what was typed and the feed's first items below (with
  // htmx only that area is swapped in). Stores nothing.
  app.post('/desk/sources/preview', async (c) => {
    const form = (await c.req.parseBody({ all: true })) as Form;
    const values = postedValues(form, 'add');
    // htmx asks for the preview area only: no need to list every source for it.
    const areaOnly = c.req.header('hx-target') === PREVIEW_ID;
    const area = (
      status: 200 | 400 | 502,
      result: SourcePreviewState | null,
      error: string | null,
    ) => {
      if (status >= 400) c.header('HX-Push-Url', 'false');
      return c.html(
        String(<SourcePreview ui={shellOf(c, true).ui} preview={result} error={error} />),
        status,
      );
    };
    try {
      const result = { result: await sources.preview(sourceInput(form, 'add')) };
      if (areaOnly) return area(200, result, null);
      return deskPage(c, 200, { ...emptyForm(), values }, { result });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      const status = formStatus(err);
      if (areaOnly) return area(status === 409 ? 400 : status, null, err.message);
      return deskPage(c, status, sourceFormError(err, values), { error: err.message });
    }
  });

  const mustRuntime = async (id: string): Promise<SourceView> => {
    const s = await sources.get(id);
    if (s.readOnly)
      throw new HttpError(
        409,
        'conflict',
        `source "${id}" comes from the config file and is read-only here`,
      );
    return s;
  };
  app.get('/desk/sources/:id/edit', async (c) => {
    try {
      const s = await mustRuntime(c.req.param('id'));
      const form = { ...emptyForm(), values: sourceValues(s, await sources.formSettings(s.id)) };
      return html(
        c,
        200,
        <EditSourcePage
          shell={shellOf(c, true)}
          source={s}
          sections={sections}
          tags={deps.config.tags}
          form={form}
        />,
      );
    } catch (err) {
      return problem(c, err);
    }
  });

  app.post('/desk/sources/:id', async (c) => {
    const id = c.req.param('id');
    const form = (await c.req.parseBody({ all: true })) as Form;
    let s: SourceView;
    try {
      s = await mustRuntime(id);
    } catch (err) {
      return problem(c, err);
    }
    try {
      // Emptied fields are cleared; empty secrets keep the stored ones (never shown here).
      await sources.update(id, sourceInput(form, 'edit'), { keepSecrets: true });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      const state = sourceFormError(err, postedValues(form, 'edit'));
      return html(
        c,
        formStatus(err),
        <EditSourcePage
          shell={shellOf(c, true)}
          source={s}
          sections={sections}
          tags={deps.config.tags}
          form={state}
        />,
      );
    }
    return c.redirect('/desk?done=saved', 303);
  });

  const action = (run: (id: string) => Promise<unknown>, done: string) => async (c: Context) => {
    try {
      await run(c.req.param('id') ?? '');
    } catch (err) {
      return problem(c, err);
    }
    return c.redirect(`/desk?done=${done}`, 303);
  };
  app.post(
    '/desk/sources/:id/pause',
    action((id) => sources.setPaused(id, true), 'paused'),
  );
  app.post(
    '/desk/sources/:id/resume',
    action((id) => sources.setPaused(id, false), 'resumed'),
  );
  app.post(
    '/desk/sources/:id/refresh',
    action((id) => sources.refresh(id), 'refreshed'),
  );
  app.post(
    '/desk/sources/:id/delete',
    action((id) => sources.remove(id), 'deleted'),
  );

  app.get('/desk/sources/:id/delete', async (c) => {
    try {
      const s = await mustRuntime(c.req.param('id'));
      return html(c, 200, <DeletePage shell={shellOf(c, true)} source={s} />);
    } catch (err) {
      return problem(c, err);
    }
  });

  // ------------------------------------------------------------------ OPML
  app.get('/desk/opml', async (c) =>
    c.body(await sources.exportOpml(), 200, {
      'Content-Type': 'text/x-opml; charset=utf-8',
      'Content-Disposition': 'attachment; filename="tributary-sources.opml"',
    }),
  );
  app.post('/desk/opml', async (c) => {
    const form = (await c.req.parseBody()) as Form;
    const file = form.file;
    const text = file instanceof File ? await file.text() : typeof file === 'string' ? file : '';
    try {
      const section = str(form, 'opmlSection');
      const res = await sources.importOpml(text, { section: section || null });
      return c.redirect(
        `/desk?done=imported&added=${res.added.length}&skipped=${res.skipped.length}`,
        303,
      );
    } catch (err) {
      return problem(c, err);
    }
  });

  // ------------------------------------------------------------------ sections
  const sourceTitles = async () => {
    const m = await sources.titles();
    return (id: string) => m.get(id) ?? id;
  };

  /** The section's effective rules (saved, else the config file's) as the form's values. */
  const ruleValues = async (id: string): Promise<Record<string, string>> => {
    const sec = (await rulesService.effective()).config.sections.find((x) => x.id === id);
    if (!sec) return {};
    const v: Record<string, string> = {};
    for (const name of RULE_FIELDS) {
      const [part, key] = name.split('.') as ['include' | 'exclude', string];
      v[name] = ((sec[part] as unknown as Record<string, string[]>)[key] ?? []).join(', ');
    }
    return v;
  };
  const sectionPage = async (
    c: Context,
    status: 200 | 400,
    id: string,
    rules: FormState,
    preview: RulePreview | null,
  ) => {
    let view;
    try {
      view = await curation.sectionView(id);
    } catch (err) {
      return problem(c, err);
    }
    const shell = shellOf(c, true);
    const saved = await rulesService.sectionRules(id);
    return html(
      c,
      status,
      <SectionPage
        saved={saved}
        shell={shell}
        section={view.section}
        items={view.items}
        pins={view.pins}
        hidden={view.hidden}
        flash={preview ? null : flash(c, shell.ui)}
        sourceTitle={await sourceTitles()}
        feedBase={baseUrl}
        tags={deps.config.tags}
        rules={rules}
        preview={preview}
      />,
    );
  };

  app.get('/desk/sections/:id', async (c) =>
    sectionPage(
      c,
      200,
      c.req.param('id'),
      { ...emptyForm(), values: await ruleValues(c.req.param('id')) },
      null,
    ),
  );

  /** The rule form's fields as the service's input, and as typed (shown again on an error). */
  const ruleInput = (form: Form) => {
    const values = Object.fromEntries(RULE_FIELDS.map((n) => [n, str(form, n)]));
    // Lists are separated by commas (Latin or Arabic) or new lines.
    const list = (n: string) =>
      str(form, n)
        .split(/[,،\n]/)
        .map((x) => x.trim())
        .filter(Boolean);
    const input = {
      include: {
        tags: list('include.tags'),
        sources: list('include.sources'),
        langs: list('include.langs'),
      },
      exclude: {
        tags: list('exclude.tags'),
        sources: list('exclude.sources'),
        langs: list('exclude.langs'),
        keywords: list('exclude.keywords'),
      },
    };
    return { values, input };
  };

  // Rule preview: a POST (it carries the rules) that changes nothing and answers with the page.
  app.post('/desk/sections/:id/preview', async (c) => {
    const id = c.req.param('id');
    const { values, input } = ruleInput((await c.req.parseBody()) as Form);
    try {
      const preview = await curation.previewRules(id, input);
      return sectionPage(c, 200, id, { ...emptyForm(), values }, preview);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 400) return problem(c, err);
      return sectionPage(c, 400, id, formError(err, values), null);
    }
  });

  // Save the rules (over the config file's): stored articles are retagged in the background.
  app.post('/desk/sections/:id/rules', async (c) => {
    const id = c.req.param('id');
    const { values, input } = ruleInput((await c.req.parseBody()) as Form);
    try {
      await rulesService.saveSectionRules(id, input);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 400) return problem(c, err);
      return sectionPage(c, 400, id, formError(err, values), null);
    }
    return c.redirect(`/desk/sections/${id}?done=rulesSaved#rule-preview`, 303);
  });
  app.post('/desk/sections/:id/rules/reset', async (c) => {
    const id = c.req.param('id');
    try {
      await rulesService.resetSectionRules(id);
    } catch (err) {
      return problem(c, err);
    }
    return c.redirect(`/desk/sections/${id}?done=rulesReset#rule-preview`, 303);
  });

  registerTagRoutes(app, { rules: rulesService, shellOf, html, problem, flash, formError });

  /** "Pin for" on the form (1h … 168h, or empty: until unpinned) as the service's `until`. */
  const untilOf = (v: string): string | undefined => {
    const m = /^(\d{1,4})h$/.exec(v);
    return m ? new Date(deps.now().getTime() + Number(m[1]) * 3600_000).toISOString() : undefined;
  };
  const curate =
    (run: (section: string, articleId: string, form: Form) => Promise<unknown>, done: string) =>
    async (c: Context) => {
      const section = c.req.param('id') ?? '';
      const form = (await c.req.parseBody()) as Form;
      try {
        await run(section, c.req.param('articleId') ?? '', form);
      } catch (err) {
        return problem(c, err);
      }
      return c.redirect(`/desk/sections/${section}?done=${done}`, 303);
    };
  const base = '/desk/sections/:id';
  app.post(
    `${base}/pin/:articleId`,
    curate((s, articleId, form) => {
      const until = untilOf(str(form, 'for'));
      return curation.pin(s, { articleId, ...(until ? { until } : {}) });
    }, 'pinned'),
  );
  app.post(
    `${base}/tags/:articleId`,
    curate(async (s, articleId, form) => {
      curation.mustSection(s);
      const tag = str(form, 'tag');
      return curation.changeTags(
        articleId,
        str(form, 'op') === 'remove' ? { remove: [tag] } : { add: [tag] },
      );
    }, 'tagged'),
  );
  app.post(
    `${base}/unpin/:articleId`,
    curate((s, a) => curation.unpin(s, a), 'unpinned'),
  );
  app.post(
    `${base}/hide/:articleId`,
    curate((s, a) => curation.hide(s, { articleId: a }), 'hidden'),
  );
  app.post(
    `${base}/unhide/:articleId`,
    curate((s, a) => curation.unhide(s, a), 'unhidden'),
  );
  app.post(
    `${base}/hide-everywhere/:articleId`,
    curate(async (s, a) => {
      curation.mustSection(s);
      return curation.hideEverywhere({ articleId: a });
    }, 'hidden'),
  );
  app.post(
    `${base}/unhide-everywhere/:articleId`,
    curate(async (s, a) => {
      curation.mustSection(s);
      return curation.unhideEverywhere(a);
    }, 'unhidden'),
  );

  registerHealthRoutes(app, deps, { shellOf, html });

  // Any other /desk path: a page, not the API's JSON error.
  app.all('/desk/*', (c) => {
    const shell = shellOf(c, true);
    return html(
      c,
      404,
      <MessagePage shell={shell} title={shell.ui.t.notFound} message={c.req.path} />,
    );
  });
}
