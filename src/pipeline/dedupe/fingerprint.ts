// Near-duplicate fingerprint of one article: a MinHash signature plus LSH band keys for candidate
// lookup in the store. Deciding "same story" compares full signatures (`isSameStory`), never bands.
//
// What is hashed: the set of light-stemmed content words (word 1-shingles). Measured on the
// labelled pairs in tests/fixtures/dedupe-pairs (another outlet's rewrite: new headline, sentences
// reordered, one or two dropped or paraphrased) word 3-shingles put most true pairs at Jaccard
// 0.55–0.75 — a single dropped sentence out of six already costs ~17% — so a 0.7 threshold missed
// ~45% of them; 2-shingles still missed ~25%. Word sets keep the threshold a plain Jaccard value:
// rewrites land at 0.70–1.0, different stories on the same topic (same day, same places and
// names) at ≤ 0.26. See fingerprint.test.ts for the figures.
import type { DedupeConfig } from '../../domain/types.ts';
import { tokenize } from '../../text/tokenize.ts';
import type { ArticleTokens } from '../../text/tokenize.ts';
import { lightStem } from '../../text/stem.ts';
import {
  DEFAULT_NUM_HASHES,
  LSH_BANDS,
  compactSignature,
  estimateJaccard,
  hashString,
  lshBands,
  minhashOfHashes,
  unigramHash,
} from '../../text/minhash.ts';

/** The default `dedupe.threshold`: estimated Jaccard at or above which two articles are one story. */
export const DEFAULT_SAME_STORY_THRESHOLD: DedupeConfig['threshold'] = 0.7;
/** Below this many content tokens an article gets no bands: too little text to cluster reliably. */
export const MIN_TOKENS_FOR_BANDS = 8;
/** Body length (tokens) from which the title is left out of the fingerprint. */
export const TITLE_FREE_BODY = 40;
/** Word n-gram size hashed into the fingerprint (1 = set of words; see the comment above). */
export const FINGERPRINT_SHINGLE_SIZE = 1;

export interface FingerprintOptions {
  numHashes?: number;
  bands?: number;
}

export interface Fingerprint {
  signature: Uint32Array;
  /** LSH band keys; empty when the text is too short to cluster. */
  bands: string[];
}

/** Content tokens: normalized, light-stemmed words; single characters dropped (stray letters). */
export function fingerprintTokens(input: {
  title: string;
  text: string;
  tokens?: Pick<ArticleTokens, 'title' | 'text'>;
}): { title: string[]; text: string[] } {
  const content = (tokens: string[]): string[] => {
    const out: string[] = [];
    for (const t of tokens) if (t.length > 1) out.push(lightStem(t));
    return out;
  };
  const t = input.tokens;
  return {
    title: content(t ? t.title : tokenize(input.title)),
    text: content(t ? t.text : tokenize(input.text)),
  };
}

/**
 * Unigram hash (`unigramHash` of `hashString`) of each content token's light stem, by token:
 * words repeat across articles (Zipf), so most tokens cost one Map lookup instead of stemming and
 * hashing. Bounded: cleared when full.
 */
const HASH_CACHE_MAX = 100_000;
const stemHashes = new Map<string, number>();

function stemHash(token: string): number {
  let h = stemHashes.get(token);
  if (h === undefined) {
    h = unigramHash(hashString(lightStem(token)));
    if (stemHashes.size >= HASH_CACHE_MAX) stemHashes.clear();
    stemHashes.set(token, h);
  }
  return h;
}

/** Unigram hashes of the content tokens (`fingerprintTokens`) of `tokens`, appended to `out`. */
function contentHashes(tokens: readonly string[], out: number[]): void {
  for (const t of tokens) if (t.length > 1) out.push(stemHash(t));
}

/**
 * Fingerprint of an article. Lead stories are usually re-published under a new headline, so the
 * body dominates: the title joins only when the body is short (a feed that carries a headline
 * and a one-line summary), where it is most of what we know about the story.
 */
export function fingerprintArticle(
  input: { title: string; text: string; tokens?: Pick<ArticleTokens, 'title' | 'text'> },
  opts: FingerprintOptions = {},
): Fingerprint {
  // Word 1-shingles: the signature is the MinHash of the content tokens' unigram hashes (what
  // `minhashSignature(tokens, { shingleSize: 1 })` computes from the stems, without the strings).
  const t = input.tokens;
  const text: number[] = [];
  contentHashes(t ? t.text : tokenize(input.text), text);
  let hashes = text;
  if (text.length < TITLE_FREE_BODY) {
    hashes = [];
    contentHashes(t ? t.title : tokenize(input.title), hashes);
    for (const h of text) hashes.push(h);
  }
  const signature = minhashOfHashes(Uint32Array.from(hashes), opts.numHashes ?? DEFAULT_NUM_HASHES);
  const bands =
    hashes.length < MIN_TOKENS_FOR_BANDS ? [] : lshBands(signature, opts.bands ?? LSH_BANDS);
  return { signature, bands };
}

/**
 * Whether two signatures (same length) estimate a Jaccard similarity of at least `threshold`,
 * compared as the store compares them (8-bit stored forms, see `packSignature`).
 */
export function isSameStory(
  a: Uint32Array,
  b: Uint32Array,
  threshold: number = DEFAULT_SAME_STORY_THRESHOLD,
): boolean {
  return isSameStoryCompact(compactSignature(a), compactSignature(b), threshold);
}

/** `isSameStory` over signatures already in their compact (stored) form. */
export function isSameStoryCompact(
  a: Uint32Array,
  b: Uint32Array,
  threshold: number = DEFAULT_SAME_STORY_THRESHOLD,
): boolean {
  return estimateJaccard(a, b) >= threshold;
}
