// The desk's pages (Hono JSX, rendered on the server). Every action is a plain form POST that
// works without JavaScript; htmx (hx-boost on <body>) only saves full page loads. Titles from
// feeds carry dir="auto" (and their lang when known), so Arabic reads right-to-left in an
// English UI and English left-to-right in an Arabic one.
import type { Child } from 'hono/jsx';
import type { SectionConfig, StoredArticle, PublishedItem, TagConfig } from '../../domain/types.ts';
import type { SourceQuery, SourceView } from '../services/sources.ts';
import type { FieldIssue } from '../services/validate.ts';
import type { RetagStatus } from '../../store/rules.ts';
import type { Ui } from './i18n.ts';
import { CSRF_FIELD } from './security.ts';
import { HTMX_PATH, CSS_PATH } from './assets.ts';
import { AddSourceForm, SourceFields, SourcesTable } from './sources-view.tsx';
import type { SourcePreviewState } from './sources-view.tsx';

/** htmx: no inline indicator style (CSP), no eval, no page snapshots in localStorage; 4xx pages
 * (a form with its errors) are swapped in like any page, without being logged as errors. */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
  selfRequestsOnly: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[2345]..', swap: true, error: false },
  ],
});

export interface Shell {
  ui: Ui;
  csrf: string;
  siteTitle: string;
  /** The path the language switch returns to. */
  path: string;
  loggedIn: boolean;
}

export const Csrf = (p: { csrf: string }) => (
  <input type="hidden" name={CSRF_FIELD} value={p.csrf} />
);

export function Layout(p: { shell: Shell; title: string; children?: Child }) {
  const { ui, csrf, path } = p.shell;
  const other = ui.locale === 'ar' ? 'en' : 'ar';
  return (
    <html lang={ui.locale} dir={ui.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${p.title} — ${ui.t.desk}`}</title>
        <link rel="stylesheet" href={CSS_PATH} />
        <script src={HTMX_PATH} defer></script>
      </head>
      <body hx-boost="true">
        <header class="bar">
          <a class="brand" href="/desk">
            {ui.t.desk}
          </a>
          <nav>
            {p.shell.loggedIn ? <a href="/desk/health">{ui.t.healthPage}</a> : null}
            <a href={`${path}?lang=${other}`} hx-boost="false" lang={other} hreflang={other}>
              {ui.t.language}
            </a>
            {p.shell.loggedIn ? <a href="/desk/tags">{ui.t.tags}</a> : null}
            {p.shell.loggedIn ? (
              <form method="post" action="/desk/logout" class="inline">
                <Csrf csrf={csrf} />
                <button type="submit">{ui.t.logout}</button>
              </form>
            ) : null}
          </nav>
        </header>
        <main>{p.children}</main>
      </body>
    </html>
  );
}

export function LoginPage(p: { shell: Shell; message: string | null }) {
  const { t } = p.shell.ui;
  return (
    <Layout shell={p.shell} title={t.login}>
      <h1>{t.loginTitle}</h1>
      {p.message ? (
        <p role="alert" class="alert">
          {p.message}
        </p>
      ) : null}
      {/* A full page load: the session cookie is set by the answer. */}
      <form method="post" action="/desk/login" class="card" hx-boost="false">
        <label for="token">{t.tokenLabel}</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          autofocus
        />
        <button type="submit">{t.login}</button>
      </form>
    </Layout>
  );
}

export function MessagePage(p: { shell: Shell; title: string; message: string }) {
  return (
    <Layout shell={p.shell} title={p.title}>
      <h1>{p.title}</h1>
      <p role="alert" class="alert">
        {p.message}
      </p>
      <p>
        <a href="/desk">{p.shell.ui.t.back}</a>
      </p>
    </Layout>
  );
}

export function Flash(p: { text: string | null }) {
  return p.text ? (
    <p role="status" class="flash">
      {p.text}
    </p>
  ) : null;
}

/** Values a form shows again after an error, and the problems by field. */
export interface FormState {
  values: Record<string, string>;
  issues: FieldIssue[];
  /** A problem that belongs to no one field. */
  error: string | null;
}
export const emptyForm = (): FormState => ({ values: {}, issues: [], error: null });

export function fieldIssue(f: FormState, name: string): string | null {
  const hit = f.issues.find((i) => i.path === name || i.path.startsWith(`${name}.`));
  return hit ? hit.message : null;
}

/** A field's problem under it, announced (`${id}-error` is what aria-describedby names). */
export function FieldProblem(p: { id: string; problem: string | null }) {
  return p.problem ? (
    <p class="field-error" id={`${p.id}-error`} role="alert">
      {p.problem}
    </p>
  ) : null;
}

export function Field(p: {
  form: FormState;
  name: string;
  label: string;
  type?: string;
  required?: boolean;
  dirAuto?: boolean;
}) {
  const problem = fieldIssue(p.form, p.name);
  const id = `f-${p.name}`;
  return (
    <div class={problem ? 'field invalid' : 'field'}>
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.form.values[p.name] ?? ''}
        required={p.required}
        dir={p.dirAuto ? 'auto' : 'ltr'}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={problem ? `${id}-error` : undefined}
      />
      <FieldProblem id={id} problem={problem} />
    </div>
  );
}

function SectionSelect(p: {
  ui: Ui;
  form: FormState;
  sections: readonly SectionConfig[];
  name?: string;
}) {
  const name = p.name ?? 'section';
  const problem = fieldIssue(p.form, 'sections') ?? fieldIssue(p.form, name);
  const chosen = p.form.values[name] ?? '';
  return (
    <div class={problem ? 'field invalid' : 'field'}>
      <label for={`f-${name}`}>{p.ui.t.section}</label>
      <select id={`f-${name}`} name={name}>
        <option value="">{p.ui.t.noSection}</option>
        {p.sections.map((s) => (
          <option value={s.id} selected={chosen === s.id} lang={s.lang} dir="auto">
            {s.title}
          </option>
        ))}
      </select>
      {problem ? (
        <p class="field-error" role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

export function FormError(p: { ui: Ui; form: FormState }) {
  if (!p.form.error && !p.form.issues.length) return null;
  return (
    <p role="alert" class="alert">
      {p.form.error ?? p.ui.t.fixErrors}
    </p>
  );
}

function ActionButton(p: { csrf: string; action: string; label: string; kind?: string }) {
  return (
    <form method="post" action={p.action} class="inline">
      <Csrf csrf={p.csrf} />
      <button type="submit" class={p.kind}>
        {p.label}
      </button>
    </form>
  );
}

export function DeskPage(p: {
  shell: Shell;
  /** Filtered and sorted by the service (querySources). */
  sources: SourceView[];
  /** Sources before the filter. */
  total: number;
  query: SourceQuery;
  sections: readonly SectionConfig[];
  tags: readonly TagConfig[];
  flash: string | null;
  add: FormState;
  preview?: SourcePreviewState | null;
  previewError?: string | null;
}) {
  const { ui, csrf } = p.shell;
  const { t } = ui;
  return (
    <Layout shell={p.shell} title={t.sources}>
      <Flash text={p.flash} />
      <section aria-labelledby="h-sections">
        <h2 id="h-sections">{t.sections}</h2>
        <ul class="sections">
          {p.sections.map((s) => (
            <li>
              <a href={`/desk/sections/${s.id}`} lang={s.lang} dir="auto" id={`section-${s.id}`}>
                {s.title}
              </a>
            </li>
          ))}
        </ul>
      </section>

      <SourcesTable
        ui={ui}
        csrf={csrf}
        sources={p.sources}
        total={p.total}
        query={p.query}
        sections={p.sections}
      />

      <AddSourceForm
        ui={ui}
        csrf={csrf}
        form={p.add}
        sections={p.sections}
        tags={p.tags}
        preview={p.preview ?? null}
        previewError={p.previewError ?? null}
      />

      <section aria-labelledby="h-opml" class="card">
        <h2 id="h-opml">{t.opml}</h2>
        <p>
          <a href="/desk/opml" hx-boost="false" download="tributary-sources.opml">
            {t.exportOpml}
          </a>
        </p>
        <form method="post" action="/desk/opml" enctype="multipart/form-data" id="import-opml">
          <Csrf csrf={csrf} />
          <div class="field">
            <label for="f-opml">{t.opmlFile}</label>
            <input id="f-opml" name="file" type="file" accept=".opml,.xml,text/xml" required />
          </div>
          <SectionSelect ui={ui} form={emptyForm()} sections={p.sections} name="opmlSection" />
          <button type="submit">{t.import}</button>
        </form>
      </section>
    </Layout>
  );
}

export function EditSourcePage(p: {
  shell: Shell;
  source: SourceView;
  sections: readonly SectionConfig[];
  tags: readonly TagConfig[];
  form: FormState;
}) {
  const { ui, csrf } = p.shell;
  const { t } = ui;
  return (
    <Layout shell={p.shell} title={t.editSource}>
      <h1>
        {t.editSource}:{' '}
        <span dir="auto" lang={p.source.lang ?? undefined}>
          {p.source.title ?? p.source.id}
        </span>
      </h1>
      <FormError ui={ui} form={p.form} />
      <form method="post" action={`/desk/sources/${p.source.id}`} class="card" id="edit-source">
        <Csrf csrf={csrf} />
        <SourceFields ui={ui} form={p.form} sections={p.sections} tags={p.tags} mode="edit" />
        <button type="submit">{t.save}</button> <a href="/desk">{t.cancel}</a>
      </form>
    </Layout>
  );
}

export function DeletePage(p: { shell: Shell; source: SourceView }) {
  const { ui, csrf } = p.shell;
  const { t } = ui;
  return (
    <Layout shell={p.shell} title={t.deleteSource}>
      <h1>{t.deleteSource}</h1>
      <div class="card">
        <p>
          <strong dir="auto" lang={p.source.lang ?? undefined}>
            {p.source.title ?? p.source.id}
          </strong>{' '}
          <span class="url" dir="ltr">
            {p.source.url}
          </span>
        </p>
        <p>{t.deleteConfirm}</p>
        <p class="note">{t.deleteKeeps}</p>
        <form method="post" action={`/desk/sources/${p.source.id}/delete`} class="inline">
          <Csrf csrf={csrf} />
          <button type="submit" class="danger">
            {t.deleteYes}
          </button>
        </form>{' '}
        <a href="/desk">{t.cancel}</a>
      </div>
    </Layout>
  );
}

/** Where the background retag of the last rule save stands ("N entered, M left" when done). */
export function RetagNote(p: { ui: Ui; status: RetagStatus | null; kind: 'section' | 'tag' }) {
  const { ui } = p;
  const st = p.status;
  if (!st) return null;
  const n = ui.number;
  const text =
    st.state === 'done'
      ? p.kind === 'section'
        ? ui.t.retagDoneSection(n(st.entered), n(st.left))
        : ui.t.retagDoneTag(n(st.entered), n(st.left))
      : st.state === 'failed'
        ? ui.t.retagFailed(st.error ?? '')
        : st.state === 'running'
          ? ui.t.retagRunning(n(st.done), n(st.total))
          : ui.t.retagQueued;
  return (
    <p role="status" class="retag" data-state={st.state}>
      {text}
    </p>
  );
}

export const RULE_FIELDS = [
  'include.tags',
  'include.sources',
  'include.langs',
  'exclude.tags',
  'exclude.sources',
  'exclude.langs',
  'exclude.keywords',
] as const;

export interface RulePreview {
  scanned: number;
  entering: { id: string; title: string }[];
  leaving: { id: string; title: string }[];
}

const PIN_FOR = ['', '1h', '6h', '24h', '72h', '168h'] as const;

function pinLabel(ui: Ui, v: (typeof PIN_FOR)[number]) {
  if (v === '') return ui.t.pinForever;
  const h = Number(v.slice(0, -1));
  return h >= 72 ? ui.t.days(ui.number(h / 24)) : ui.t.hours(ui.number(h));
}

function ItemRow(p: {
  shell: Shell;
  section: SectionConfig;
  item: StoredArticle | PublishedItem;
  pin: { until: string | null } | null;
  hidden?: { here: boolean; everywhere: boolean };
  sourceTitle: (id: string) => string;
  tags: readonly TagConfig[];
}) {
  const { ui, csrf } = p.shell;
  const { t } = ui;
  const a = p.item;
  const base = `/desk/sections/${p.section.id}`;
  const related = 'related' in a ? a.related : [];
  return (
    <li id={`item-${a.id}`} class={p.pin ? 'item pinned' : 'item'}>
      <div class="item-head">
        <a
          href={a.url ?? undefined}
          dir="auto"
          lang={a.lang ?? undefined}
          class="title"
          rel="noreferrer"
        >
          {a.title}
        </a>
        {p.pin ? (
          <span class="badge">
            {p.pin.until ? `${t.pinnedUntil} ${ui.date(p.pin.until)}` : t.pinned}
          </span>
        ) : null}
        {p.hidden?.here ? <span class="badge muted">{t.hiddenHere}</span> : null}
        {p.hidden?.everywhere ? <span class="badge muted">{t.hiddenEverywhere}</span> : null}
      </div>
      <div class="meta">
        <span dir="auto">{p.sourceTitle(a.sourceId)}</span>
        {related.map((r) => (
          <span class="tag" dir="auto">
            + {p.sourceTitle(r.sourceId)}
          </span>
        ))}{' '}
        <time datetime={a.published}>{ui.date(a.published)}</time>
      </div>
      <div class="actions">
        {p.hidden ? (
          <>
            {p.hidden.here ? (
              <ActionButton csrf={csrf} action={`${base}/unhide/${a.id}`} label={t.unhide} />
            ) : null}
            {p.hidden.everywhere ? (
              <ActionButton
                csrf={csrf}
                action={`${base}/unhide-everywhere/${a.id}`}
                label={t.unhideEverywhere}
              />
            ) : null}
          </>
        ) : (
          <>
            {p.pin ? (
              <ActionButton csrf={csrf} action={`${base}/unpin/${a.id}`} label={t.unpin} />
            ) : (
              <form method="post" action={`${base}/pin/${a.id}`} class="inline">
                <Csrf csrf={csrf} />
                <label class="sr-only" for={`until-${a.id}`}>
                  {t.pinFor}
                </label>
                <select name="for" id={`until-${a.id}`}>
                  {PIN_FOR.map((v) => (
                    <option value={v}>{pinLabel(ui, v)}</option>
                  ))}
                </select>
                <button type="submit">{t.pin}</button>
              </form>
            )}
            <ActionButton csrf={csrf} action={`${base}/hide/${a.id}`} label={t.hide} />
            <ActionButton
              csrf={csrf}
              action={`${base}/hide-everywhere/${a.id}`}
              label={t.hideEverywhere}
              kind="danger"
            />
          </>
        )}
      </div>
      {p.tags.length && !p.hidden ? (
        <form method="post" action={`${base}/tags/${a.id}`} class="tags-form">
          <Csrf csrf={csrf} />
          {a.tags.map((id) => (
            <span class="tag" dir="auto">
              {p.tags.find((tg) => tg.id === id)?.label ?? id}
            </span>
          ))}
          <label class="sr-only" for={`tag-${a.id}`}>
            {t.tag}
          </label>
          <select name="tag" id={`tag-${a.id}`}>
            {p.tags.map((tg) => (
              <option value={tg.id} dir="auto">
                {tg.label}
              </option>
            ))}
          </select>
          <button type="submit" name="op" value="add">
            {t.addTag}
          </button>
          <button type="submit" name="op" value="remove">
            {t.removeTag}
          </button>
        </form>
      ) : null}
    </li>
  );
}

export function SectionPage(p: {
  shell: Shell;
  section: SectionConfig;
  items: PublishedItem[];
  pins: Map<string, { until: string | null }>;
  hidden: { article: StoredArticle; here: boolean; everywhere: boolean }[];
  flash: string | null;
  sourceTitle: (id: string) => string;
  feedBase: string;
  tags: readonly TagConfig[];
  rules: FormState;
  preview: RulePreview | null;
  /** The saved-rules state: overriding the config file or not, and the last save's retag. */
  saved?: { overridden: boolean; savedAt: string | null; retag: RetagStatus | null };
}) {
  const { ui } = p.shell;
  const { t } = ui;
  const s = p.section;
  return (
    <Layout shell={p.shell} title={s.title}>
      <Flash text={p.flash} />
      <p>
        <a href="/desk">{t.back}</a>
      </p>
      <h1 lang={s.lang} dir="auto">
        {s.title}
      </h1>
      <p class="subscribe">
        {t.subscribe}:{' '}
        {(['rss', 'atom', 'json'] as const).map((f) => (
          <a href={`${p.feedBase}/feeds/${s.id}.${f}`} hx-boost="false" class="button">
            {f === 'json' ? 'JSON Feed' : f.toUpperCase()}
          </a>
        ))}
      </p>
      <section aria-labelledby="h-items">
        <h2 id="h-items">{t.items}</h2>
        {p.items.length === 0 ? <p>{t.noItems}</p> : null}
        <ol class="items" lang={s.lang}>
          {p.items.map((item) => (
            <ItemRow
              shell={p.shell}
              section={s}
              item={item}
              pin={p.pins.get(item.id) ?? null}
              sourceTitle={p.sourceTitle}
              tags={p.tags}
            />
          ))}
        </ol>
      </section>
      {p.hidden.length ? (
        <section aria-labelledby="h-hidden">
          <h2 id="h-hidden">{t.hiddenItems}</h2>
          <ol class="items hidden-items">
            {p.hidden.map((h) => (
              <ItemRow
                shell={p.shell}
                section={s}
                item={h.article}
                pin={null}
                hidden={{ here: h.here, everywhere: h.everywhere }}
                sourceTitle={p.sourceTitle}
                tags={p.tags}
              />
            ))}
          </ol>
        </section>
      ) : null}
      <section aria-labelledby="h-rules" class="card" id="rule-preview">
        <h2 id="h-rules">{t.rulePreview}</h2>
        <p class="note">{t.ruleNote}</p>
        <p class="note rules-origin">
          {p.saved?.overridden ? `${t.rulesSaved} ${ui.date(p.saved.savedAt)}` : t.rulesFromConfig}
        </p>
        <RetagNote ui={ui} status={p.saved?.retag ?? null} kind="section" />
        <FormError ui={ui} form={p.rules} />
        <form method="post" action={`/desk/sections/${s.id}/preview`}>
          <Csrf csrf={p.shell.csrf} />
          {RULE_FIELDS.map((name) => (
            <Field
              form={p.rules}
              name={name}
              label={`${t[name]} (${t.listHint})`}
              dirAuto={name === 'exclude.keywords'}
            />
          ))}
          <button type="submit">{t.preview}</button>{' '}
          <button type="submit" formaction={`/desk/sections/${s.id}/rules`}>
            {t.saveRules}
          </button>
        </form>
        {p.saved?.overridden ? (
          <form method="post" action={`/desk/sections/${s.id}/rules/reset`} class="inline">
            <Csrf csrf={p.shell.csrf} />
            <button type="submit">{t.resetRules}</button>
          </form>
        ) : null}
        {p.preview ? (
          <div class="preview" role="status">
            <p>{t.scanned(ui.number(p.preview.scanned))}</p>
            {(['entering', 'leaving'] as const).map((k) => (
              <>
                <h3>
                  {t[k]} ({ui.number(p.preview![k].length)})
                </h3>
                {p.preview![k].length ? (
                  <ul class={`preview-${k}`}>
                    {p.preview![k].map((a) => (
                      <li dir="auto">{a.title}</li>
                    ))}
                  </ul>
                ) : (
                  <p class="note">{t.none}</p>
                )}
              </>
            ))}
          </div>
        ) : null}
      </section>
    </Layout>
  );
}
