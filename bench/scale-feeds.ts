// Generated sources for the scale bench (`--scale`): source n's feed at its k-th poll is a pure
// function of (n, k), so any number of sources costs no memory up front. About 10% of polls after
// the first find one new item (the rest are 304s to a conditional request); the first poll sees
// an empty channel, so adding 100,000 sources does not ingest 100,000 backlogs. Intervals are
// spread over 5–60 minutes by n, divided by the bench's speed-up.

/** Share of polls (after the first) that find a new item. */
export const CHANGE_RATE = 0.1;
/** Items a feed lists at most (the newest). */
export const FEED_ITEMS = 3;

/** A 32-bit mix of two integers (murmur3 finalizer over a combined word). */
export function mix(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Whether source n's `poll`-th request (1-based) finds a new item. The first never does. */
export function changesOnPoll(n: number, poll: number): boolean {
  return poll >= 2 && mix(n, poll) / 4294967296 < CHANGE_RATE;
}

/** Items published after `poll` requests of source n: how many polls so far found a change. */
export function versionAfter(n: number, polls: number): number {
  let v = 0;
  for (let k = 2; k <= polls; k++) if (changesOnPoll(n, k)) v++;
  return v;
}

export interface IntervalOptions {
  /** Real-world bounds, seconds (default 5 to 60 minutes). */
  minS?: number;
  maxS?: number;
  /** Intervals are divided by this (a 60 makes 5–60 min into 5–60 s). */
  speedup: number;
}

/** Source n's poll interval in whole seconds: uniform over [minS, maxS] by n, then sped up. */
export function intervalSeconds(n: number, o: IntervalOptions): number {
  const minS = o.minS ?? 300;
  const maxS = o.maxS ?? 3600;
  const real = minS + (mix(n, 0x5eed) / 4294967296) * (maxS - minS);
  return Math.max(1, Math.round(real / o.speedup));
}

/** Polls per second the schedule asks for: the sum of 1/interval over sources 0..count-1. */
export function demandPerSecond(count: number, o: IntervalOptions): number {
  let d = 0;
  for (let n = 0; n < count; n++) d += 1 / intervalSeconds(n, o);
  return d;
}

const EN =
  'news market city council river school health court power water report minister election border train festival weather trade museum bridge'.split(
    ' ',
  );
const AR =
  'أخبار سوق مدينة مجلس نهر مدرسة صحة محكمة طاقة مياه تقرير وزير انتخابات حدود قطار مهرجان طقس تجارة متحف جسر'.split(
    ' ',
  );

/** Deterministic words for item j of source n (Arabic for odd n). */
function words(n: number, j: number, salt: number, count: number): string {
  const pool = n % 2 === 1 ? AR : EN;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const h = mix(mix(n, j), salt * 1000 + i);
    // A word of the pool with a per-item suffix, so items of different sources do not look alike.
    out.push(`${pool[h % pool.length]}${(h >>> 8) % 97}`);
  }
  return out.join(' ');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const feedPath = (n: number) => `/s/${n}.rss`;
export const feedEtag = (n: number, version: number) => `"s${n}-v${version}"`;

/**
 * The RSS of source n after `version` changes: items version, version-1, … (at most FEED_ITEMS),
 * item j published at `publishedMs(j)`. Version 0 is a channel without items.
 */
export function scaleFeedXml(
  n: number,
  version: number,
  base: string,
  publishedMs: (j: number) => number,
): string {
  const lang = n % 2 === 1 ? 'ar' : 'en';
  const items: string[] = [];
  for (let j = version; j >= 1 && j > version - FEED_ITEMS; j--) {
    const paras = [1, 2, 3].map((p) => `<p>${words(n, j, p, 40)}</p>`).join('');
    items.push(
      `<item><guid isPermaLink="false">s${n}-${j}</guid>` +
        `<title>${esc(words(n, j, 0, 8))}</title>` +
        `<link>https://outlet${n % 1000}.example/s${n}/${j}</link>` +
        `<pubDate>${new Date(publishedMs(j)).toUTCString()}</pubDate>` +
        `<description>${esc(paras)}</description></item>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>` +
    `<title>Source ${n}</title><link>${base}${feedPath(n)}</link>` +
    `<description>Generated source ${n}</description><language>${lang}</language>` +
    `${items.join('')}</channel></rss>\n`
  );
}
