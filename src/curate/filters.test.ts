// RSSHub's filter semantics (lib/middleware/parameter.ts), one row per rule.
import { describe, it, expect } from 'vitest';
import { compileTextFilters, NO_TEXT_FILTERS } from './filters.ts';
import type { FilterSubject, TextFilters } from './filters.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const items: Record<string, FilterSubject> = {
  markets: {
    title: 'Markets rally',
    description: 'Stocks rose in Damascus',
    author: 'Jane Roe',
    categories: ['economy'],
    publishedMs: NOW - 3600_000,
  },
  weather: {
    title: 'Weather warning',
    description: 'Rain expected',
    author: 'John Doe',
    categories: ['weather', 'syria'],
    publishedMs: NOW - 7200_000,
  },
  bare: {
    title: 'Untitled markets note',
    description: '', // no description: the title stands in, as in RSSHub
    author: '',
    categories: [],
    publishedMs: NOW - 30_000,
  },
};

const run = (f: Partial<TextFilters>) => {
  const pred = compileTextFilters({ ...NO_TEXT_FILTERS, ...f }, NOW);
  return Object.entries(items)
    .filter(([, s]) => pred(s))
    .map(([k]) => k)
    .sort();
};

const rows: [string, Partial<TextFilters>, string[]][] = [
  ['filter matches the title', { filter: 'Markets' }, ['markets']],
  ['filter matches the description', { filter: 'Rain' }, ['weather']],
  ['filter matches the author', { filter: 'Jane' }, ['markets']],
  ['filter matches a category', { filter: '^syria$' }, ['weather']],
  ['filter tests each field on its own (anchors)', { filter: '^Rain' }, ['weather']],
  ['filter is case-sensitive by default', { filter: 'markets' }, ['bare']],
  ['filter_case_sensitive=false', { filter: 'markets', caseSensitive: false }, ['bare', 'markets']],
  ['a regex alternation', { filter: 'rally|warning' }, ['markets', 'weather']],
  ['filter_title', { filterTitle: 'warning$' }, ['weather']],
  ['filter_description', { filterDescription: 'Damascus' }, ['markets']],
  ['filter_description falls back to the title', { filterDescription: 'note' }, ['bare']],
  ['filter_author', { filterAuthor: 'Doe$' }, ['weather']],
  ['filter_category: any category', { filterCategory: 'syria' }, ['weather']],
  [
    'per-field filters all hold',
    { filterTitle: 'Markets|Weather', filterAuthor: 'John' },
    ['weather'],
  ],
  [
    'per-field filters are ignored when filter is given',
    { filter: 'Markets', filterAuthor: 'John' },
    ['markets'],
  ],
  ['filterout drops on the title', { filterout: 'Weather' }, ['bare', 'markets']],
  ['filterout drops on the description', { filterout: 'Damascus' }, ['bare', 'weather']],
  ['filterout does not look at the author', { filterout: 'Jane' }, ['bare', 'markets', 'weather']],
  ['filterout_title', { filteroutTitle: 'rally' }, ['bare', 'weather']],
  [
    'filterout_title replaces filterout for the title',
    { filterout: 'Markets', filteroutTitle: 'warning' },
    ['bare', 'markets'],
  ],
  ['filterout_description', { filteroutDescription: 'Rain' }, ['bare', 'markets']],
  ['filterout_author', { filteroutAuthor: 'Roe' }, ['bare', 'weather']],
  ['filterout_category', { filteroutCategory: 'economy' }, ['bare', 'weather']],
  ['filter and filterout together', { filter: 'a', filterout: 'Rain' }, ['bare', 'markets']],
  ['filter_time in seconds', { time: 3600 }, ['bare', 'markets']],
  ['filter_time keeps only the last minute', { time: 60 }, ['bare']],
];

describe('RSSHub filters, with RSSHub semantics', () => {
  for (const [name, f, want] of rows) {
    it(name, () => expect(run(f)).toEqual(want));
  }
});
