// Level 0 of dedupe: an item exactly as the last poll saw it needs no work at all. Every raw item
// gets a key (guid, else link, else title) and a hash of everything we read from it plus a salt
// (the rules that shaped the stored article), so a re-poll of a mostly unchanged feed only runs
// normalize, tag, fingerprint and store for the items that changed.
import { createHash } from 'node:crypto';
import type { RawItem } from '../../domain/types.ts';

export function rawItemKey(item: RawItem): string {
  return (item.guid ?? item.link ?? item.title ?? '').slice(0, 512);
}

export function rawItemHash(item: RawItem, salt: string): string {
  return createHash('sha1')
    .update(salt)
    .update('\0')
    .update(JSON.stringify(item))
    .digest('base64url')
    .slice(0, 12);
}

/**
 * What the seen map is keyed by: a digest of the item key (72 bits; a feed has at most a few
 * thousand items), so every field stays short and the map stays a compact listpack in Redis
 * (a guid is often a URL of more than 64 bytes, which would turn it into a hash table).
 */
export function seenKey(key: string): string {
  return createHash('sha1').update(key).digest('base64url').slice(0, 12);
}

export interface ChangedItems {
  changed: RawItem[];
  unchanged: number;
  /** Of the unchanged items, those the last poll found older than retention (never stored). */
  unchangedTooOld: number;
  /** This poll's `seenKey` -> hash map, to remember for the next poll. */
  seen: [string, string][];
  /** Marks a changed item as too old to store in `seen` (so its next poll counts it unread). */
  markTooOld(item: RawItem): void;
}

/**
 * Suffix of a seen hash whose item was older than retention (`maxAge` in it: a longer retention
 * makes the item worth reading again). Not a base64url character, so never part of a hash.
 */
export const tooOldMark = (maxAgeMs: number) => `.${maxAgeMs}`;

export function changedItems(
  items: readonly RawItem[],
  previous: ReadonlyMap<string, string>,
  salt: string,
  oldMark = tooOldMark(0),
): ChangedItems {
  const changed: RawItem[] = [];
  const seen: [string, string][] = [];
  const slotOf = new Map<RawItem, number>();
  let unchangedTooOld = 0;
  const keyed = items.map((item) => ({ item, key: rawItemKey(item) }));
  const count = new Map<string, number>();
  for (const { key } of keyed) count.set(key, (count.get(key) ?? 0) + 1);
  for (const { item, key } of keyed) {
    // Items without a usable key, or sharing one with another item, are always processed.
    if (key === '' || count.get(key)! > 1) {
      changed.push(item);
      continue;
    }
    const hash = rawItemHash(item, salt);
    const k = seenKey(key);
    const prev = previous.get(k);
    if (prev === hash + oldMark) {
      unchangedTooOld++;
      seen.push([k, prev]);
      continue;
    }
    if (prev !== hash) {
      changed.push(item);
      slotOf.set(item, seen.length);
    }
    seen.push([k, hash]);
  }
  return {
    changed,
    unchanged: items.length - changed.length,
    unchangedTooOld,
    seen,
    markTooOld(item) {
      const i = slotOf.get(item);
      if (i !== undefined) seen[i] = [seen[i]![0], seen[i]![1] + oldMark];
    },
  };
}
