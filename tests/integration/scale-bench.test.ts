// The scale bench's parts: the generated sources are deterministic per (n, poll) and about 10% of
// polls change, the feed server answers conditional polls with 304 unless the poll changed the
// feed (real loopback HTTP), and the chart is well-formed SVG (xmllint).
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHANGE_RATE,
  changesOnPoll,
  demandPerSecond,
  feedPath,
  intervalSeconds,
  scaleFeedXml,
  versionAfter,
} from '../../bench/scale-feeds.ts';
import { createScaleFixture } from '../../bench/scale-fixture.ts';
import { scaleCurveSvg } from '../../bench/scale-svg.ts';
import { histogramQuantile } from '../../bench/scale.ts';
import { parseFeed } from '../../src/pipeline/parse/parse-feed.ts';

const tmp = mkdtempSync(join(tmpdir(), 'scale-bench-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('scale bench sources', () => {
  it('change about 10% of polls after the first, the same way every time', () => {
    let changed = 0;
    let polls = 0;
    for (let n = 0; n < 2000; n++)
      for (let k = 2; k <= 21; k++) {
        polls++;
        if (changesOnPoll(n, k)) changed++;
      }
    expect(changed / polls).toBeGreaterThan(CHANGE_RATE - 0.01);
    expect(changed / polls).toBeLessThan(CHANGE_RATE + 0.01);
    for (let n = 0; n < 100; n++) expect(changesOnPoll(n, 1)).toBe(false);
    expect(versionAfter(7, 50)).toBe(versionAfter(7, 50));
    const at = (j: number) => 1_700_000_000_000 + j * 1000;
    expect(scaleFeedXml(42, 3, 'http://x', at)).toBe(scaleFeedXml(42, 3, 'http://x', at));
    expect(scaleFeedXml(42, 3, 'http://x', at)).not.toBe(scaleFeedXml(43, 3, 'http://x', at));
  });

  it('are feeds our parser reads: none at first, then the newest three items', async () => {
    const at = (j: number) => 1_700_000_000_000 + j * 1000;
    const empty = await parseFeed(scaleFeedXml(1, 0, 'http://x', at));
    expect(empty.items).toHaveLength(0);
    const feed = await parseFeed(scaleFeedXml(1, 5, 'http://x', at));
    expect(feed.items.map((i) => i.guid)).toEqual(['s1-5', 's1-4', 's1-3']);
  });

  it('spread intervals over 5–60 minutes, divided by the speed-up', () => {
    const xs = Array.from({ length: 5000 }, (_, n) => intervalSeconds(n, { speedup: 1 }));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(300);
    expect(Math.max(...xs)).toBeLessThanOrEqual(3600);
    expect(new Set(xs).size).toBeGreaterThan(1000);
    expect(intervalSeconds(9, { speedup: 60 })).toBe(
      Math.round(intervalSeconds(9, { speedup: 1 }) / 60),
    );
    // Uniform over [300, 3600] s: the mean of 1/interval is ln(12)/3300 per second.
    expect(demandPerSecond(5000, { speedup: 1 }) / 5000).toBeCloseTo(Math.log(12) / 3300, 4);
  });
});

describe('scale fixture server', () => {
  it('answers a conditional poll with 304 unless this poll changed the feed', async () => {
    const fixture = createScaleFixture(100);
    const base = await fixture.listen();
    try {
      const n = 17;
      let etag = '';
      let changes = 0;
      for (let k = 1; k <= 60; k++) {
        const res = await fetch(`${base}${feedPath(n)}`, {
          headers: etag ? { 'if-none-match': etag } : {},
        });
        await res.arrayBuffer();
        const expected = k === 1 || changesOnPoll(n, k) ? 200 : 304;
        expect(res.status, `poll ${k}`).toBe(expected);
        if (k > 1 && expected === 200) changes++;
        etag = res.headers.get('etag') ?? '';
      }
      expect(changes).toBe(versionAfter(n, 60));
      expect(fixture.stats).toMatchObject({ requests: 60, polled: 1, changed: changes });
      expect((await fetch(`${base}/s/100.rss`)).status).toBe(404);
    } finally {
      await fixture.close();
    }
  });
});

describe('scale curve chart', () => {
  it('is well-formed SVG with one polyline per series and figure', () => {
    const svg = scaleCurveSvg(
      [
        {
          label: 'Redis',
          points: [
            { sources: 1000, pollsPerSec: 40, demandPerSec: 43, p99LatenessS: 0.2 },
            { sources: 10_000, pollsPerSec: 210, demandPerSec: 430, p99LatenessS: 41 },
            { sources: 100_000, pollsPerSec: 190, demandPerSec: 4300, p99LatenessS: NaN },
          ],
        },
        {
          label: 'Redis Cluster (3) & <more>',
          points: [{ sources: 100_000, pollsPerSec: 200, demandPerSec: 4300, p99LatenessS: 300 }],
        },
      ],
      'Scale "curve"',
      'note & more',
    );
    const file = join(tmp, 'curve.svg');
    writeFileSync(file, svg);
    execFileSync('xmllint', ['--noout', file]);
    expect(svg.match(/<polyline /g)).toHaveLength(6);
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(svg).not.toContain('NaN');
  });

  it('reads p99 from the lateness buckets as histogram_quantile does', () => {
    const counts = new Map([
      ['0.1', 90],
      ['0.25', 9],
      ['0.5', 1],
    ]);
    expect(histogramQuantile(counts, 0.5)).toBeCloseTo(0.0556, 3);
    expect(histogramQuantile(counts, 0.99)).toBeCloseTo(0.25, 5);
    expect(histogramQuantile(new Map([['+Inf', 5]]), 0.99)).toBe(600);
    expect(histogramQuantile(new Map(), 0.99)).toBeNaN();
  });
});
