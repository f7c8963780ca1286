import { describe, it, expect } from 'vitest';
import {
  compactSignature,
  decodeSignature,
  packSignature,
  unpackSignature,
  encodeSignature,
  estimateJaccard,
  hashString,
  lshBands,
  minhashSignature,
  shingles,
  LSH_BANDS,
} from './minhash.ts';
import { tokenize } from './tokenize.ts';

const words = (n: number, offset = 0): string[] =>
  Array.from({ length: n }, (_, i) => `w${i + offset}`);

function exactJaccard(a: string[], b: string[]): number {
  const A = new Set(a);
  const B = new Set(b);
  let inter = 0;
  for (const x of A) if (B.has(x)) inter++;
  return inter / (A.size + B.size - inter);
}

describe('shingles', () => {
  it('builds unique word n-grams', () => {
    expect(shingles(['a', 'b', 'c', 'd'])).toEqual(['a b c', 'b c d']);
    expect(shingles(['a', 'b', 'a', 'b', 'a'], 2)).toEqual(['a b', 'b a']);
    expect(shingles(['a', 'b'], 3)).toEqual(['a b']);
    expect(shingles([])).toEqual([]);
  });
});

describe('minhashSignature', () => {
  it('is deterministic across processes (golden values)', () => {
    expect(hashString('سوريا')).toBe(hashString('سوريا'));
    const sig = minhashSignature(tokenize('the quick brown fox jumps over the lazy dog'));
    expect(sig.length).toBe(128);
    // Pinned: changing the hash functions silently would orphan every stored signature.
    expect(encodeSignature(sig.subarray(0, 4))).toMatchInlineSnapshot(`"Y5w5GGZ20h6e7gAZ+TH8Tg=="`);
  });

  it('estimates Jaccard within a few points of the exact value', () => {
    for (const [n, overlap] of [
      [200, 180],
      [200, 120],
      [200, 60],
    ] as const) {
      const a = words(n);
      const b = words(n, n - overlap);
      const exact = exactJaccard(shingles(a, 1), shingles(b, 1));
      const est = estimateJaccard(
        minhashSignature(a, { shingleSize: 1 }),
        minhashSignature(b, { shingleSize: 1 }),
      );
      expect(Math.abs(est - exact)).toBeLessThan(0.12);
    }
  });

  it('gives identical texts similarity 1 and unrelated texts ~0', () => {
    const a = minhashSignature(words(100));
    expect(estimateJaccard(a, minhashSignature(words(100)))).toBe(1);
    expect(estimateJaccard(a, minhashSignature(words(100, 1000)))).toBeLessThan(0.05);
  });

  it('never calls two empty inputs similar', () => {
    expect(estimateJaccard(minhashSignature([]), minhashSignature([]))).toBe(0);
  });

  it('honours numHashes', () => {
    expect(minhashSignature(words(10), { numHashes: 64 }).length).toBe(64);
  });
});

describe('lshBands', () => {
  it('gives one key per band and shares bands between near-duplicates only', () => {
    const a = minhashSignature(words(300), { shingleSize: 1 });
    const b = minhashSignature(words(300, 15), { shingleSize: 1 }); // Jaccard ≈ 0.9
    const c = minhashSignature(words(300, 250), { shingleSize: 1 }); // Jaccard ≈ 0.09
    const ba = lshBands(a);
    expect(ba.length).toBe(LSH_BANDS);
    expect(ba[0]).toMatch(/^0:[0-9a-f]{16}$/);
    expect(lshBands(b).some((k) => ba.includes(k))).toBe(true);
    expect(lshBands(c).some((k) => ba.includes(k))).toBe(false);
  });

  it('gives no bands for an empty signature and rejects too many bands', () => {
    expect(lshBands(minhashSignature([]))).toEqual([]);
    expect(() => lshBands(new Uint32Array(8), 16)).toThrow(RangeError);
  });
});

describe('encodeSignature / decodeSignature', () => {
  it('round-trips compactly', () => {
    const sig = minhashSignature(words(50));
    const s = encodeSignature(sig);
    expect(s.length).toBe(684);
    expect(decodeSignature(s)).toEqual(sig);
    expect(() => decodeSignature('abc')).toThrow(RangeError);
  });
});

describe('packSignature / unpackSignature (stored form)', () => {
  it('keeps 8 bits per slot in 129 bytes and refuses any other stored form', () => {
    const sig = minhashSignature(words(50));
    const packed = packSignature(sig);
    expect(packed.length).toBe(129);
    expect(unpackSignature(packed)).toEqual(compactSignature(sig));
    expect(() => unpackSignature(Buffer.from(encodeSignature(sig), 'base64'))).toThrow(
      /unknown format/,
    );
  });

  it('estimates Jaccard from stored forms as well as from full ones', () => {
    const base = words(200);
    const near = [...base.slice(0, 170), ...words(30).map((w) => `${w}x`)];
    const full = estimateJaccard(minhashSignature(base), minhashSignature(near));
    const stored = estimateJaccard(
      compactSignature(minhashSignature(base)),
      unpackSignature(packSignature(minhashSignature(near))),
    );
    expect(stored).toBeCloseTo(full, 2);
    // Empty slots never agree, stored or not.
    const empty = unpackSignature(packSignature(minhashSignature([])));
    expect(estimateJaccard(empty, empty)).toBe(0);
  });
});

describe('minhashSignature matches the per-shingle definition', () => {
  // The definition before the int32 loop: per distinct shingle hash h and function j,
  // fmix32(h ^ seed_j), EMPTY - 1 standing in for a value of EMPTY; the minimum per j.
  function reference(tokens: string[], size: number, n = 128): Uint32Array {
    const fmix = (h: number) => {
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      return h >>> 0;
    };
    const seeds: number[] = [];
    let x = 0x9e3779b9;
    for (let i = 0; i < n; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      seeds.push((z ^ (z >>> 15)) >>> 0);
    }
    const th = tokens.map(hashString);
    const k = Math.min(size, tokens.length);
    const sig = new Uint32Array(n).fill(0xffffffff);
    for (let i = 0; tokens.length > 0 && i + k <= tokens.length; i++) {
      let h = 0x2545f491 ^ k;
      for (let j = 0; j < k; j++) h = fmix(Math.imul(h, 31) + th[i + j]!);
      for (let j = 0; j < n; j++) {
        const v = fmix(h ^ seeds[j]!);
        const m = v === 0xffffffff ? 0xfffffffe : v;
        if (m < sig[j]!) sig[j] = m;
      }
    }
    return sig;
  }

  it('for 1- and 3-shingles, Arabic and English, repeated words, empty input', () => {
    const texts = [
      'the quick brown fox jumps over the lazy dog and the dog sleeps',
      'قال وزير الخارجية إن المحادثات مع الوفد ستستأنف الأسبوع المقبل في العاصمة',
      'a a a a a',
      '',
      words(300).join(' '),
    ];
    for (const t of texts)
      for (const size of [1, 3]) {
        const tokens = tokenize(t);
        expect([...minhashSignature(tokens, { shingleSize: size })]).toEqual([
          ...reference(tokens, size),
        ]);
      }
  });
});
