// MinHash near-duplicate fingerprints over word shingles, with LSH banding for candidate lookup.
//
// Hashing is 32-bit, integer-only (Math.imul) and seeded by constants, so a signature computed in
// one process equals the one computed in another (signatures are stored in Redis and compared
// across workers). Each of the `numHashes` hash functions is murmur3's fmix32 finalizer applied to
// (shingle hash XOR a per-function seed); the shingle hash combines the token hashes without
// building strings.
//
// Banding: 128 hashes by default, LSH_BANDS = 20 bands of 6 rows (the last 8 hashes only feed
// `estimateJaccard`). Probability that a pair with Jaccard s shares at least one band:
// 1 - (1 - s^6)^20 — s=0.3: 1.5%, s=0.5: 27%, s=0.6: 62%, s=0.7: 92%, s=0.8: 99.8%.
// The S-curve midpoint (1/b)^(1/r) is 0.61, deliberately a little below the 0.7 same-story
// threshold: bands only pick candidates, `estimateJaccard` over the full signature decides, so a
// midpoint of exactly 0.7 (16×8) would lose ~40% of the pairs sitting at 0.7 before they are ever
// compared. 20 bands keep the per-article Redis writes small.
import { Buffer } from 'node:buffer';

export const DEFAULT_NUM_HASHES = 128;
export const DEFAULT_SHINGLE_SIZE = 3;
export const LSH_BANDS = 20;
export const LSH_ROWS = 6;

/** Value of a signature slot no shingle reached (empty input). Never counts as agreement. */
const EMPTY = 0xffffffff;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units, finalized with fmix32. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Per-hash-function seeds from splitmix32 with a fixed start: identical in every process. */
function makeSeeds(n: number): Uint32Array {
  const seeds = new Uint32Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    seeds[i] = (z ^ (z >>> 15)) >>> 0;
  }
  return seeds;
}

const seedCache = new Map<number, Uint32Array>();
function seedsFor(n: number): Uint32Array {
  let s = seedCache.get(n);
  if (!s) seedCache.set(n, (s = makeSeeds(n)));
  return s;
}

/** Word shingles (n-grams joined by a space). Fewer tokens than `size` give one shingle of all. */
export function shingles(tokens: readonly string[], size: number = DEFAULT_SHINGLE_SIZE): string[] {
  if (tokens.length === 0) return [];
  if (tokens.length <= size) return [tokens.join(' ')];
  const out = new Set<string>();
  for (let i = 0; i + size <= tokens.length; i++) out.add(tokens.slice(i, i + size).join(' '));
  return [...out];
}

/** The hash `shingleHashes` gives a 1-shingle (a single word) of token hash `th`. */
export const unigramHash = (th: number): number => fmix32(Math.imul(0x2545f491 ^ 1, 31) + th);

/** 32-bit hashes of the word shingles, without building shingle strings. */
export function shingleHashes(tokens: readonly string[], size: number): Uint32Array {
  const th = new Uint32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) th[i] = hashString(tokens[i] as string);
  const k = Math.min(size, tokens.length);
  const count = tokens.length === 0 ? 0 : tokens.length - k + 1;
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    let h = 0x2545f491 ^ k;
    for (let j = 0; j < k; j++) h = fmix32(Math.imul(h, 31) + (th[i + j] as number));
    out[i] = h;
  }
  return out;
}

export interface MinhashOptions {
  numHashes?: number;
  shingleSize?: number;
}

/**
 * Sign bit flip: unsigned 32-bit order as signed int32 order, so the hot loop below compares
 * int32 values (V8 keeps them untagged; uint32 above 2^31 would be doubles).
 */
const SIGN = 0x80000000 | 0;
/** EMPTY and EMPTY - 1 in the flipped (signed) domain. */
const EMPTY_S = EMPTY ^ SIGN;
const NEAR_EMPTY_S = (EMPTY - 1) ^ SIGN;

/** MinHash signature of the word shingles of `tokens`. */
export function minhashSignature(
  tokens: readonly string[],
  opts: MinhashOptions = {},
): Uint32Array {
  const n = opts.numHashes ?? DEFAULT_NUM_HASHES;
  const size = opts.shingleSize ?? DEFAULT_SHINGLE_SIZE;
  return minhashOfHashes(shingleHashes(tokens, size), n);
}

/**
 * MinHash signature of 32-bit shingle hashes (`shingleHashes`): per hash function j, the minimum
 * of fmix32(h ^ seed_j) over the distinct hashes, EMPTY when there are none. Sorting drops repeated
 * shingles (function words, above all), which change no minimum; the order of the rest does not
 * matter either. One function at a time keeps its running minimum in a register.
 */
export function minhashOfHashes(hashes: Uint32Array, n: number = DEFAULT_NUM_HASHES): Uint32Array {
  const seeds = seedsFor(n);
  const sig = new Uint32Array(n).fill(EMPTY);
  if (hashes.length === 0) return sig;
  const sorted = Int32Array.from(hashes).sort();
  let k = 1;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[k - 1]) sorted[k++] = sorted[i]!;
  const distinct = sorted.subarray(0, k);
  for (let j = 0; j < n; j++) {
    const seed = seeds[j]! | 0;
    let best = EMPTY_S;
    for (let i = 0; i < k; i++) {
      // fmix32 in int32 arithmetic, then into the signed order.
      let h = distinct[i]! ^ seed;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      const v = h ^ SIGN;
      if (v < best) best = v;
    }
    // Keep EMPTY free as the "no shingle" marker: a real minimum of EMPTY reads EMPTY - 1.
    sig[j] = (best === EMPTY_S ? NEAR_EMPTY_S : best) ^ SIGN;
  }
  return sig;
}

/** One compact key per LSH band: `${band}:${hex of the band's rows hashed}`. */
export function lshBands(sig: Uint32Array, bands: number = LSH_BANDS): string[] {
  const rows = Math.floor(sig.length / bands);
  if (rows < 1) throw new RangeError(`lshBands: ${bands} bands need at least ${bands} hashes`);
  const out: string[] = [];
  for (let b = 0; b < bands; b++) {
    let h1 = 0x3c6ef372 ^ b;
    let h2 = 0xa54ff53a ^ b;
    let empty = true;
    for (let r = 0; r < rows; r++) {
      const v = sig[b * rows + r] as number;
      if (v !== EMPTY) empty = false;
      h1 = fmix32(Math.imul(h1, 31) + v);
      h2 = fmix32((h2 ^ v) + 0x9e3779b9);
    }
    if (empty) continue;
    out.push(`${b}:${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`);
  }
  return out;
}

/** Fraction of slots on which two signatures agree (≈ Jaccard similarity of the shingle sets). */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 0;
  let same = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i] && a[i] !== EMPTY) same++;
  return same / n;
}

/**
 * Stored form of a signature: a version byte and the low 8 bits of each slot (b-bit MinHash,
 * b=8; Li & König 2010): 129 bytes for 128 hashes instead of 512. Two different minima agree by
 * chance with probability 2^-8, which lifts an estimate by (1 - J)/256 (0.001 at J = 0.7):
 * nothing the same-story threshold can notice. Compare stored forms with `compactSignature` of a
 * fresh signature.
 */
const PACKED_8 = 0x08;
const EMPTY8 = 0xff;

/** A signature reduced to what its stored form keeps (low 8 bits; EMPTY stays EMPTY). */
export function compactSignature(sig: Uint32Array): Uint32Array {
  const out = new Uint32Array(sig.length);
  for (let i = 0; i < sig.length; i++) {
    const v = sig[i] as number;
    // A real minimum whose low bits read as the empty marker moves one down (as EMPTY - 1 does above).
    out[i] = v === EMPTY ? EMPTY : (v & EMPTY8) === EMPTY8 ? EMPTY8 - 1 : v & EMPTY8;
  }
  return out;
}

export function packSignature(sig: Uint32Array): Buffer {
  const c = compactSignature(sig);
  const buf = Buffer.alloc(1 + c.length);
  buf[0] = PACKED_8;
  for (let i = 0; i < c.length; i++) buf[1 + i] = c[i] === EMPTY ? EMPTY8 : (c[i] as number);
  return buf;
}

/** The compact signature of a stored one (`packSignature`). */
export function unpackSignature(stored: Buffer): Uint32Array {
  if (stored[0] !== PACKED_8 || stored.length < 2)
    throw new Error(`stored signature: unknown format ${stored[0]}`);
  const out = new Uint32Array(stored.length - 1);
  for (let i = 0; i < out.length; i++) {
    const v = stored[1 + i] as number;
    out[i] = v === EMPTY8 ? EMPTY : v;
  }
  return out;
}

/** Base64 of the signature's little-endian bytes (128 hashes → 684 characters). */
export function encodeSignature(sig: Uint32Array): string {
  const buf = Buffer.alloc(sig.length * 4);
  for (let i = 0; i < sig.length; i++) buf.writeUInt32LE(sig[i] as number, i * 4);
  return buf.toString('base64');
}

export function decodeSignature(s: string): Uint32Array {
  const buf = Buffer.from(s, 'base64');
  if (buf.length % 4 !== 0)
    throw new RangeError('decodeSignature: length is not a multiple of 4 bytes');
  const sig = new Uint32Array(buf.length / 4);
  for (let i = 0; i < sig.length; i++) sig[i] = buf.readUInt32LE(i * 4);
  return sig;
}
