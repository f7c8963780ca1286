// A source that repeats a guid on items with different links or titles has made an error: they
// are different items (two podcast episodes, two job ads), and merging them would lose one. The
// second and later ones get an id derived from the first's (which encodes source and guid) plus
// their link and title, stable across polls; the source state counts them. An item repeated
// exactly (same guid, link and title) is the same item and keeps the one id.
import { createHash } from 'node:crypto';
import type { Article } from '../../domain/types.ts';

export function separateRepeatedGuids<T extends { article: Article }>(
  items: readonly T[],
): { items: T[]; duplicateGuids: number } {
  const firstById = new Map<string, Article>();
  let duplicateGuids = 0;
  const out = items.map((item) => {
    const a = item.article;
    const first = firstById.get(a.id);
    if (!first) {
      firstById.set(a.id, a);
      return item;
    }
    if (a.guid === null || (first.url === a.url && first.title === a.title)) return item;
    duplicateGuids++;
    // (A further exact copy of this one derives the same id: the same item again.)
    const id = derivedId(a.id, `${a.url ?? ''}\n${a.title}`);
    return { ...item, article: { ...a, id } };
  });
  return { items: out, duplicateGuids };
}

const derivedId = (id: string, salt: string) =>
  createHash('sha256').update(`${id}\n${salt}`).digest('hex').slice(0, 24);
