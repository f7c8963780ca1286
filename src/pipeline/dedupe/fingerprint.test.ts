import { describe, it, expect } from 'vitest';
import { tokenize } from '../../text/tokenize.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_SAME_STORY_THRESHOLD,
  FINGERPRINT_SHINGLE_SIZE,
  MIN_TOKENS_FOR_BANDS,
  TITLE_FREE_BODY,
  fingerprintArticle,
  fingerprintTokens,
  isSameStory,
} from './fingerprint.ts';
import { estimateJaccard, lshBands, minhashSignature } from '../../text/minhash.ts';

interface Doc {
  title: string;
  text: string;
}
interface Pair {
  a: Doc;
  b: Doc;
  same: boolean;
  lang: 'ar' | 'en';
  note: string;
}

const pairsUrl = new URL('../../../tests/fixtures/dedupe-pairs/pairs.json', import.meta.url);
const pairs = JSON.parse(readFileSync(fileURLToPath(pairsUrl), 'utf8')) as Pair[];

describe('labelled pairs', () => {
  it('is a fair set: ≥ 40 pairs, both languages, both labels', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(40);
    for (const lang of ['ar', 'en'] as const) {
      expect(pairs.some((p) => p.lang === lang && p.same)).toBe(true);
      expect(pairs.some((p) => p.lang === lang && !p.same)).toBe(true);
    }
  });

  it(`isSameStory at ${DEFAULT_SAME_STORY_THRESHOLD}: precision ≥ 0.9, recall ≥ 0.8`, () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    let bandHits = 0;
    const misses: string[] = [];
    for (const p of pairs) {
      const a = fingerprintArticle(p.a);
      const b = fingerprintArticle(p.b);
      const said = isSameStory(a.signature, b.signature, DEFAULT_SAME_STORY_THRESHOLD);
      const candidate = a.bands.some((k) => b.bands.includes(k));
      if (said && p.same) tp++;
      else if (said) fp++;
      else if (p.same) fn++;
      else tn++;
      if (p.same && said && candidate) bandHits++;
      if (said !== p.same)
        misses.push(`${p.note} (J≈${estimateJaccard(a.signature, b.signature).toFixed(2)})`);
    }
    const precision = tp / (tp + fp || 1);
    const recall = tp / (tp + fn || 1);
    console.log(
      `dedupe pairs: n=${pairs.length} tp=${tp} fp=${fp} fn=${fn} tn=${tn} precision=${precision.toFixed(3)} ` +
        `recall=${recall.toFixed(3)} recall-with-LSH-candidates=${(bandHits / (tp + fn || 1)).toFixed(3)}` +
        (misses.length ? ` misses: ${misses.join('; ')}` : ''),
    );
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.8);
  });
});

describe('fingerprintArticle', () => {
  const story = pairs.find((p) => p.same && p.lang === 'en') as Pair;

  it('ignores the headline when the body is long enough', () => {
    const a = fingerprintArticle(story.a);
    const b = fingerprintArticle({ title: 'A completely different headline', text: story.a.text });
    expect(estimateJaccard(a.signature, b.signature)).toBe(1);
    expect(a.bands).toEqual(b.bands);
    // From tokens computed upstream (the ingest path): the same fingerprint.
    const t = fingerprintArticle({
      ...story.a,
      tokens: { title: tokenize(story.a.title), text: tokenize(story.a.text) },
    });
    expect(t.signature).toEqual(a.signature);
    expect(t.bands).toEqual(a.bands);
  });

  it('is insensitive to Arabic spelling variants and formatting', () => {
    const a = fingerprintArticle({
      title: '',
      text: 'قالت الحكومة السورية إن المساعدات وصلت إلى إدلب عبر معبر باب الهوى الحدودي مع تركيا',
    });
    const b = fingerprintArticle({
      title: '',
      text: 'قالت الحكومه السوريّة إنّ المساعدات وصلت الى ادلب، عبر معبر "باب الهوى" الحدوديّ مع تركيا.',
    });
    expect(estimateJaccard(a.signature, b.signature)).toBe(1);
  });

  it('gives very short texts no bands', () => {
    expect(
      fingerprintArticle({ title: 'Breaking', text: 'Explosion heard in Beirut' }).bands,
    ).toEqual([]);
    expect(fingerprintArticle({ title: '', text: '' }).bands).toEqual([]);
    expect(fingerprintArticle(story.a).bands.length).toBeGreaterThan(0);
  });

  it('honours numHashes and bands', () => {
    const f = fingerprintArticle(story.a, { numHashes: 64, bands: 16 });
    expect(f.signature.length).toBe(64);
    expect(f.bands.length).toBe(16);
  });

  // The fingerprints/s figure is `npm run bench` (tagging.fingerprintsPerSec).
  it('gives every article of the labelled pairs LSH bands', () => {
    const docs = pairs.flatMap((p) => [p.a, p.b]);
    for (const d of docs) expect(fingerprintArticle(d as Doc).bands.length).toBeGreaterThan(0);
  });
});

describe('fingerprintArticle computes what the plain definition computes', () => {
  // The definition the cached, string-free path must keep (stored signatures are compared
  // across versions): MinHash of the light-stemmed content words as 1-shingles, the title
  // joining only a short body, no bands under MIN_TOKENS_FOR_BANDS words.
  function plainFingerprint(input: { title: string; text: string }) {
    const { title, text } = fingerprintTokens(input);
    const tokens = text.length >= TITLE_FREE_BODY ? text : [...title, ...text];
    const signature = minhashSignature(tokens, { shingleSize: FINGERPRINT_SHINGLE_SIZE });
    return { signature, bands: tokens.length < MIN_TOKENS_FOR_BANDS ? [] : lshBands(signature) };
  }

  it('on the labelled pairs (Arabic and English, long and short bodies), twice (cache warm)', () => {
    const docs = pairs.flatMap((p) => [p.a, p.b]);
    docs.push({ title: 'Short headline here', text: 'one two three' }, { title: '', text: '' });
    for (let round = 0; round < 2; round++)
      for (const d of docs) {
        const got = fingerprintArticle(d);
        const want = plainFingerprint(d);
        expect([...got.signature]).toEqual([...want.signature]);
        expect(got.bands).toEqual(want.bands);
        const withTokens = fingerprintArticle({
          ...d,
          tokens: { title: tokenize(d.title), text: tokenize(d.text) },
        });
        expect([...withTokens.signature]).toEqual([...want.signature]);
      }
  });
});
