import { describe, it, expect } from 'vitest';
import { buildDigestItems, closedPeriods, localMidnight, renderDigest } from './digest.ts';
import { item, meta, xmllint, feedparse, feedRuleErrors, jsonFeedErrors } from './test-support.ts';

describe('closedPeriods', () => {
  it('gives the last closed days in UTC, newest first', () => {
    const w = closedPeriods(new Date('2030-03-15T12:00:00Z'), 'daily', 'UTC', 3);
    expect(w.map((x) => [x.day, x.start.toISOString(), x.end.toISOString()])).toEqual([
      ['2030-03-14', '2030-03-14T00:00:00.000Z', '2030-03-15T00:00:00.000Z'],
      ['2030-03-13', '2030-03-13T00:00:00.000Z', '2030-03-14T00:00:00.000Z'],
      ['2030-03-12', '2030-03-12T00:00:00.000Z', '2030-03-13T00:00:00.000Z'],
    ]);
  });

  it('uses local midnight of the section time zone', () => {
    // 22:30 UTC on the 14th is already the 15th in Damascus (UTC+3).
    const [w] = closedPeriods(new Date('2030-03-14T22:30:00Z'), 'daily', 'Asia/Damascus', 1);
    expect(w!.day).toBe('2030-03-14');
    expect(w!.start.toISOString()).toBe('2030-03-13T21:00:00.000Z');
    expect(w!.end.toISOString()).toBe('2030-03-14T21:00:00.000Z');
  });

  it('handles a day shortened by a DST change (New York, 2030-03-10 is 23 h long)', () => {
    const [w] = closedPeriods(new Date('2030-03-11T12:00:00Z'), 'daily', 'America/New_York', 1);
    expect(w!.day).toBe('2030-03-10');
    expect(w!.start.toISOString()).toBe('2030-03-10T05:00:00.000Z');
    expect(w!.end.toISOString()).toBe('2030-03-11T04:00:00.000Z');
  });

  it('starts weeks on Monday', () => {
    // 2030-03-15 is a Friday: the last closed week is Mon 4 – Sun 10 March.
    const w = closedPeriods(new Date('2030-03-15T12:00:00Z'), 'weekly', 'UTC', 2);
    expect(w.map((x) => x.day)).toEqual(['2030-03-04', '2030-02-25']);
    expect(w[0]!.end.toISOString()).toBe('2030-03-11T00:00:00.000Z');
  });

  it('finds the first instant of a day whose midnight does not exist', () => {
    // Beirut springs forward at 00:00 → 01:00 (last Sunday of March: 2030-03-31).
    const t = localMidnight(2030, 3, 31, 'Asia/Beirut');
    expect(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Beirut',
        dateStyle: 'short',
        timeStyle: 'short',
      }).format(t),
    ).toBe('31/03/2030, 01:00');
  });
});

describe('digest items', () => {
  const windows = closedPeriods(new Date('2030-03-15T12:00:00Z'), 'daily', 'UTC', 3);
  const stories = [
    item({
      id: 'a',
      title: 'First <story>',
      published: '2030-03-14T10:00:00.000Z',
      image: { url: 'https://example.com/a.jpg', type: null, width: null, height: null },
    }),
    item({ id: 'b', title: 'Second ]]> story', published: '2030-03-14T08:00:00.000Z' }),
    item({ id: 'c', title: 'Older', published: '2030-03-12T08:00:00.000Z' }),
    item({ id: 'd', title: 'Today, not closed yet', published: '2030-03-15T08:00:00.000Z' }),
  ];
  const section = {
    id: 'caucasus',
    title: 'القوقاز',
    lang: 'ar',
    timezone: 'UTC',
    htmlUrl: 'http://localhost:8080/#section-caucasus',
  };

  it('makes one item per closed period with stories, with a stable urn and the period end as date', () => {
    const items = buildDigestItems(section, 'daily', windows, stories);
    expect(items.map((i) => i.id)).toEqual([
      'urn:tributary:digest:caucasus:daily:2030-03-14',
      'urn:tributary:digest:caucasus:daily:2030-03-12',
    ]);
    expect(items[0]!.published).toBe('2030-03-15T00:00:00.000Z');
    expect(items[0]!.contentHtml).toContain('dir="rtl"');
    expect(items[0]!.contentHtml).toContain('https://example.com/news/a');
    expect(items[0]!.contentHtml).toContain('First &lt;story&gt;');
    expect(items[0]!.contentHtml).not.toContain('Today');
    expect(items[0]!.image?.url).toBe('https://example.com/a.jpg');
    expect(buildDigestItems(section, 'daily', windows, [...stories].reverse())).toEqual(items);
  });

  it('renders well-formed RSS and Atom that feedparser reads with the digest ids', () => {
    const items = buildDigestItems(section, 'daily', windows, stories);
    for (const format of ['rss', 'atom'] as const) {
      const xml = renderDigest(format, meta(), items);
      expect(xmllint(xml).errors).toBe('');
      expect(feedRuleErrors(xml)).toEqual([]);
      const p = feedparse(xml);
      expect(p.bozo).toBe(0);
      expect(p.entries.map((e) => e.id)).toEqual(items.map((i) => i.id));
      // a digest is written by the site (RSS dc:creator; Atom per entry too)
      expect(p.entries.map((e) => e.author)).toEqual(items.map(() => 'Tributary'));
      // every item links to the section's block on the index page (pages.ts: id="section-<id>")
      expect(p.entries.map((e) => e.link)).toEqual(
        items.map(() => 'http://localhost:8080/#section-caucasus'),
      );
    }
    expect(jsonFeedErrors(renderDigest('json', meta(), items))).toEqual([]);
    const json = JSON.parse(renderDigest('json', meta(), items)) as { items: { id: string }[] };
    expect(json.items.map((i) => i.id)).toEqual(items.map((i) => i.id));
  });
});
