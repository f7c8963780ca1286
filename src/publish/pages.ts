// Server-rendered HTML: the index (sections, latest headlines, subscribe links; RTL where the
// section is) and the source status page. No JavaScript; every value is escaped.
import type { PublishedItem, SiteConfig, SourceState } from '../domain/types.ts';
import { cleanText, safeDate, safeHttpUrl, safeLang } from './clean.ts';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and attribute values (also drops characters XML forbids). */
export function escapeHtml(value: string | number | null | undefined): string {
  if (value == null) return '';
  return cleanText(String(value)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const RTL_LANGS = new Set([
  'ar',
  'arc',
  'ckb',
  'dv',
  'fa',
  'he',
  'iw',
  'ji',
  'khw',
  'ks',
  'ps',
  'sd',
  'syr',
  'ug',
  'ur',
  'yi',
]);
const RTL_SCRIPTS = new Set(['arab', 'hebr', 'syrc', 'thaa', 'nkoo', 'adlm', 'rohg']);

/** True when text in this language is written right to left (an explicit script subtag wins). */
export function isRtl(lang: string): boolean {
  const parts = lang.trim().toLowerCase().split(/[-_]/);
  const script = parts.slice(1).find((p) => p.length === 4);
  if (script) return RTL_SCRIPTS.has(script);
  return RTL_LANGS.has(parts[0] ?? '');
}

interface Labels {
  subscribe: string;
  empty: string;
  generated: string;
}
const LABELS: Record<string, Labels> = {
  en: { subscribe: 'Subscribe', empty: 'No articles yet.', generated: 'Generated' },
  ar: { subscribe: 'اشترك', empty: 'لا توجد مقالات بعد.', generated: 'أُنشئت' },
};
function labels(lang: string): Labels {
  return LABELS[lang.toLowerCase().split('-')[0] ?? ''] ?? (LABELS.en as Labels);
}

function locale(lang: string | null): string {
  const l = safeLang(lang) ?? 'en';
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([l]).length > 0 ? l : 'en';
  } catch {
    return 'en';
  }
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "3 hours ago" / "قبل ٣ ساعات" for `date` seen from `now`. */
export function relativeTime(date: Date, now: Date, lang: string): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const fmt = new Intl.RelativeTimeFormat(locale(lang), { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second')
      return fmt.format(Math.trunc(seconds / size), unit);
  }
  return fmt.format(0, 'second');
}

function absoluteTime(date: Date, lang: string): string {
  return (
    new Intl.DateTimeFormat(locale(lang), {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
    }).format(date) + ' UTC'
  );
}

function timeTag(iso: string | null, now: Date, lang: string): string {
  const d = safeDate(iso);
  if (d === null) return '<span class="none">—</span>';
  return `<time datetime="${escapeHtml(d.toISOString())}" title="${escapeHtml(absoluteTime(d, lang))}">${escapeHtml(relativeTime(d, now, lang))}</time>`;
}

function dirAttrs(lang: string | null): string {
  const l = safeLang(lang);
  if (l === null) return ' dir="auto"';
  return ` lang="${escapeHtml(l)}" dir="${isRtl(l) ? 'rtl' : 'ltr'}"`;
}

const CSS = `
:root{color-scheme:light dark;--fg:#1b1b1f;--muted:#5f6368;--bg:#fff;--card:#f6f7f9;--line:#dde1e6;--link:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--muted:#9aa0a6;--bg:#121317;--card:#1d1f24;--line:#30333a;--link:#8ab4f8}}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",Tahoma,sans-serif;line-height:1.5;color:var(--fg);background:var(--bg)}
header,main,footer{max-inline-size:72rem;margin-inline:auto;padding-inline:1rem}
header{padding-block:1.5rem .5rem}h1{margin:0;font-size:1.6rem}
main{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,22rem),1fr))}
section{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1rem 1.25rem}
h2{margin-block:0 .25rem;font-size:1.25rem}
a{color:var(--link);text-decoration-thickness:1px;text-underline-offset:.15em}
.desc,.meta,footer{color:var(--muted);font-size:.875rem}
.subscribe{display:flex;flex-wrap:wrap;gap:.5rem;padding:0;margin-block:.5rem;list-style:none}
.subscribe a{display:inline-block;padding-block:.15rem;padding-inline:.6rem;border:1px solid var(--line);border-radius:999px;font-size:.8rem;text-decoration:none}
ol{margin:0;padding-inline-start:1.25rem}li{margin-block:.5rem}
.meta span+time::before{content:" · "}
table{border-collapse:collapse;inline-size:100%;font-size:.875rem}
th,td{text-align:start;padding-block:.35rem;padding-inline:.5rem;border-block-end:1px solid var(--line);vertical-align:top}
.bad{color:#c5221f;font-weight:600}.good{color:#188038}
.scroll{overflow-x:auto}
footer{padding-block:1.5rem}
`.trim();

function page(title: string, lang: string, head: string, body: string): string {
  return `<!doctype html>
<html${dirAttrs(lang)}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head}<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export interface IndexSection {
  id: string;
  title: string;
  description: string;
  lang: string;
  urls: { rss: string; atom: string; json: string };
  items: PublishedItem[];
}

function subscribeLinks(urls: IndexSection['urls'], lang: string): string {
  const links = (
    [
      ['RSS', urls.rss, 'application/rss+xml'],
      ['Atom', urls.atom, 'application/atom+xml'],
      ['JSON', urls.json, 'application/feed+json'],
    ] as const
  )
    .map(([name, url, type]) => [name, safeHttpUrl(url), type] as const)
    .filter(([, url]) => url !== null)
    .map(
      ([name, url, type]) =>
        `<li><a href="${escapeHtml(url)}" type="${type}" dir="ltr">${name}</a></li>`,
    );
  return `<ul class="subscribe" aria-label="${escapeHtml(labels(lang).subscribe)}">${links.join('')}</ul>`;
}

function headline(
  item: PublishedItem,
  now: Date,
  sectionLang: string,
  sourceTitles: ReadonlyMap<string, string>,
): string {
  const url = safeHttpUrl(item.url);
  const title = escapeHtml(cleanText(item.title).trim() || url || item.id);
  const itemLang = safeLang(item.lang);
  const langAttr = itemLang && itemLang !== sectionLang ? dirAttrs(itemLang) : ' dir="auto"';
  const link = url
    ? `<a href="${escapeHtml(url)}"${langAttr}>${title}</a>`
    : `<span${langAttr}>${title}</span>`;
  const source = sourceTitles.get(item.sourceId)?.trim() || item.sourceId;
  return `<li>${link}<div class="meta"><span dir="auto">${escapeHtml(source)}</span>${timeTag(item.published, now, sectionLang)}</div></li>`;
}

export function renderIndexPage(input: {
  site: SiteConfig;
  generatedAt: Date;
  sections: IndexSection[];
  /** Source id → title, so a headline names its outlet as the status page does (else its id). */
  sourceTitles?: ReadonlyMap<string, string>;
}): string {
  const { site, generatedAt, sections } = input;
  const sourceTitles = input.sourceTitles ?? new Map<string, string>();
  const langs = new Set(sections.map((s) => safeLang(s.lang) ?? 'en'));
  const pageLang = langs.size === 1 ? ([...langs][0] ?? 'en') : 'en';
  const siteTitle = cleanText(site.title).trim() || 'Tributary';
  const head = sections
    .map((s) => {
      const rss = safeHttpUrl(s.urls.rss);
      return rss
        ? `<link rel="alternate" type="application/rss+xml" title="${escapeHtml(s.title)}" href="${escapeHtml(rss)}">\n`
        : '';
    })
    .join('');
  const blocks = sections.map((s) => {
    const lang = safeLang(s.lang) ?? 'en';
    const items = s.items.length
      ? `<ol>${s.items.map((i) => headline(i, generatedAt, lang, sourceTitles)).join('\n')}</ol>`
      : `<p class="desc">${escapeHtml(labels(lang).empty)}</p>`;
    const hid = `h-${escapeHtml(s.id)}`;
    return `<section id="section-${escapeHtml(s.id)}"${dirAttrs(lang)} aria-labelledby="${hid}">
<h2 id="${hid}">${escapeHtml(s.title)}</h2>
${s.description ? `<p class="desc">${escapeHtml(s.description)}</p>\n` : ''}${subscribeLinks(s.urls, lang)}
${items}
</section>`;
  });
  const base = safeHttpUrl(site.baseUrl);
  const opml = base
    ? ` · <a href="${escapeHtml(new URL('opml', base.endsWith('/') ? base : `${base}/`).href)}">OPML</a>`
    : '';
  const body = `<header dir="auto">
<h1>${escapeHtml(siteTitle)}</h1>
${site.description ? `<p class="desc">${escapeHtml(site.description)}</p>` : ''}
</header>
<main>
${blocks.join('\n')}
</main>
<footer>${escapeHtml(labels(pageLang).generated)} <time datetime="${escapeHtml(generatedAt.toISOString())}">${escapeHtml(absoluteTime(generatedAt, pageLang))}</time>${opml}</footer>`;
  return page(siteTitle, pageLang, head, body);
}

export type StatusSource = Omit<SourceState, 'lastErrorPermanent' | 'skippedTooOld'> & {
  lastErrorPermanent?: boolean;
  skippedTooOld?: number;
  title: string | null;
  lang: string | null;
};

/** "no (permanent error)", "no (3 failures)", "yes", "yes (1 failure, unhealthy after 3)". */
function healthCell(s: StatusSource, unhealthyAfter: number | undefined): string {
  if (!s.healthy)
    return s.lastErrorPermanent
      ? 'no (permanent error)'
      : `no (${s.consecutiveFailures} failure${s.consecutiveFailures === 1 ? '' : 's'})`;
  if (s.status === 'error' && s.consecutiveFailures > 0 && unhealthyAfter)
    return `yes (${s.consecutiveFailures} failure${s.consecutiveFailures === 1 ? '' : 's'}, unhealthy after ${unhealthyAfter})`;
  return 'yes';
}

export function renderStatusPage(input: {
  site: SiteConfig;
  generatedAt: Date;
  sources: StatusSource[];
  /** retention.maxAge as written in the config ("30d"), for the "items older than" note. */
  maxAge?: string;
  /** fetch.unhealthyAfter, to say when a failing source turns unhealthy. */
  unhealthyAfter?: number;
}): string {
  const { site, generatedAt, sources } = input;
  const siteTitle = cleanText(site.title).trim() || 'Tributary';
  const rows = sources.map((s) => {
    const url = safeHttpUrl(s.url);
    const name = escapeHtml(s.title?.trim() || s.sourceId);
    const nameCell = url
      ? `<a href="${escapeHtml(url)}"${dirAttrs(s.lang)}>${name}</a>`
      : `<span${dirAttrs(s.lang)}>${name}</span>`;
    const error = s.lastError
      ? `<span class="bad">${escapeHtml(s.lastErrorKind ?? 'error')}</span>: <span dir="auto">${escapeHtml(s.lastError)}</span>`
      : '';
    const skipped = s.skippedTooOld ?? 0;
    const tooOld = skipped
      ? `<div class="meta">${escapeHtml(`${skipped} item${skipped === 1 ? '' : 's'} older than retention.maxAge${input.maxAge ? ` (${input.maxAge})` : ''} skipped`)}</div>`
      : '';
    return `<tr>
<td>${nameCell}<div class="meta"><code>${escapeHtml(s.sourceId)}</code></div></td>
<td>${escapeHtml(s.status)}</td>
<td class="${s.healthy ? 'good' : 'bad'}">${escapeHtml(healthCell(s, input.unhealthyAfter))}</td>
<td>${timeTag(s.lastFetch, generatedAt, 'en')}</td>
<td>${error}${s.lastError ? '' : '<span class="none">—</span>'}</td>
<td>${timeTag(s.nextPoll, generatedAt, 'en')}</td>
<td>${escapeHtml(s.articleCount)}${tooOld}</td>
</tr>`;
  });
  const unhealthy = sources.filter((s) => !s.healthy).length;
  const failing = sources.filter((s) => s.status === 'error').length;
  const unfetched = sources.filter((s) => !s.lastFetch).length;
  const more = [
    failing ? `${failing} failed ${failing === 1 ? 'its' : 'their'} last poll` : '',
    sources.length && unfetched === sources.length
      ? 'no source has been fetched yet'
      : unfetched
        ? `${unfetched} not fetched yet`
        : '',
  ].filter(Boolean);
  const body = `<header>
<h1 dir="auto">${escapeHtml(siteTitle)}: sources</h1>
<p class="desc">${escapeHtml(sources.length)} sources, ${escapeHtml(unhealthy)} unhealthy.${more.length ? ` ${escapeHtml(more.join('; ').replace(/^./, (c) => c.toUpperCase()))}.` : ''}</p>
</header>
<main style="display:block">
<div class="scroll"><table>
<thead><tr><th scope="col">Source</th><th scope="col">Status</th><th scope="col">Healthy</th><th scope="col">Last fetch</th><th scope="col">Last error</th><th scope="col">Next poll</th><th scope="col">Articles</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>
</main>
<footer>Generated <time datetime="${escapeHtml(generatedAt.toISOString())}">${escapeHtml(absoluteTime(generatedAt, 'en'))}</time></footer>`;
  return page(`${siteTitle}: sources`, 'en', '', body);
}
