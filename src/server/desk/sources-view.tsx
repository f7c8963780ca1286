// The desk's sources table (sortable and filterable by plain links and a GET form; with htmx
// the same links swap the table only), the add/edit source fields with every per-source setting,
// and the add form's feed preview. Order and filter come from the service (querySources).
import { raw } from 'hono/html';
import type { SectionConfig, TagConfig } from '../../domain/types.ts';
import { SOURCE_FILTERS } from '../services/sources.ts';
import type { SourceQuery, SourceSort, SourceView } from '../services/sources.ts';
import type { PreviewResult } from '../../catalog/preview.ts';
import type { Ui } from './i18n.ts';
import { CSRF_FIELD } from './security.ts';
import { escapeHtml } from '../../publish/pages.ts';
import { Csrf, Field, FieldProblem, FormError, fieldIssue } from './pages.tsx';
import type { FormState } from './pages.tsx';
import {
  SETTING_FIELDS,
  SPARE_HEADER_ROWS,
  headerKept,
  headerName,
  headerRowCount,
  headerValue,
} from './source-form.ts';

/** The region a sort link or the filter form replaces when htmx runs. */
const TABLE_ID = 'sources-table';
export const PREVIEW_ID = 'source-preview';

/** Text and attribute values in the string-built rows: the one HTML escaper of the project. */
const esc = escapeHtml;

/** `/desk?…` for a query (defaults left out). */
export function queryHref(q: SourceQuery): string {
  const p = new URLSearchParams();
  if (q.q) p.set('q', q.q);
  if (q.state) p.set('state', q.state);
  if (q.section) p.set('section', q.section);
  if (q.sort !== 'health' || q.dir !== 'asc') {
    p.set('sort', q.sort);
    p.set('dir', q.dir);
  }
  const s = p.toString();
  return s ? `/desk?${s}` : '/desk';
}

function pushCell(ui: Ui, s: SourceView): string {
  const { t } = ui;
  if (s.push === false) return esc(t.push_off);
  const sub = s.pushSub;
  if (!sub) return esc(t.push_none);
  const word = (t[`push_${sub.state}` as keyof typeof t] as string | undefined) ?? sub.state;
  const until =
    sub.state === 'subscribed' && sub.leaseEnds
      ? `<span class="next">${esc(t.pushUntil)} ${esc(ui.date(sub.leaseEnds))}</span>`
      : '';
  return `<span class="push push-${esc(sub.state)}" title="${esc(sub.hub)}">${esc(word)}</span>${until}`;
}

/**
 * The rows as one string: with 1,000 sources the JSX element tree cost several times the page's
 * budget (/desk answers in < 100 ms with 1,000 sources), a template does not. Every value from a
 * feed or a person goes through `esc`.
 */
function sourceRows(
  ui: Ui,
  csrf: string,
  list: SourceView[],
  sectionTitle: Map<string, SectionConfig>,
): string {
  const { t } = ui;
  const csrfField = `<input type="hidden" name="${CSRF_FIELD}" value="${esc(csrf)}"/>`;
  let out = '';
  for (const s of list) {
    const status = s.paused ? 'paused' : s.health.status;
    const word = (t[`status_${status}` as keyof typeof t] as string | undefined) ?? status;
    const id = esc(s.id);
    const path = `/desk/sources/${id}`;
    const lang = s.lang ? ` lang="${esc(s.lang)}"` : '';
    const tags = s.inSections
      .map(
        (sid) => `<span class="tag" dir="auto">${esc(sectionTitle.get(sid)?.title ?? sid)}</span>`,
      )
      .join('');
    // One form per row (one CSRF field): each button names its own action.
    const buttons = s.paused
      ? `<button type="submit">${esc(t.resume)}</button>`
      : `<button type="submit">${esc(t.pause)}</button><button type="submit" formaction="${path}/refresh">${esc(t.refresh)}</button>`;
    const links = s.readOnly
      ? ''
      : `<a class="button" href="${path}/edit">${esc(t.edit)}</a><a class="button danger" href="${path}/delete">${esc(t.delete)}</a>`;
    const next = s.health.nextPoll && !s.paused ? esc(ui.date(s.health.nextPoll)) : '';
    out +=
      `<tr id="source-${id}" data-status="${esc(status)}"><td>` +
      `<span class="title" dir="auto"${lang}>${esc(s.title ?? s.id)}</span>` +
      `<span class="url" dir="ltr">${esc(s.url)}</span>` +
      `<span class="meta"><code>${id}</code>${tags}${s.readOnly ? `<span class="ro">${esc(t.fromConfig)}</span>` : ''}</span></td>` +
      `<td><span class="status status-${esc(status)}">${esc(word)}</span></td>` +
      `<td>${esc(ui.date(s.health.lastFetch))}</td>` +
      `<td class="next-poll">${next}</td>` +
      `<td class="error" dir="auto">${esc(s.health.lastError ?? '')}</td>` +
      `<td class="num">${esc(ui.number(s.health.articleCount ?? 0))}</td>` +
      `<td class="push-state">${pushCell(ui, s)}</td>` +
      `<td class="actions"><form method="post" action="${path}/${s.paused ? 'resume' : 'pause'}" class="inline">${csrfField}${buttons}</form>${links}</td></tr>`;
  }
  return out;
}

/** htmx: fetch this URL and put only the table region in place (and in the address bar). */
const swapTable = (href: string) => ({
  'hx-get': href,
  'hx-target': `#${TABLE_ID}`,
  'hx-select': `#${TABLE_ID}`,
  'hx-swap': 'outerHTML',
  'hx-push-url': 'true',
});

function SortHeader(p: { ui: Ui; query: SourceQuery; sort: SourceSort; label: string }) {
  const active = p.query.sort === p.sort;
  const dir = active && p.query.dir === 'asc' ? 'desc' : 'asc';
  const href = queryHref({ ...p.query, sort: p.sort, dir });
  return (
    <th
      scope="col"
      aria-sort={active ? (p.query.dir === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <a href={href} class="sort" title={p.ui.t.sortBy(p.label)} {...swapTable(href)}>
        {p.label}
        {active ? <span aria-hidden="true">{p.query.dir === 'asc' ? ' ▲' : ' ▼'}</span> : null}
      </a>
    </th>
  );
}

/** The filter form, the count and the table: the region sorting and filtering replace. */
export function SourcesTable(p: {
  ui: Ui;
  csrf: string;
  /** Already filtered and sorted (querySources). */
  sources: SourceView[];
  total: number;
  query: SourceQuery;
  sections: readonly SectionConfig[];
}) {
  const { ui, query } = p;
  const { t } = ui;
  const sectionTitle = new Map(p.sections.map((s) => [s.id, s]));
  const sort = (s: SourceSort, label: string) => (
    <SortHeader ui={ui} query={query} sort={s} label={label} />
  );
  return (
    <section aria-labelledby="h-sources" id={TABLE_ID}>
      <h2 id="h-sources">
        {t.sources}{' '}
        <span class="count">
          (
          {p.sources.length === p.total
            ? ui.number(p.total)
            : t.nOfM(ui.number(p.sources.length), ui.number(p.total))}
          )
        </span>
      </h2>
      <form method="get" action="/desk" role="search" class="filter" {...swapTable('/desk')}>
        <label for="f-q">{t.search}</label>
        <input id="f-q" name="q" type="search" value={query.q ?? ''} dir="auto" />
        <label for="f-state">{t.health}</label>
        <select id="f-state" name="state">
          <option value="">{t.all}</option>
          {SOURCE_FILTERS.map((f) => (
            <option value={f} selected={query.state === f}>
              {t[`filter_${f}`]}
            </option>
          ))}
        </select>
        <label for="f-filter-section">{t.section}</label>
        <select id="f-filter-section" name="section">
          <option value="">{t.allSections}</option>
          {p.sections.map((s) => (
            <option value={s.id} selected={query.section === s.id} lang={s.lang} dir="auto">
              {s.title}
            </option>
          ))}
        </select>
        {query.sort !== 'health' || query.dir !== 'asc' ? (
          <>
            <input type="hidden" name="sort" value={query.sort} />
            <input type="hidden" name="dir" value={query.dir} />
          </>
        ) : null}
        <button type="submit">{t.filter}</button>
      </form>
      <div class="table-wrap">
        <table class="sources">
          <thead>
            <tr>
              {sort('title', t.source)}
              {sort('health', t.health)}
              {sort('lastFetch', t.lastFetch)}
              {sort('nextPoll', t.nextPollCol)}
              <th scope="col">{t.lastError}</th>
              {sort('articles', t.articles)}
              <th scope="col">{t.pushCol}</th>
              <th scope="col">{t.actions}</th>
            </tr>
          </thead>
          <tbody>{raw(sourceRows(ui, p.csrf, p.sources, sectionTitle))}</tbody>
        </table>
      </div>
    </section>
  );
}

function Problem(p: { form: FormState; name: string; id: string }) {
  return <FieldProblem id={p.id} problem={fieldIssue(p.form, p.name)} />;
}

/** A select of fixed values; `multiple` posts each chosen one under `name`. */
function Choice(p: {
  form: FormState;
  name: string;
  id?: string;
  label: string;
  options: readonly { value: string; label: string; lang?: string; auto?: boolean }[];
  multiple?: boolean;
}) {
  const id = p.id ?? `f-${p.name}`;
  const problem = fieldIssue(p.form, p.name);
  const chosen = new Set((p.form.values[p.name] ?? '').split(','));
  return (
    <div class={problem ? 'field invalid' : 'field'}>
      <label for={id}>{p.label}</label>
      <select
        id={id}
        name={p.name}
        multiple={p.multiple}
        size={p.multiple ? Math.min(Math.max(p.options.length, 2), 6) : undefined}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={problem ? `${id}-error` : undefined}
      >
        {p.options.map((o) => (
          <option
            value={o.value}
            selected={chosen.has(o.value)}
            lang={o.lang}
            dir={o.auto ? 'auto' : undefined}
          >
            {o.label}
          </option>
        ))}
      </select>
      <Problem form={p.form} name={p.name} id={id} />
    </div>
  );
}

function TextInput(p: {
  form: FormState;
  name: string;
  label: string;
  placeholder?: string;
  dirAuto?: boolean;
  /** Values never offered by the browser's autofill (credentials of another site). */
  noAutofill?: boolean;
}) {
  const id = `f-${p.name}`;
  const problem = fieldIssue(p.form, p.name);
  return (
    <div class={problem ? 'field invalid' : 'field'}>
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        type="text"
        value={p.form.values[p.name] ?? ''}
        placeholder={p.placeholder}
        dir={p.dirAuto ? 'auto' : 'ltr'}
        autocomplete={p.noAutofill ? 'off' : undefined}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={problem ? `${id}-error` : undefined}
      />
      <Problem form={p.form} name={p.name} id={id} />
    </div>
  );
}

function Keywords(p: { form: FormState; name: 'include' | 'exclude'; label: string }) {
  const id = `f-${p.name}`;
  const problem = fieldIssue(p.form, p.name);
  return (
    <div class={problem ? 'field invalid' : 'field'}>
      <label for={id}>{p.label}</label>
      <textarea
        id={id}
        name={p.name}
        rows={3}
        dir="auto"
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={problem ? `${id}-error` : undefined}
      >
        {p.form.values[p.name] ?? ''}
      </textarea>
      <Problem form={p.form} name={p.name} id={id} />
    </div>
  );
}

/** Whether the per-source settings start open: something set or wrong in them. */
function settingsOpen(form: FormState): boolean {
  const v = form.values;
  const set = (k: string) => (v[k] ?? '') !== '';
  return (
    ['priority', 'userAgent', 'charset', 'authKind', 'include', 'exclude'].some(set) ||
    (set('fullText') && v.fullText !== 'auto') ||
    v.push === 'off' ||
    headerRowCount(v) > 0 ||
    form.issues.some((i) => SETTING_FIELDS.includes(i.path) || i.path.startsWith('header-'))
  );
}

/** The fields of a source in the add and the edit form (every per-source setting). */
export function SourceFields(p: {
  ui: Ui;
  form: FormState;
  sections: readonly SectionConfig[];
  tags: readonly TagConfig[];
  mode: 'add' | 'edit';
}) {
  const { ui, form } = p;
  const { t } = ui;
  const v = form.values;
  const rows = headerRowCount(v) + SPARE_HEADER_ROWS;
  return (
    <>
      <Field form={form} name="url" label={t.url} type="url" required />
      <Field form={form} name="title" label={t.title} dirAuto />
      {p.mode === 'add' ? <Field form={form} name="id" label={t.id} /> : null}
      <Choice
        form={form}
        name="sections"
        id="f-section"
        label={t.sectionsField}
        multiple
        options={p.sections.map((s) => ({ value: s.id, label: s.title, lang: s.lang, auto: true }))}
      />
      <Field form={form} name="lang" label={t.lang} />
      <Field form={form} name="interval" label={t.interval} />
      <details class="settings" open={settingsOpen(form)}>
        <summary>{t.settings}</summary>
        <TextInput form={form} name="priority" label={t.priority} />
        {p.tags.length ? (
          <Choice
            form={form}
            name="tags"
            label={t.tagsField}
            multiple
            options={p.tags.map((tg) => ({ value: tg.id, label: tg.label, auto: true }))}
          />
        ) : null}
        <Choice
          form={form}
          name="fullText"
          label={t.fullText}
          options={(['auto', 'always', 'never'] as const).map((m) => ({
            value: m,
            label: t[`fullText_${m}`],
          }))}
        />
        <Choice
          form={form}
          name="push"
          label={t.pushSetting}
          options={(['on', 'off'] as const).map((m) => ({
            value: m,
            label: t[`pushSetting_${m}`],
          }))}
        />
        <TextInput form={form} name="userAgent" label={t.userAgent} />
        <TextInput form={form} name="charset" label={t.charset} />
        <fieldset class="headers">
          <legend>{t.headers}</legend>
          {Array.from({ length: rows }, (_, i) => {
            const kept = v[headerKept(i)] === '1';
            const problem = fieldIssue(form, headerName(i));
            return (
              <div class={problem ? 'header-row invalid' : 'header-row'}>
                <label for={`f-${headerName(i)}`} class="sr-only">
                  {`${t.headerName} ${i + 1}`}
                </label>
                <input
                  id={`f-${headerName(i)}`}
                  name={headerName(i)}
                  type="text"
                  dir="ltr"
                  placeholder={t.headerName}
                  value={v[headerName(i)] ?? ''}
                  aria-invalid={problem ? 'true' : undefined}
                />
                <label for={`f-${headerValue(i)}`} class="sr-only">
                  {`${t.headerValue} ${i + 1}`}
                </label>
                <input
                  id={`f-${headerValue(i)}`}
                  name={headerValue(i)}
                  type="text"
                  dir="ltr"
                  autocomplete="off"
                  placeholder={kept ? t.unchanged : t.headerValue}
                  value={kept ? '' : (v[headerValue(i)] ?? '')}
                />
                {problem ? (
                  <p class="field-error" role="alert">
                    {`${v[headerName(i)] ?? ''}: ${problem}`}
                  </p>
                ) : null}
              </div>
            );
          })}
        </fieldset>
        <Choice
          form={form}
          name="authKind"
          label={t.auth}
          options={(['', 'basic', 'bearer'] as const).map((m) => ({
            value: m,
            label: t[`auth_${m || 'none'}`],
          }))}
        />
        <TextInput form={form} name="authUser" label={t.authUser} noAutofill />
        <TextInput
          form={form}
          name="authEnv"
          label={t.authEnv}
          placeholder={v.authKept === '1' ? t.unchanged : 'DESK_TOKEN'}
          noAutofill
        />
        <Keywords form={form} name="include" label={t.includeKw} />
        <Keywords form={form} name="exclude" label={t.excludeKw} />
      </details>
    </>
  );
}

export interface SourcePreviewState {
  result: Pick<PreviewResult, 'articles' | 'feedUrl' | 'discoveredFrom'> & { total: number };
}

/** What the add form's Preview found: the first items, or why there are none. */
export function SourcePreview(p: {
  ui: Ui;
  preview: SourcePreviewState | null;
  error: string | null;
}) {
  const { ui } = p;
  const { t } = ui;
  const r = p.preview?.result;
  return (
    <div id={PREVIEW_ID} class="preview" aria-live="polite">
      {p.error ? (
        <p role="alert" class="alert">
          {p.error}
        </p>
      ) : null}
      {r ? (
        <div role="status">
          <h3>{t.previewTitle}</h3>
          {r.discoveredFrom ? (
            <p>
              {t.previewDiscovered}{' '}
              <span class="url" dir="ltr">
                {r.feedUrl}
              </span>
            </p>
          ) : null}
          {r.total ? (
            <p>{t.previewCount(ui.number(r.articles.length), ui.number(r.total))}</p>
          ) : (
            <p class="note">{t.previewEmpty}</p>
          )}
          <ol class="preview-items">
            {r.articles.map((a) => (
              <li>
                <a
                  href={a.url ?? undefined}
                  class="title"
                  dir="auto"
                  lang={a.lang ?? undefined}
                  rel="noreferrer"
                  hx-boost="false"
                >
                  {a.title}
                </a>{' '}
                <time datetime={a.published}>{ui.date(a.published)}</time>
                {a.tooOld ? <span class="badge muted">{t.tooOld}</span> : null}
                {a.tags.map((tg) => (
                  <span class="tag">{tg}</span>
                ))}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </div>
  );
}

/** The add form: fields, Preview (no JS: the page again; htmx: the preview area only), Add. */
export function AddSourceForm(p: {
  ui: Ui;
  csrf: string;
  form: FormState;
  sections: readonly SectionConfig[];
  tags: readonly TagConfig[];
  preview: SourcePreviewState | null;
  previewError: string | null;
}) {
  const { ui } = p;
  const { t } = ui;
  return (
    <section aria-labelledby="h-add" class="card">
      <h2 id="h-add">{t.addSource}</h2>
      <FormError ui={ui} form={p.form} />
      <form method="post" action="/desk/sources" id="add-source">
        <Csrf csrf={p.csrf} />
        <SourceFields ui={ui} form={p.form} sections={p.sections} tags={p.tags} mode="add" />
        <button
          type="submit"
          formaction="/desk/sources/preview"
          hx-post="/desk/sources/preview"
          hx-target={`#${PREVIEW_ID}`}
          hx-select={`#${PREVIEW_ID}`}
          hx-swap="outerHTML"
        >
          {t.preview}
        </button>{' '}
        <button type="submit">{t.add}</button>
      </form>
      <SourcePreview ui={ui} preview={p.preview} error={p.previewError} />
    </section>
  );
}
