// Digest feeds for newsletter tools: one item per closed day or week (in the section's time zone)
// listing that period's stories as HTML. A digest item's guid is `urn:tributary:digest:<section>:
// <period>:<YYYY-MM-DD>` (the period's first local day) and it is published at the period's end,
// so the same period always renders to the same id and date.
import type { OutputFormat, PublishedItem } from '../domain/types.ts';
import { prepareItems } from './prepare.ts';
import { prepareMeta } from './prepare.ts';
import type { FeedMeta } from './prepare.ts';
import { renderPrepared } from './feeds.ts';
import { escapeHtml, isRtl } from './pages.ts';
import { articleUrn, cleanText, safeHttpUrl, safeLang } from './clean.ts';

export type DigestPeriod = 'daily' | 'weekly';

export interface PeriodWindow {
  start: Date;
  end: Date;
  /** The period's first local day, YYYY-MM-DD. */
  day: string;
}

const DAY_MS = 24 * 3600 * 1000;

/** Local calendar date of an instant in a time zone. */
function localDate(
  t: number,
  timeZone: string,
): { y: number; m: number; d: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    weekday: 'short',
  }).formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday'));
  return { y: Number(get('year')), m: Number(get('month')), d: Number(get('day')), weekday };
}

/** Offset (ms) of local wall time from UTC at instant t. */
function offsetAt(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(t);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return (
    Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) -
    Math.floor(t / 1000) * 1000
  );
}

/**
 * The instant of local midnight starting the calendar day (y, m, d) in `timeZone`. Where a DST
 * change skips midnight, the first instant of that local day.
 */
export function localMidnight(y: number, m: number, d: number, timeZone: string): Date {
  const wall = Date.UTC(y, m - 1, d);
  let t = wall - offsetAt(wall, timeZone);
  t = wall - offsetAt(t, timeZone);
  // In a gap the wall time does not exist: step forward to the day's first real instant.
  const ld = localDate(t, timeZone);
  if (Date.UTC(ld.y, ld.m - 1, ld.d) < wall) t += 3600 * 1000;
  return new Date(t);
}

function ymd(utcMidnight: number): string {
  return new Date(utcMidnight).toISOString().slice(0, 10);
}

/** The last `count` closed periods before `now`, newest first. Weeks start on Monday. */
export function closedPeriods(
  now: Date,
  period: DigestPeriod,
  timeZone: string,
  count: number,
): PeriodWindow[] {
  const today = localDate(now.getTime(), timeZone);
  // Calendar arithmetic on UTC dates stands in for local dates.
  let startDay = Date.UTC(today.y, today.m - 1, today.d);
  const step = period === 'daily' ? 1 : 7;
  if (period === 'weekly') startDay -= today.weekday * DAY_MS;
  const at = (day: number) => {
    const d = new Date(day);
    return localMidnight(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), timeZone);
  };
  const out: PeriodWindow[] = [];
  for (let i = 1; i <= count; i++) {
    const s = startDay - i * step * DAY_MS;
    const e = s + step * DAY_MS;
    out.push({ start: at(s), end: at(e), day: ymd(s) });
  }
  return out;
}

export function digestUrn(sectionId: string, period: DigestPeriod, day: string): string {
  return `urn:tributary:digest:${sectionId}:${period}:${day}`;
}

export interface DigestSection {
  id: string;
  title: string;
  lang: string;
  timezone: string;
  /** Link of every digest item: the section's block on the index page (`/#section-<id>`). */
  htmlUrl: string;
}

function periodTitle(section: DigestSection, period: DigestPeriod, w: PeriodWindow): string {
  const lang = safeLang(section.lang) ?? 'en';
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: section.timezone });
  } catch {
    fmt = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: section.timezone });
  }
  const first = fmt.format(w.start);
  const when =
    period === 'daily' ? first : `${first} – ${fmt.format(new Date(w.end.getTime() - 1))}`;
  return `${cleanText(section.title).trim()} — ${when}`;
}

function storyHtml(item: PublishedItem, sectionLang: string): string {
  const url = safeHttpUrl(item.url);
  const title = escapeHtml(cleanText(item.title).trim() || url || item.id);
  const itemLang = safeLang(item.lang);
  const dir =
    itemLang && itemLang !== sectionLang
      ? ` lang="${escapeHtml(itemLang)}" dir="${isRtl(itemLang) ? 'rtl' : 'ltr'}"`
      : '';
  const head = url ? `<a href="${escapeHtml(url)}">${title}</a>` : title;
  const sources = (item.storySources.length ? item.storySources : [item.sourceId])
    .map((s) => escapeHtml(s))
    .join(', ');
  const img = item.image ? safeHttpUrl(item.image.url) : null;
  const image = img
    ? `<br><img src="${escapeHtml(img)}" alt="" style="max-width:100%;height:auto" loading="lazy" referrerpolicy="no-referrer">`
    : '';
  return `<li${dir}><strong>${head}</strong> <small>(${sources})</small>${image}</li>`;
}

/**
 * Digest items, newest period first, from the section's items (any order). A period without
 * stories gets no item: a newsletter tool should not send an empty issue.
 */
export function buildDigestItems(
  section: DigestSection,
  period: DigestPeriod,
  windows: PeriodWindow[],
  items: PublishedItem[],
): PublishedItem[] {
  const lang = safeLang(section.lang) ?? 'en';
  const dir = isRtl(lang) ? 'rtl' : 'ltr';
  const out: PublishedItem[] = [];
  for (const w of windows) {
    const stories = items
      .filter((i) => {
        const t = Date.parse(i.published);
        return t >= w.start.getTime() && t < w.end.getTime();
      })
      .sort((a, b) => Date.parse(b.published) - Date.parse(a.published) || (a.id < b.id ? 1 : -1));
    if (stories.length === 0) continue;
    const end = w.end.toISOString();
    const urn = digestUrn(section.id, period, w.day);
    const lead = stories.find((s) => s.image && safeHttpUrl(s.image.url));
    const html = `<div lang="${escapeHtml(lang)}" dir="${dir}"><ol>${stories.map((s) => storyHtml(s, lang)).join('')}</ol></div>`;
    const summary = stories.map((s) => cleanText(s.title).trim()).join(' · ');
    const sources = [
      ...new Set(stories.flatMap((s) => (s.storySources.length ? s.storySources : [s.sourceId]))),
    ];
    const tags = [...new Set(stories.flatMap((s) => s.tags))].sort();
    out.push({
      id: urn,
      sourceId: 'tributary',
      guid: urn,
      // The section's block on the index page (an anchor that exists there); the id, not the
      // link, tells periods apart.
      url: section.htmlUrl,
      title: periodTitle(section, period, w),
      published: end,
      updated: end,
      author: null,
      summary: summary.length > 300 ? `${summary.slice(0, 299)}…` : summary,
      contentHtml: html,
      image: lead?.image ?? null,
      lang,
      tags,
      sourceCategories: [],
      contentHash: urn,
      sources,
      clusterId: urn,
      firstSeen: end,
      related: [],
      storySources: sources,
    });
  }
  return out;
}

/**
 * Renders digest items like renderFeed, but with each item's id being its digest URN and its
 * author the site (a digest is ours, not a source's: RSS readers show `dc:creator`).
 */
export function renderDigest(format: OutputFormat, meta: FeedMeta, items: PublishedItem[]): string {
  const m = prepareMeta(meta, format);
  const digestIds = new Map(items.map((i) => [articleUrn(i.id), i.id]));
  const prepared = prepareItems(items, { ...m, guid: 'article' }).items.map((p) => ({
    ...p,
    urn: digestIds.get(p.urn) ?? p.urn,
    author: p.author ?? m.siteTitle,
  }));
  return renderPrepared(format, m, prepared);
}
