// The desk's two assets, both from our own origin: htmx (read once from the installed npm package,
// versioned in its path so it can be cached for a year) and the style sheet (logical properties
// only — margin-inline, padding-inline, inset-inline — so RTL needs no second sheet).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import type { Hono } from 'hono';

const require = createRequire(import.meta.url);
const htmxFile = require.resolve('htmx.org/dist/htmx.min.js');
const htmxVersion = (require('htmx.org/package.json') as { version: string }).version;

export const HTMX_PATH = `/desk/assets/htmx-${htmxVersion}.min.js`;

const CSS = `
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fbfbf8; --muted: #666; --line: #ddd;
  --accent: #0b5cad; --bad: #b3261e; --ok: #1e7b34; --warn: #8a5a00; --card: #fff; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #eee; --bg: #151515; --muted: #aaa; --line: #333; --accent: #7ab7ff;
    --bad: #ff8a80; --ok: #7fd48f; --warn: #f3c267; --card: #1e1e1e; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, "Noto Sans", "Noto Naskh Arabic", sans-serif;
  color: var(--fg); background: var(--bg); }
main { max-inline-size: 72rem; margin-inline: auto; padding-inline: 1rem; padding-block: 1rem 3rem; }
a { color: var(--accent); }
h1 { font-size: 1.5rem; margin-block: 0.5rem 1rem; }
h2 { font-size: 1.2rem; margin-block: 1.5rem 0.5rem; }
.bar { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center;
  justify-content: space-between; padding-block: 0.5rem; padding-inline: 1rem;
  border-block-end: 1px solid var(--line); background: var(--card); }
.bar .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
.bar nav { display: flex; gap: 0.75rem; align-items: center; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
  padding-block: 0.75rem; padding-inline: 1rem; margin-block: 1rem; }
.inline { display: inline; }
.field { display: flex; flex-direction: column; gap: 0.2rem; margin-block-end: 0.75rem;
  max-inline-size: 36rem; }
input, select, button, .button { font: inherit; }
input[type=text], input[type=url], input[type=password], input[type=search], select { padding-block: 0.35rem;
  padding-inline: 0.5rem; border: 1px solid var(--line); border-radius: 4px; background: var(--bg);
  color: var(--fg); inline-size: 100%; }
.field.invalid input, .field.invalid select { border-color: var(--bad); }
.field-error, .alert { color: var(--bad); margin: 0; }
.alert { border-inline-start: 4px solid var(--bad); padding-inline-start: 0.5rem;
  margin-block: 0.5rem; }
.flash { border-inline-start: 4px solid var(--ok); padding-inline-start: 0.5rem; }
button, .button { display: inline-block; padding-block: 0.25rem; padding-inline: 0.6rem;
  border: 1px solid var(--line); border-radius: 4px; background: var(--card); color: var(--fg);
  cursor: pointer; text-decoration: none; margin-block: 0.1rem; margin-inline-end: 0.25rem; }
button.danger, .button.danger { color: var(--bad); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; inline-size: 100%; }
th, td { text-align: start; vertical-align: top; padding-block: 0.4rem; padding-inline: 0.5rem;
  border-block-end: 1px solid var(--line); }
td .title { display: block; font-weight: 600; }
td .next { display: block; color: var(--muted); font-size: 0.85em; }
td .url { display: block; color: var(--muted); font-size: 0.85em; overflow-wrap: anywhere; }
td.error { color: var(--bad); font-size: 0.9em; overflow-wrap: anywhere; max-inline-size: 18rem; }
td.num { font-variant-numeric: tabular-nums; }
.meta { color: var(--muted); font-size: 0.85em; display: flex; flex-wrap: wrap; gap: 0.4rem; }
.tag, .badge { border: 1px solid var(--line); border-radius: 999px; padding-inline: 0.5rem;
  font-size: 0.85em; }
.badge { color: var(--ok); margin-inline-start: 0.5rem; }
.badge.muted { color: var(--muted); }
.ro { font-style: italic; }
.status { font-weight: 600; }
.status-ok, .status-not-modified { color: var(--ok); }
.status-error { color: var(--bad); }
.status-paused, .status-new { color: var(--warn); }
.sections { display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; padding-inline-start: 1.25rem; }
.items { padding-inline-start: 1.5rem; }
.item { margin-block-end: 0.9rem; }
.item .title { font-weight: 600; }
.item.pinned .title::before { content: "📌 "; }
.note { color: var(--muted); }
.filter { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center;
  margin-block-end: 0.5rem; }
.filter input, .filter select { inline-size: auto; max-inline-size: 100%; }
.tags-form { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center;
  margin-block-start: 0.3rem; }
.tags-form select, .item .actions select { inline-size: auto; max-inline-size: 100%; }
.sr-only { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
@media (max-width: 40rem) {
  table.sources thead { display: none; }
  table.sources, table.sources tbody, table.sources tr, table.sources td { display: block; }
  table.sources tr { border-block-end: 2px solid var(--line); padding-block: 0.5rem; }
  table.sources td { border: 0; padding-block: 0.1rem; }
}
th a.sort { color: inherit; text-decoration: none; white-space: nowrap; }
th a.sort:hover, th a.sort:focus { text-decoration: underline; }
th[aria-sort] a.sort { color: var(--accent); }
.muted, .push-pending, .push-expired { color: var(--muted); }
.push-subscribed { color: var(--ok); }
.push-denied, .push-failed { color: var(--bad); }
textarea { font: inherit; padding-block: 0.35rem; padding-inline: 0.5rem; inline-size: 100%;
  border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); }
.field.invalid textarea { border-color: var(--bad); }
details.settings { margin-block: 0.5rem 1rem; }
details.settings > summary { cursor: pointer; font-weight: 600; margin-block-end: 0.5rem; }
fieldset.headers { border: 1px solid var(--line); border-radius: 4px; max-inline-size: 36rem;
  margin-block-end: 0.75rem; }
.header-row { display: flex; flex-wrap: wrap; gap: 0.3rem; margin-block-end: 0.3rem; }
.header-row input { flex: 1 1 10rem; min-inline-size: 0; }
.header-row.invalid input { border-color: var(--bad); }
.header-row .field-error { flex-basis: 100%; }
.preview-items { padding-inline-start: 1.5rem; }
.preview-items li { margin-block-end: 0.4rem; }
.preview-items .title { font-weight: 600; }
@media (max-width: 40rem) {
  table.sources thead { display: block; }
  table.sources thead tr { display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; border: 0; }
  table.sources thead th { border: 0; padding: 0; }
  table.sources thead th:not(:has(a)) { display: none; }
  table.sources td:empty { display: none; }
}
`;

export const CSS_PATH = `/desk/assets/desk-${createHash('sha256').update(CSS).digest('hex').slice(0, 10)}.css`;

const YEAR = 'public, max-age=31536000, immutable';

export function registerDeskAssets(app: Hono): void {
  const htmx = readFileSync(htmxFile);
  app.get(HTMX_PATH, (c) =>
    c.body(htmx, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': YEAR,
    }),
  );
  app.get(CSS_PATH, (c) =>
    c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': YEAR }),
  );
}
