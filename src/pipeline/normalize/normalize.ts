// normalize: RawFeed -> Article[]. Clean text, canonical links, stable ids, parsed dates,
// sanitized content, summary, lead image, language. Tagging comes later (tags: []).
import { createHash } from 'node:crypto';
import type { Article, RawFeed, RawItem, SourceConfig } from '../../domain/types.ts';
import { htmlToLine, htmlToText, truncateOnWord } from '../../text/html-text.ts';
import { articleIdFor } from './article-id.ts';
import { canonicalizeUrl } from './canonical-url.ts';
import { stripInvalidXmlChars } from '../../text/xml-chars.ts';
import { detectLang, detectLangOrNull } from './detect-lang.ts';
import { enclosuresOf } from './enclosures.ts';
import { readItemDates } from './feed-date.ts';
import { leadImage } from './lead-image.ts';
import { sanitizeWithImages } from './sanitize.ts';

export interface NormalizeContext {
  source: SourceConfig;
  feedUrl: string;
  now: Date;
}

const SUMMARY_MAX = 300;
const DERIVED_TITLE_MAX = 100;

const clean = (s: string | null | undefined): string => stripInvalidXmlChars(s ?? '').trim();
const textOf = (html: string | null | undefined): string =>
  stripInvalidXmlChars(htmlToText(html ?? ''));
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
/** `oneLine(textOf(html))`, without the second whitespace pass unless a character was stripped. */
const lineOf = (html: string | null | undefined): string => {
  const line = htmlToLine(html ?? '');
  const stripped = stripInvalidXmlChars(line);
  return stripped === line ? line : oneLine(stripped);
};
/** Titles and names are text, but often carry markup or entities; only those go through the HTML parser. */
const looksLikeMarkup = (s: string) =>
  /<\/?[a-z][^>]*>|&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i.test(s);
const plain = (s: string | null | undefined): string => {
  const t = clean(s);
  return oneLine(looksLikeMarkup(t) ? textOf(t) : t);
};

/** Primary subtag, lower case: `en-US` -> `en`. */
function primaryLang(l: string | null | undefined): string | null {
  const m = l ? /^([a-z]{2,3})(?:[-_]|$)/i.exec(l.trim()) : null;
  return m ? m[1]!.toLowerCase() : null;
}

/** `jane@example.com (Jane Doe)` -> `Jane Doe`; plain names pass. */
function cleanAuthor(a: string | null): string | null {
  const t = plain(a);
  if (!t) return null;
  const paren = /^\S+@\S+\s*\((.+)\)$/.exec(t);
  if (paren) return paren[1]!.trim();
  return t;
}

export function contentHash(title: string, contentHtml: string): string {
  return createHash('sha256').update(`${title}\n${contentHtml}`).digest('hex').slice(0, 16);
}

/** "(untitled)" in the languages we publish in; English for the rest. */
const UNTITLED: Record<string, string> = {
  ar: '(بدون عنوان)',
  en: '(untitled)',
  fr: '(sans titre)',
  de: '(ohne Titel)',
  es: '(sin título)',
  tr: '(başlıksız)',
  fa: '(بدون عنوان)',
  ru: '(без названия)',
};
export const untitled = (lang: string | null): string => UNTITLED[lang ?? ''] ?? UNTITLED.en!;

/** Short items are too little text for trigram detection; under this many letters the feed's language is used. */
const ITEM_DETECT_MIN_LETTERS = 250;

/** A normalized article and the plain text of its content (one line), for the stages after. */
export interface NormalizedItem {
  /** The item has a date, but not one we can read: `published` is the first-seen time. */
  dateUnreadable: boolean;
  article: Article;
  text: string;
  /** The raw item it came from. */
  item: RawItem;
}

function normalizeItem(
  item: RawItem,
  feed: RawFeed,
  ctx: NormalizeContext,
  feedLanguage: () => string,
): NormalizedItem {
  const feedBase = feed.baseUrl ?? ctx.feedUrl;
  const url = item.link ? canonicalizeUrl(clean(item.link), feedBase) : null;
  const contentBase = item.baseUrl ?? url ?? feed.link ?? ctx.feedUrl;

  const rawContent = clean(item.contentHtml) || clean(item.summary);
  const { html: contentHtml, firstImage } = sanitizeWithImages(rawContent, contentBase);
  const contentText = lineOf(contentHtml);
  const summaryText = lineOf(item.summary) || contentText;
  // An untitled entry is kept (as feedparser and Miniflux keep it): titled from its content's
  // first words, else its link, else "(untitled)" in the source's language (below).
  let title = plain(item.title) || truncateOnWord(summaryText, DERIVED_TITLE_MAX) || (url ?? '');

  const dates = readItemDates(item, ctx.now, { lang: declaredLang(item, feed, ctx) });
  const publishedDate = dates.published ?? dates.updated;
  const updatedDate = dates.updated ?? publishedDate;
  const published = (publishedDate ?? ctx.now).toISOString();
  const updated = (updatedDate ?? publishedDate ?? ctx.now).toISOString();

  const lang =
    primaryLang(item.lang) ??
    primaryLang(feed.lang) ??
    primaryLang(ctx.source.lang) ??
    detectLangOrNull(
      `${title}\n${summaryText}\n${contentText.slice(0, 2000)}`,
      ITEM_DETECT_MIN_LETTERS,
    ) ??
    feedLanguage();

  if (!title) title = untitled(primaryLang(ctx.source.lang) ?? lang);

  const guid = clean(item.guid) || null;
  const article: Article = {
    id: articleIdFor(ctx.source.id, {
      guid,
      url,
      title,
      published: publishedDate?.toISOString() ?? null,
    }),
    sourceId: ctx.source.id,
    guid,
    url,
    title,
    published,
    updated,
    author: cleanAuthor(item.author),
    summary: truncateOnWord(summaryText, SUMMARY_MAX),
    contentHtml,
    image: leadImage(item, contentBase, firstImage),
    enclosures: enclosuresOf(item.enclosures, item.baseUrl ?? feedBase),
    lang,
    tags: [],
    sourceCategories: [
      ...new Set(item.categories.map((c) => oneLine(clean(c))).filter((c) => c !== '')),
    ],
    contentHash: contentHash(title, contentHtml),
  };
  return { article, text: contentText, dateUnreadable: dates.unreadable, item };
}

/** The language the item, its feed or its source declares (date words such as AST depend on it). */
const declaredLang = (item: RawItem, feed: RawFeed, ctx: Pick<NormalizeContext, 'source'>) =>
  primaryLang(item.lang) ?? primaryLang(feed.lang) ?? primaryLang(ctx.source.lang);

/** How many of the feed's items carry a date that cannot be read (they get their first-seen time). */
export function unreadableDates(
  feed: RawFeed,
  ctx: Pick<NormalizeContext, 'source' | 'now'>,
): number {
  return feed.items.filter(
    (item) => readItemDates(item, ctx.now, { lang: declaredLang(item, feed, ctx) }).unreadable,
  ).length;
}

/** One Article per item, in feed order (an item with nothing but an id is still an item). */
export function normalizeFeed(feed: RawFeed, ctx: NormalizeContext): Article[] {
  return normalizeFeedItems(feed, ctx).map((n) => n.article);
}

/** `normalizeFeed`, with each article's content text (so later stages need not parse the HTML again). */
export function normalizeFeedItems(feed: RawFeed, ctx: NormalizeContext): NormalizedItem[] {
  const out: NormalizedItem[] = [];
  // Detected once, lazily, from the text of the whole feed: far steadier than per-headline guesses.
  let feedLang: string | null = null;
  const feedLanguage = () =>
    (feedLang ??= detectLang(
      [
        feed.title,
        feed.description,
        ...feed.items.flatMap((i) => [i.title, i.summary ?? i.contentHtml]),
      ]
        .map((t) => htmlToText(t ?? ''))
        .join('\n')
        .slice(0, 6000),
    ));
  for (const item of feed.items) out.push(normalizeItem(item, feed, ctx, feedLanguage));
  return out;
}
