// A small seeded PRNG (mulberry32) so every run serves byte-identical feeds for one seed.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  pick<T>(xs: readonly T[]): T;
  /** Zipf-like pick: low indexes are much more frequent (s ≈ 1). */
  zipf<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    // Inverse-CDF of a continuous 1/x law over [1, n+1): cheap and close enough to Zipf.
    zipf: (xs) =>
      xs[Math.min(xs.length - 1, Math.floor(Math.exp(next() * Math.log(xs.length + 1)) - 1))]!,
    chance: (p) => next() < p,
  };
}
