// Which items a section feed shows for a query: newest first from the section's materialized
// index, query filters applied, and with `collapseDuplicates` one item per story cluster carrying
// its siblings as related links. Curation applies here: pinned articles (pins not expired) lead the
// head page, newest pin first, and stay out of the chronological flow while pinned; articles hidden
// from the section or everywhere never appear.
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
  /** Each item carries its `position` in the section index: the page cursor (routes/feeds.ts). */
  items: PublishedItem[];
  /** The earliest expiry (ms) of a timed pin shown or held out of the flow, or null: the selection
   * holds until a write bumps the section version. */
  validUntil: number | null;
}

function matchesQuery(
  a: StoredArticle,
  q: ItemQuery,
  qMatcher: ReturnType<typeof compileMatcher> | null,
): boolean {
  if (q.tags.length > 0 && !q.tags.every((t) => a.tags.includes(t))) return false;
  if (q.lang && a.lang !== q.lang && a.lang.split('-')[0] !== q.lang) return false;
  if (qMatcher && qMatcher.match(a.title, a.summary, htmlToText(a.contentHtml)).size === 0)
    return false;
  return true;
}

export async function selectItems(
  store: Store,
  section: SectionConfig,
  q: ItemQuery,
  priorityOf: (sourceId: string) => number,
  now: Date = new Date(),
): Promise<Selection> {
  const qMatcher = q.q ? compileMatcher([{ id: 'q', keywords: [q.q] }]) : null;
  const filtered = q.tags.length > 0 || q.lang !== null || q.q !== null;
  const curation = await store.curation.forSection(section.id, now.getTime());
  const { hidden } = curation;
  const pinned = new Set(curation.pins.map((p) => p.articleId));
  // Expired pins are already left out (forSection); the next expiry ends this selection's validity.
  const expiries = curation.pins.flatMap((p) => (p.until === null ? [] : [p.until]));
  const validUntil = expiries.length > 0 ? Math.min(...expiries) : null;
  const out: PublishedItem[] = [];
  const seenClusters = new Set<string>();
  const add = async (
    a: StoredArticle,
    forceRep: boolean,
    position?: { ms: number; id: string },
  ) => {
    if (!section.collapseDuplicates) {
      out.push({ ...a, related: [], storySources: a.sources, ...(position ? { position } : {}) });
      return true;
    }
    if (seenClusters.has(a.clusterId)) return false;
    seenClusters.add(a.clusterId);
    // A story is shown where its newest member sits in the section; on later pages it is not
    // shown again for an older member.
    if (position && q.before !== null && (await shownEarlier(store, section.id, a, position)))
      return false;
    out.push({
      ...(await collapse(store, a, priorityOf, hidden, forceRep)),
      ...(position ? { position } : {}),
    });
    return true;
  };

  // Pins lead the head page (no cursor), in pin order, subject to the query's filters.
  if (q.before === null && curation.pins.length > 0) {
    for (const a of await store.articles.getMany(curation.pins.map((p) => p.articleId))) {
      if (out.length >= q.limit) break;
      if (matchesQuery(a, q, qMatcher)) await add(a, true);
    }
  }

  let cursor = q.before;
  let exhausted = false;
  // Read pages until the page is full: filters, hides, pins and collapsing drop some members.
  for (let round = 0; round < 10 && out.length < q.limit && !exhausted; round++) {
    const dropsSome = filtered || section.collapseDuplicates || hidden.size > 0 || pinned.size > 0;
    const batch = Math.min(1000, (q.limit - out.length) * (dropsSome ? 3 : 1) + 1);
    const page = await store.sections.list(section.id, batch, cursor);
    if (page.length < batch) exhausted = true;
    if (page.length === 0) break;
    cursor = page[page.length - 1]!.score;
    const visible = page.filter((p) => !hidden.has(p.id) && !pinned.has(p.id));
    const scores = new Map(visible.map((p) => [p.id, p.score]));
    const articles = await store.articles.getMany(visible.map((p) => p.id));
    for (const a of articles) {
      if (out.length >= q.limit) break;
      if (!matchesQuery(a, q, qMatcher)) continue;
      const score = scores.get(a.id) ?? Date.parse(a.published);
      await add(a, false, { ms: score, id: a.id });
    }
  }
  return { items: out, validUntil };
}

/** Whether another member of `a`'s story sits above `position` in the section (a newer page showed it). */
async function shownEarlier(
  store: Store,
  sectionId: string,
  a: StoredArticle,
  position: { ms: number; id: string },
): Promise<boolean> {
  const members = (await store.clusters.members(a.clusterId)).filter((id) => id !== a.id);
  if (members.length === 0) return false;
  const scores = await store.sections.scores(sectionId, members);
  return scores.some(
    (s, i) => s !== null && (s > position.ms || (s === position.ms && members[i]! > position.id)),
  );
}

async function collapse(
  store: Store,
  a: StoredArticle,
  priorityOf: (s: string) => number,
  hidden: ReadonlySet<string>,
  /** A pinned article represents its story itself. */
  forceRep: boolean,
): Promise<PublishedItem> {
  const memberIds = (
    a.clusterId === a.id
      ? await store.clusters.members(a.id)
      : await store.clusters.members(a.clusterId)
  ).filter((id) => !hidden.has(id));
  if (memberIds.length <= 1) return { ...a, related: [], storySources: a.sources };
  const members = (await store.articles.getMany(memberIds)).filter((m) => m.id !== a.id);
  members.unshift(a);
  // Representative: the highest-priority source, then the earliest published.
  const rank = (m: StoredArticle) => Math.max(...m.sources.map(priorityOf), priorityOf(m.sourceId));
  if (!forceRep) {
    members.sort(
      (x, y) =>
        rank(y) - rank(x) ||
        Date.parse(x.published) - Date.parse(y.published) ||
        x.id.localeCompare(y.id),
    );
  }
  const rep = members[0]!;
  const others = members.slice(1);
  return {
    ...rep,
    related: others
      .filter((m) => m.url)
      .map((m) => ({ sourceId: m.sourceId, url: m.url!, title: m.title, articleId: m.id })),
    storySources: [...new Set(members.flatMap((m) => m.sources))],
  };
}
