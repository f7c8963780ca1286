// In-process cost of each CPU stage of the ingest pipeline over the whole bench corpus (no Redis,
// no HTTP): parse -> level-0 hash -> normalize -> tokenize -> tag -> fingerprint -> encode. A quick,
// low-noise A/B loop for CPU work between full `--ingest-only` runs. Prints ms per stage per pass
// (the fastest of `--passes`, after one warm-up pass), and a checksum of every stage's output so
// an optimization that changes behaviour shows up as a different checksum. Times are CPU time of
// the process (`process.cpuUsage`), so other work on the machine inflates them less than wall time.
//   tsx bench/stages.ts [--passes 3] [--feeds 200]
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { makeCorpus, makeTags, renderRss } from './corpus.ts';
import { parseFeed } from '../src/pipeline/parse/parse-feed.ts';
import { normalizeFeedItems } from '../src/pipeline/normalize/normalize.ts';
import { rawItemHash } from '../src/pipeline/dedupe/unchanged.ts';
import { articleTokens } from '../src/text/tokenize.ts';
import { createTagger } from '../src/pipeline/tag/tagger.ts';
import { fingerprintArticle } from '../src/pipeline/dedupe/fingerprint.ts';
import { articlePart, signatureHead, storedVersion } from '../src/store/article-codec.ts';
import { packSignature } from '../src/text/minhash.ts';
import type { SourceConfig } from '../src/domain/types.ts';

const { values: args } = parseArgs({
  options: {
    passes: { type: 'string', default: '3' },
    feeds: { type: 'string', default: '200' },
    seed: { type: 'string', default: '20261' },
  },
});
const seed = Number(args.seed);
const now = new Date('2026-12-01T12:00:00Z');
const tags = makeTags(seed);
const corpus = makeCorpus(
  { seed, feeds: Number(args.feeds), itemsPerFeed: 50, nowMs: now.getTime() },
  tags,
);
const bodies = corpus.feeds.map((f) => ({
  feed: f,
  url: `http://127.0.0.1:1/feeds/${f.id}.xml`,
  xml: renderRss(f, `http://127.0.0.1:1/feeds/${f.id}.xml`),
}));
const tagger = createTagger(tags.map((t) => ({ ...t, label: t.id, categories: [] })));
const STAGES = ['parse', 'level0', 'normalize', 'tokenize', 'tag', 'fingerprint', 'encode'];

async function pass(): Promise<{ ms: Record<string, number>; sums: Record<string, string> }> {
  const ms: Record<string, number> = Object.fromEntries(STAGES.map((s) => [s, 0]));
  const sums = Object.fromEntries(STAGES.map((s) => [s, createHash('sha1')]));
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let t = cpuMs();
  const lap = (stage: string) => {
    const n = cpuMs();
    ms[stage]! += n - t;
    t = n;
  };
  for (const { feed, url, xml } of bodies) {
    t = cpuMs();
    const parsed = await parseFeed(xml, { url });
    lap('parse');
    const hashes = parsed.items.map((i) => rawItemHash(i, 'salt'));
    lap('level0');
    const source = { id: feed.id, url, tags: [], sections: [] } as unknown as SourceConfig;
    const normalized = normalizeFeedItems(parsed, { source, feedUrl: url, now });
    lap('normalize');
    sums.parse!.update(JSON.stringify(parsed.items));
    sums.level0!.update(hashes.join());
    sums.normalize!.update(JSON.stringify(normalized.map((n) => [n.article, n.text])));
    t = cpuMs();
    for (const { article, text } of normalized) {
      const tokens = articleTokens({ title: article.title, summary: article.summary, text });
      lap('tokenize');
      const tagged = tagger.tag({
        title: article.title,
        summary: article.summary,
        text,
        categories: article.sourceCategories,
        sourceTags: [],
        tokens,
      });
      lap('tag');
      const fp = fingerprintArticle({ title: article.title, text, tokens });
      lap('fingerprint');
      const full = { ...article, tags: tagged };
      // What a write sends (the script adds the small fields).
      const body = Buffer.concat([signatureHead(packSignature(fp.signature)), articlePart(full)]);
      const version = storedVersion(full);
      lap('encode');
      sums.tokenize!.update(JSON.stringify(tokens));
      sums.tag!.update(tagged.join());
      sums.fingerprint!.update(Buffer.from(fp.signature.buffer)).update(fp.bands.join());
      sums.encode!.update(body).update(version);
      t = cpuMs();
    }
  }
  return {
    ms,
    sums: Object.fromEntries(STAGES.map((s) => [s, sums[s]!.digest('hex').slice(0, 10)])),
  };
}

await pass(); // warm-up
const best: Record<string, number> = {};
let sums: Record<string, string> = {};
for (let i = 0; i < Number(args.passes); i++) {
  const r = await pass();
  for (const s of STAGES) best[s] = Math.min(best[s] ?? Infinity, r.ms[s]!);
  sums = r.sums;
}
const items = bodies.reduce((n, b) => n + b.feed.items.length, 0);
let total = 0;
for (const s of STAGES) {
  total += best[s]!;
  process.stdout.write(
    `${s.padEnd(12)} ${best[s]!.toFixed(0).padStart(6)} ms  ${((best[s]! * 1000) / items).toFixed(1).padStart(6)} µs/item  ${sums[s]}\n`,
  );
}
process.stdout.write(
  `${'total'.padEnd(12)} ${total.toFixed(0).padStart(6)} ms  ${((total * 1000) / items).toFixed(1).padStart(6)} µs/item  (${items} items, fastest of ${args.passes})\n`,
);
