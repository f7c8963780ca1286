// The add and edit source forms as the source service's input, and back: which form field holds
// which setting, what a posted form shows again after a problem, and where the service's field
// problems (API paths like `fetch.headers.X-Api-Key`) go on the form. Translation only: the rules
// (validation, which secrets are kept) live in ../services/sources.ts.
import type { SourceView, FormSettings } from '../services/sources.ts';
import { looksSecret } from '../services/sources.ts';
import type { FieldIssue } from '../services/validate.ts';

export type Form = Record<string, string | File | (string | File)[]>;

/** Empty header rows a form offers besides the filled ones (no JavaScript: no "add a row"). */
/** The add/edit form's single-valued fields: the source itself, then its per-source settings
 *  (header rows and sections are fields of their own; `tags` is a list). */
const BASIC_FIELDS = ['url', 'title', 'id', 'lang', 'interval'] as const;
export const SETTING_FIELDS: readonly string[] = [
  'priority',
  'tags',
  'fullText',
  'push',
  'userAgent',
  'charset',
  'authKind',
  'authUser',
  'authEnv',
  'include',
  'exclude',
];

export const SPARE_HEADER_ROWS = 2;
/** Most header rows read from one form. */
const MAX_HEADER_ROWS = 20;

export const headerName = (i: number) => `header-name-${i}`;
export const headerValue = (i: number) => `header-value-${i}`;
/** Set on a row whose stored value is a secret the form does not show ("unchanged"). */
export const headerKept = (i: number) => `header-kept-${i}`;

const one = (f: Form, k: string): string => {
  const v = f[k];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first.trim() : '';
};
const all = (f: Form, k: string): string[] => {
  const v = f[k];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .filter((x): x is string => typeof x === 'string')
    .map((x) => x.trim())
    .filter(Boolean);
};
/** Keywords: one per line, or separated by commas (Latin or Arabic). */
const keywordList = (v: string) =>
  v
    .split(/[\n,،]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Sections picked (`sections`, several; `section`, one, as older forms post it). */
const sectionsOf = (f: Form) => [...new Set([...all(f, 'sections'), ...all(f, 'section')])];

function headerRows(f: Form): { name: string; value: string }[] {
  const rows = [];
  for (let i = 0; i < MAX_HEADER_ROWS; i++) {
    if (!(headerName(i) in f)) continue;
    rows.push({ name: one(f, headerName(i)), value: one(f, headerValue(i)) });
  }
  return rows;
}

/**
 * The form's fields as the service's input. `add`: empty fields are absent. `edit`: an emptied
 * field is cleared (null), and an empty secret is sent empty, which the service's `keepSecrets`
 * reads as "keep the stored one".
 */
export function sourceInput(f: Form, mode: 'add' | 'edit'): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const clear = mode === 'edit' ? null : undefined;
  for (const k of ['url', 'title', 'lang', 'interval', ...(mode === 'add' ? ['id'] : [])]) {
    const v = one(f, k);
    if (v !== '') input[k] = v;
    else if (k !== 'url' && clear !== undefined) input[k] = clear;
  }
  const priority = one(f, 'priority');
  // A number when it is one; anything else goes on as typed, for the service to refuse.
  if (priority !== '') input.priority = /^-?\d{1,6}$/.test(priority) ? Number(priority) : priority;
  input.sections = sectionsOf(f);
  if ('tags' in f || mode === 'edit') input.tags = all(f, 'tags');
  const fullText = one(f, 'fullText');
  if (fullText) input.fullText = fullText;
  const push = one(f, 'push');
  if (push === 'on' || push === 'off') input.push = push === 'on';

  const fetch: Record<string, unknown> = {};
  for (const k of ['userAgent', 'charset']) if (one(f, k)) fetch[k] = one(f, k);
  const headers = headerRows(f).filter((r) => r.name !== '');
  if (headers.length) fetch.headers = Object.fromEntries(headers.map((r) => [r.name, r.value]));
  const kind = one(f, 'authKind');
  const env = one(f, 'authEnv');
  if (kind === 'basic') fetch.auth = { basic: { user: one(f, 'authUser'), passwordEnv: env } };
  else if (kind === 'bearer') fetch.auth = { bearerEnv: env };
  if (Object.keys(fetch).length) input.fetch = fetch;
  else if (clear !== undefined) input.fetch = clear;

  for (const k of ['include', 'exclude'] as const) {
    const keywords = keywordList(one(f, k));
    if (keywords.length) input[k] = { keywords };
    else if (clear !== undefined) input[k] = clear;
  }
  return input;
}

/**
 * What a posted form shows again. A credential-like header value and the auth variable are shown
 * again on the add form (nothing is stored yet) but never on the edit form: there the field is
 * empty with "unchanged" (empty keeps the stored one).
 */
export function postedValues(f: Form, mode: 'add' | 'edit'): Record<string, string> {
  const v: Record<string, string> = {};
  for (const k of [...BASIC_FIELDS, ...SETTING_FIELDS]) if (k !== 'tags') v[k] = one(f, k);
  // Keywords keep their lines.
  for (const k of ['include', 'exclude']) v[k] = keywordList(one(f, k)).join('\n');
  v.sections = sectionsOf(f).join(',');
  v.tags = all(f, 'tags').join(',');
  headerRows(f).forEach((r, i) => {
    v[headerName(i)] = r.name;
    const hide = mode === 'edit' && looksSecret(r.name);
    v[headerValue(i)] = hide ? '' : r.value;
    if (hide) v[headerKept(i)] = '1';
  });
  if (mode === 'edit' && v.authKind) {
    v.authEnv = '';
    v.authKept = '1';
  }
  return v;
}

/** A stored source as its edit form's values (no secrets: see settingsForForm). */
export function sourceValues(s: SourceView, st: FormSettings): Record<string, string> {
  const v: Record<string, string> = {
    url: s.url,
    title: s.title ?? '',
    lang: s.lang ?? '',
    interval: s.interval ? `${Math.round(s.interval / 60_000)}m` : '',
    priority: s.priority ? String(s.priority) : '',
    sections: s.sections.join(','),
    tags: s.tags.join(','),
    fullText: st.fullText,
    push: st.push ? 'on' : 'off',
    userAgent: st.userAgent ?? '',
    charset: st.charset ?? '',
    authKind: st.auth?.kind ?? '',
    authUser: st.auth?.user ?? '',
    authEnv: '',
    include: st.include.join('\n'),
    exclude: st.exclude.join('\n'),
  };
  if (st.auth) v.authKept = '1';
  st.headers.forEach((h, i) => {
    v[headerName(i)] = h.name;
    v[headerValue(i)] = h.value ?? '';
    if (h.value === null) v[headerKept(i)] = '1';
  });
  return v;
}

/** How many header rows the values hold (filled ones). */
export const headerRowCount = (v: Record<string, string>) => {
  let n = 0;
  while (headerName(n) in v) n++;
  return n;
};

/** The service's problems (API paths) as the form's field names. */
export function formIssues(issues: FieldIssue[], values: Record<string, string>): FieldIssue[] {
  const rowOf = (name: string) => {
    for (let i = 0; headerName(i) in values; i++)
      if (values[headerName(i)]!.toLowerCase() === name.toLowerCase()) return headerName(i);
    return 'userAgent';
  };
  const field = (path: string): string => {
    const [a, b, c, d] = path.split('.');
    if (a === 'fetch') {
      if (b === 'headers') return c ? rowOf(c) : 'userAgent';
      if (b === 'auth')
        return c === 'bearerEnv' || d === 'passwordEnv'
          ? 'authEnv'
          : d === 'user'
            ? 'authUser'
            : 'authKind';
      if (b === 'charset') return 'charset';
      return 'userAgent';
    }
    if (a === 'include' || a === 'exclude' || a === 'sections' || a === 'tags') return a;
    return path;
  };
  return issues.map((i) => ({ ...i, path: field(i.path) }));
}
