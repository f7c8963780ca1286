// In-process throughput of the two CPU-bound pipeline steps: tag matching (50 tags × 10 Arabic
// and English keywords) and near-duplicate fingerprinting, over the bench items' real text.
import { createTagger } from '../src/pipeline/tag/tagger.ts';
import { fingerprintArticle } from '../src/pipeline/dedupe/fingerprint.ts';
import { htmlToText } from '../src/text/html-text.ts';
import type { Corpus } from './corpus.ts';

export interface MicroResult {
  articlesPerSec: number;
  fingerprintsPerSec: number;
  /** Share of articles that got at least one tag (a sanity check that matching does work). */
  taggedShare: number;
}

function rate(n: number, fn: (i: number) => void, minMs: number): number {
  for (let i = 0; i < Math.min(n, 200); i++) fn(i); // warm-up (JIT)
  let done = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    for (let i = 0; i < n; i++) fn(i);
    done += n;
  }
  return done / ((performance.now() - t0) / 1000);
}

export function runMicro(corpus: Corpus, minMs: number): MicroResult {
  const tagger = createTagger(corpus.tags.map((t) => ({ ...t, categories: [] })));
  const inputs = corpus.feeds
    .flatMap((f) => f.items.slice(0, 10))
    .map((i) => ({
      title: i.title,
      summary: i.summary,
      text: htmlToText(i.html),
      categories: i.categories,
      sourceTags: [],
    }));
  let tagged = 0;
  for (const input of inputs) if (tagger.tag(input).length > 0) tagged++;
  let sink = 0;
  const articlesPerSec = rate(
    inputs.length,
    (i) => {
      sink += tagger.tag(inputs[i]!).length;
    },
    minMs,
  );
  const fingerprintsPerSec = rate(
    inputs.length,
    (i) => {
      sink += fingerprintArticle(inputs[i]!).bands.length;
    },
    minMs,
  );
  if (sink < 0) throw new Error('unreachable');
  return { articlesPerSec, fingerprintsPerSec, taggedShare: tagged / inputs.length };
}
