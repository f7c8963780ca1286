// Agreement with python feedparser, the reference most feed readers descend from: every fixture
// in tests/fixtures/corpus goes through our parse -> normalize (as ingest does, without Redis)
// and through feedparser (one python process for all files, tests/helpers/feedparser-dump.py).
// Entry counts, ids, links and titles must agree; each difference we accept is listed in
// ALLOWED below with the reason. python3-feedparser is required: CI (.ci/run) installs it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Article, SourceConfig } from '../../domain/types.ts';
import { canonicalizeUrl } from '../normalize/canonical-url.ts';
import { normalizeFeed } from '../normalize/normalize.ts';
import { htmlToText } from '../../text/html-text.ts';
import { decodeFeedBytes } from '../fetch/feed-bytes.ts';
import { parseFeed } from './parse-feed.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = root + 'tests/fixtures/corpus/';
const helper = root + 'tests/helpers/feedparser-dump.py';
const PYTHON = '/usr/bin/python3';
const FEED_URL = 'https://example.org/feed';
const NOW = new Date('2026-12-01T12:00:00Z');

interface FpEntry {
  id: string | null;
  link: string | null;
  title: string | null;
}
interface FpFile {
  version: string;
  bozo: boolean;
  entries: FpEntry[];
}

/**
 * Accepted differences, `file#entryIndex.field` (or `file.count`) -> why ours is right.
 * Anything not listed here fails the test.
 */
const ALLOWED: Record<string, string> = {
  // reddit's front page gives each entry a relative <id> (`t3_42tizy`) after a <content
  // xml:base="/.rss?limit=50">; feedparser resolves the id against that sibling's base
  // (`/t3_42tizy`). An id is no URL to resolve, and the base is not the entry's.
  'reddit-home.rss#*.id': 'feedparser resolves a relative id against a sibling xml:base',
};
/** The reason a difference is allowed (`#*` in a key stands for every entry), or undefined. */
const allowed = (key: string): string | undefined =>
  ALLOWED[key] ?? ALLOWED[key.replace(/#\d+\./, '#*.')];

function runFeedparser(files: string[]): { version: string; files: Record<string, FpFile> } {
  if (!existsSync(PYTHON))
    throw new Error(`${PYTHON} is missing: install python3 and python3-feedparser (CI: .ci/run)`);
  const r = spawnSync(PYTHON, [helper, ...files.map((f) => dir + f)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status === 3 || /No module named .?feedparser/.test(r.stderr ?? ''))
    throw new Error(
      'python3-feedparser is not installed: `apt-get install python3-feedparser` (CI: .ci/run installs it)',
    );
  if (r.status !== 0) throw new Error(`feedparser helper failed (${r.status}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as {
    feedparserVersion: string;
    files: Record<string, FpFile>;
  };
  const byName: Record<string, FpFile> = {};
  for (const [path, v] of Object.entries(out.files)) byName[path.slice(dir.length)] = v;
  return { version: out.feedparserVersion, files: byName };
}

const source: SourceConfig = {
  id: 'agreement',
  url: FEED_URL,
  title: null,
  lang: null,
  interval: null,
  tags: [],
  priority: 0,
  enabled: true,
  origin: 'config',
};

async function ours(file: string): Promise<{ articles: Article[]; error: string | null }> {
  try {
    const { text, repairs } = decodeFeedBytes(readFileSync(dir + file), null);
    const feed = await parseFeed(text, { url: FEED_URL, repairs });
    return { articles: normalizeFeed(feed, { source, feedUrl: FEED_URL, now: NOW }), error: null };
  } catch (e) {
    return { articles: [], error: (e as Error).message };
  }
}

/** Titles compared as a reader sees them: markup and entities out, whitespace collapsed. */
const titleText = (s: string) => htmlToText(s).replace(/\s+/g, ' ').trim();

interface Diff {
  key: string;
  ours: unknown;
  feedparser: unknown;
}

/** Our article for each feedparser entry, in order: same id, else same link, else same title (null: none). */
function align(mine: Article[], ref: FpEntry[]): (Article | null)[] {
  const used = new Set<number>();
  let from = 0;
  return ref.map((e) => {
    const link = e.link?.trim() ? canonicalizeUrl(e.link.trim(), FEED_URL) : null;
    const title = e.title ? titleText(e.title) : null;
    const tests: ((a: Article) => boolean)[] = [
      (a) => !!e.id && a.guid === e.id.trim(),
      (a) => !!link && a.url === link,
      (a) => !!title && titleText(a.title) === title,
      // An entry with no id, link or title at all: the next one of ours.
      () => !e.id && !link && !title,
    ];
    for (const t of tests) {
      for (let i = from; i < mine.length; i++) {
        if (used.has(i) || !t(mine[i]!)) continue;
        used.add(i);
        from = i + 1;
        return mine[i]!;
      }
    }
    return null;
  });
}

function compare(
  file: string,
  mine: Article[],
  ref: FpEntry[],
): { diffs: Diff[]; matched: number } {
  const diffs: Diff[] = [];
  if (mine.length !== ref.length)
    diffs.push({ key: `${file}.count`, ours: mine.length, feedparser: ref.length });
  let matched = 0;
  align(mine, ref).forEach((a, i) => {
    const e = ref[i]!;
    if (!a) return void diffs.push({ key: `${file}#${i}.missing`, ours: null, feedparser: e });
    const before = diffs.length;
    const id = e.id?.trim() || null;
    if ((a.guid ?? null) !== id)
      diffs.push({ key: `${file}#${i}.id`, ours: a.guid, feedparser: id });
    const link = e.link?.trim() ? canonicalizeUrl(e.link.trim(), FEED_URL) : null;
    if ((a.url ?? null) !== link)
      diffs.push({ key: `${file}#${i}.link`, ours: a.url, feedparser: link });
    // feedparser leaves an untitled entry untitled; we derive one (content, link, "(untitled)").
    const title = e.title ? titleText(e.title) : '';
    if (title ? titleText(a.title) !== title : a.title.trim() === '')
      diffs.push({ key: `${file}#${i}.title`, ours: a.title, feedparser: e.title });
    if (diffs.length === before) matched++;
  });
  return { diffs, matched };
}

const files = readdirSync(dir).sort();
const fp = runFeedparser(files);
const results = await Promise.all(
  files.map(async (file) => {
    const mine = await ours(file);
    const ref = fp.files[file]!;
    const { diffs, matched } = compare(file, mine.articles, ref.entries);
    return {
      file,
      mine,
      ref,
      diffs,
      matched,
      total: Math.max(mine.articles.length, ref.entries.length),
    };
  }),
);
const matched = results.reduce((n, r) => n + r.matched, 0);
const total = results.reduce((n, r) => n + r.total, 0);
const ratio = `${matched}/${total} entries (${((100 * matched) / total).toFixed(1)}%)`;
const unexplained = results.flatMap((r) => r.diffs.filter((d) => allowed(d.key) === undefined));

describe(`agreement with python feedparser ${fp.version}: ${ratio} match on ${files.length} fixtures`, () => {
  it('differs only where ALLOWED says why', () => {
    const report = results
      .filter((r) => r.diffs.length > 0 || r.mine.error || r.matched < r.total)
      .map(
        (r) =>
          `${r.file}: ${r.matched}/${r.total}${r.mine.error ? ` (ours failed: ${r.mine.error})` : ''}\n` +
          r.diffs
            .slice(0, 5)
            .map(
              (d) =>
                `  ${allowed(d.key) ? 'allowed ' : ''}${d.key}: ours ${JSON.stringify(d.ours)} / feedparser ${JSON.stringify(d.feedparser)}`,
            )
            .join('\n'),
      )
      .join('\n');
    expect(unexplained, `agreement ${ratio}\n${report}`).toEqual([]);
  });

  it('lists no allowed difference that no longer occurs', () => {
    const seen = new Set(
      results.flatMap((r) => r.diffs.flatMap((d) => [d.key, d.key.replace(/#\d+\./, '#*.')])),
    );
    expect(Object.keys(ALLOWED).filter((k) => !seen.has(k))).toEqual([]);
  });
});
