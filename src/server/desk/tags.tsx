// The desk's tags page: /desk/tags lists every tag with its effective keywords, an edit form per
// tag (save over the config file's, reset to them) and "Preview matches": the stored articles
// that would carry the tag with the typed keywords (nothing written). The rules are in
// ../services/rules.ts, shared with the admin API.
import type { Context, Hono } from 'hono';
import type { RulesService } from '../services/rules.ts';
import { HttpError } from '../http-error.ts';
import type { FieldIssue } from '../services/validate.ts';
import type { Ui } from './i18n.ts';
import { Csrf, FieldProblem, Flash, FormError, Layout, RetagNote, emptyForm } from './pages.tsx';
import type { FormState, Shell } from './pages.tsx';

type Form = Record<string, string | File | (string | File)[]>;
type Tag = Awaited<ReturnType<RulesService['listTags']>>[number];
type Preview = Awaited<ReturnType<RulesService['previewTag']>>;

export interface TagRouteDeps {
  rules: RulesService;
  shellOf(c: Context, loggedIn: boolean): Shell;
  html(c: Context, status: 200 | 400, node: unknown): Promise<Response>;
  problem(c: Context, err: unknown): Promise<Response> | Response;
  flash(c: Context, ui: Ui): string | null;
  formError(err: unknown, values: Record<string, string>): FormState;
}

/** Keywords as typed: separated by commas (Latin or Arabic) or new lines. */
const keywordList = (text: string) =>
  text
    .split(/[,،\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** A problem with keyword n shows at the keywords field. */
const fieldOf = (issues: FieldIssue[]) =>
  issues.length ? issues.map((i) => i.message).join('; ') : null;

function TagCard(p: { shell: Shell; tag: Tag; form: FormState | null; preview: Preview | null }) {
  const { ui, csrf } = p.shell;
  const { t } = ui;
  const tag = p.tag;
  const id = `kw-${tag.id}`;
  const problem = p.form ? fieldOf(p.form.issues) : null;
  const value = p.form?.values.keywords ?? tag.keywords.join(', ');
  return (
    <section class="card tag-card" id={`tag-${tag.id}`} aria-labelledby={`h-tag-${tag.id}`}>
      <h2 id={`h-tag-${tag.id}`}>
        <span dir="auto">{tag.label}</span> <code dir="ltr">{tag.id}</code>
      </h2>
      <p class="note">
        {tag.overridden ? `${t.savedOn} ${ui.date(tag.savedAt)}` : t.fromConfigFile}
        {tag.categories.length ? (
          <>
            {' · '}
            {t.categories}: <span dir="auto">{tag.categories.join(', ')}</span>
          </>
        ) : null}
      </p>
      <RetagNote ui={ui} status={tag.retag} kind="tag" />
      {p.form ? <FormError ui={ui} form={p.form} /> : null}
      <form method="post" action={`/desk/tags/${tag.id}`}>
        <Csrf csrf={csrf} />
        <div class={problem ? 'field invalid' : 'field'}>
          <label for={id}>{`${t.keywords} (${t.listHint})`}</label>
          <input
            id={id}
            name="keywords"
            type="text"
            value={value}
            dir="auto"
            aria-invalid={problem ? 'true' : undefined}
            aria-describedby={problem ? `${id}-error` : undefined}
          />
          <FieldProblem id={id} problem={problem} />
        </div>
        <button type="submit">{t.save}</button>{' '}
        <button type="submit" formaction={`/desk/tags/${tag.id}/preview#tag-${tag.id}`}>
          {t.previewMatches}
        </button>
      </form>
      {tag.overridden ? (
        <form method="post" action={`/desk/tags/${tag.id}/reset`} class="inline">
          <Csrf csrf={csrf} />
          <button type="submit">{t.resetRules}</button>
        </form>
      ) : null}
      {p.preview ? (
        <div class="preview" role="status">
          <p>{t.matchesCount(ui.number(p.preview.total), ui.number(p.preview.scanned))}</p>
          <p>{t.matchesChange(ui.number(p.preview.gained), ui.number(p.preview.lost))}</p>
          {p.preview.matches.length ? (
            <ul class="preview-matches">
              {p.preview.matches.map((m) => (
                <li dir="auto" lang={m.lang || undefined}>
                  {m.title}
                  {m.tagged ? <span class="badge muted">{t.alreadyTagged}</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p class="note">{t.none}</p>
          )}
        </div>
      ) : null}
    </section>
  );
}

function TagsPage(p: {
  shell: Shell;
  tags: Tag[];
  flash: string | null;
  /** The tag whose form came back (an error, or a preview). */
  open: { id: string; form: FormState; preview: Preview | null } | null;
}) {
  const { t } = p.shell.ui;
  return (
    <Layout shell={p.shell} title={t.tagsTitle}>
      <Flash text={p.flash} />
      <p>
        <a href="/desk">{t.back}</a>
      </p>
      <h1>{t.tagsTitle}</h1>
      <p class="note">{t.tagsNote}</p>
      {p.tags.length === 0 ? <p>{t.none}</p> : null}
      {p.tags.map((tag) => (
        <TagCard
          shell={p.shell}
          tag={tag}
          form={p.open?.id === tag.id ? p.open.form : null}
          preview={p.open?.id === tag.id ? p.open.preview : null}
        />
      ))}
    </Layout>
  );
}

export function registerTagRoutes(app: Hono, d: TagRouteDeps): void {
  const page = async (
    c: Context,
    status: 200 | 400,
    open: Parameters<typeof TagsPage>[0]['open'],
  ) => {
    const shell = d.shellOf(c, true);
    return d.html(
      c,
      status,
      <TagsPage
        shell={shell}
        tags={await d.rules.listTags()}
        flash={status === 200 && !open ? d.flash(c, shell.ui) : null}
        open={open}
      />,
    );
  };
  const typed = async (c: Context) => {
    const form = (await c.req.parseBody()) as Form;
    const v = form.keywords;
    const text = typeof v === 'string' ? v.trim() : '';
    return { values: { keywords: text }, input: { keywords: keywordList(text) } };
  };

  app.get('/desk/tags', (c) => page(c, 200, null));

  app.post('/desk/tags/:id', async (c) => {
    const id = c.req.param('id');
    const { values, input } = await typed(c);
    try {
      await d.rules.saveTagKeywords(id, input);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 400) return d.problem(c, err);
      return page(c, 400, { id, form: d.formError(err, values), preview: null });
    }
    return c.redirect(`/desk/tags?done=keywordsSaved#tag-${id}`, 303);
  });

  // Preview: a POST (it carries the keywords) that changes nothing and answers with the page.
  app.post('/desk/tags/:id/preview', async (c) => {
    const id = c.req.param('id');
    const { values, input } = await typed(c);
    try {
      const preview = await d.rules.previewTag(id, input);
      return page(c, 200, { id, form: { ...emptyForm(), values }, preview });
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 400) return d.problem(c, err);
      return page(c, 400, { id, form: d.formError(err, values), preview: null });
    }
  });

  app.post('/desk/tags/:id/reset', async (c) => {
    const id = c.req.param('id');
    try {
      await d.rules.resetTagKeywords(id);
    } catch (err) {
      return d.problem(c, err);
    }
    return c.redirect(`/desk/tags?done=keywordsReset#tag-${id}`, 303);
  });
}
