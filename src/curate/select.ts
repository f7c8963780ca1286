// Which items a section feed shows for a query: newest first from the section's materialized
// index, query filters applied, and with `collapseDuplicates` one item per story cluster carrying
// its siblings as related links.
import type { PublishedItem, SectionConfig, StoredArticle } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import { compileMatcher } from '../text/matcher.ts';
import { htmlToText } from '../text/html-text.ts';

export interface ItemQuery {
  limit: number;
  tags: string[];
  lang: string | null;
  q: string | null;
  /** Exclusive cursor on published time, ms. */
  before: number | null;
}

export interface Selection {
  items: PublishedItem[];
  /** Cursor for the next (older) page, or null at the end. */
  nextBefore: number | null;
}

function matchesQuery(a: StoredArticle, q: ItemQuery, qMatcher: ReturnType<typeof compileMatcher> | null): boolean {
  if (q.tags.length > 0 && !q.tags.every((t) => a.tags.includes(t))) return false;
  if (q.lang && a.lang !== q.lang && a.lang.split('-')[0] !== q.lang) return false;
  if (qMatcher && qMatcher.match(a.title, a.summary, htmlToText(a.contentHtml)).size === 0) return false;
  return true;
}

export async function selectItems(
  store: Store,
  section: SectionConfig,
  q: ItemQuery,
  priorityOf: (sourceId: string) => number,
): Promise<Selection> {
  const qMatcher = q.q ? compileMatcher([{ id: 'q', keywords: [q.q] }]) : null;
  const filtered = q.tags.length > 0 || q.lang !== null || q.q !== null;
  const out: PublishedItem[] = [];
  const seenClusters = new Set<string>();
  let cursor = q.before;
  let exhausted = false;
  // Read pages until the page is full: filters and collapsing drop some members.
  for (let round = 0; round < 10 && out.length < q.limit && !exhausted; round++) {
    const batch = Math.min(1000, (q.limit - out.length) * (filtered || section.collapseDuplicates ? 3 : 1) + 1);
    const page = await store.sections.list(section.id, batch, cursor);
    if (page.length < batch) exhausted = true;
    if (page.length === 0) break;
    cursor = page[page.length - 1]!.score;
    const articles = await store.articles.getMany(page.map((p) => p.id));
    for (const a of articles) {
      if (out.length >= q.limit) break;
      if (!matchesQuery(a, q, qMatcher)) continue;
      if (!section.collapseDuplicates) {
        out.push({ ...a, related: [], storySources: a.sources });
        continue;
      }
      if (seenClusters.has(a.clusterId)) continue;
      seenClusters.add(a.clusterId);
      out.push(await collapse(store, a, priorityOf));
    }
  }
  const last = out[out.length - 1];
  const nextBefore = out.length >= q.limit && last ? Date.parse(last.published) : null;
  return { items: out, nextBefore: exhausted && out.length < q.limit ? null : nextBefore };
}

async function collapse(store: Store, a: StoredArticle, priorityOf: (s: string) => number): Promise<PublishedItem> {
  const memberIds = a.clusterId === a.id ? await store.clusters.members(a.id) : await store.clusters.members(a.clusterId);
  if (memberIds.length <= 1) return { ...a, related: [], storySources: a.sources };
  const members = await store.articles.getMany(memberIds);
  if (!members.some((m) => m.id === a.id)) members.push(a);
  // Representative: the highest-priority source, then the earliest published.
  const rank = (m: StoredArticle) => Math.max(...m.sources.map(priorityOf), priorityOf(m.sourceId));
  members.sort((x, y) => rank(y) - rank(x) || Date.parse(x.published) - Date.parse(y.published) || x.id.localeCompare(y.id));
  const rep = members[0]!;
  const others = members.slice(1);
  return {
    ...rep,
    related: others.filter((m) => m.url).map((m) => ({ sourceId: m.sourceId, url: m.url!, title: m.title, articleId: m.id })),
    storySources: [...new Set(members.flatMap((m) => m.sources))],
  };
}
