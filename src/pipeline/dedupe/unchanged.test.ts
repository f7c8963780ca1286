import { describe, it, expect } from 'vitest';
import type { RawItem } from '../../domain/types.ts';
import { changedItems, tooOldMark } from './unchanged.ts';

const item = (guid: string, title: string): RawItem => ({
  guid,
  link: `https://x.example/${guid}`,
  title,
  published: null,
  updated: null,
  author: null,
  summary: null,
  contentHtml: null,
  baseUrl: null,
  categories: [],
  enclosures: [],
  media: [],
  lang: null,
});

describe('changedItems', () => {
  it('skips items exactly as seen, keeps new and edited ones', () => {
    const first = changedItems([item('a', 'A'), item('b', 'B')], new Map(), 's');
    expect(first.changed).toHaveLength(2);
    const prev = new Map(first.seen);
    const second = changedItems([item('a', 'A'), item('b', 'B edited'), item('c', 'C')], prev, 's');
    expect(second.changed.map((i) => i.guid)).toEqual(['b', 'c']);
    expect(second.unchanged).toBe(1);
  });

  it('a new salt (rules changed) makes every item new again', () => {
    const prev = new Map(changedItems([item('a', 'A')], new Map(), 'v1').seen);
    expect(changedItems([item('a', 'A')], prev, 'v2').changed).toHaveLength(1);
  });

  it('items sharing a key are always processed', () => {
    const items = [item('a', 'A'), item('a', 'A2')];
    const prev = new Map(changedItems(items, new Map(), 's').seen);
    expect(changedItems(items, prev, 's').changed).toHaveLength(2);
  });

  it('remembers items too old to store, counts them unchanged-too-old, and rereads them under a longer retention', () => {
    const items = [item('a', 'A'), item('b', 'B')];
    const first = changedItems(items, new Map(), 's', tooOldMark(1000));
    first.markTooOld(items[1]!);
    const prev = new Map(first.seen);
    const second = changedItems(items, prev, 's', tooOldMark(1000));
    expect([second.changed.length, second.unchanged, second.unchangedTooOld]).toEqual([0, 2, 1]);
    expect(new Map(second.seen)).toEqual(prev);
    const longer = changedItems(items, prev, 's', tooOldMark(2000));
    expect(longer.changed).toEqual([items[1]]);
    expect(longer.unchangedTooOld).toBe(0);
  });
});
