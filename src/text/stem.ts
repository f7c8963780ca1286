// Light, lossy stemming for fingerprints (not for keyword matching, which uses the exact affix rules
// in matcher.ts): outlets rewriting one story change clitics and number ("والحكومة" / "الحكومات",
// "fighters" / "fighter") far more often than the words themselves.

const AR_PREFIX = /^(?:وال|فال|بال|كال|ولل|فلل|ال|لل|و|ف|ب)(?=[\u0620-\u064a]{3})/u;
const AR_SUFFIX = /(?<=[\u0620-\u064a]{3})(?:ات|ون|ين|يه|ها|هم|ه)$/u;

/** Arabic stems by token (two regex replacements each; words repeat, by Zipf's law). Bounded. */
const STEM_CACHE_MAX = 50_000;
const arabicStems = new Map<string, string>();

/** Token (already normalized) with common Arabic clitics/suffixes or a Latin plural s removed. */
export function lightStem(token: string): string {
  const c = token.charCodeAt(0);
  if (c >= 0x0620 && c <= 0x064a) {
    let stem = arabicStems.get(token);
    if (stem === undefined) {
      stem = token.replace(AR_PREFIX, '').replace(AR_SUFFIX, '');
      if (arabicStems.size >= STEM_CACHE_MAX) arabicStems.clear();
      arabicStems.set(token, stem);
    }
    return stem;
  }
  if (token.length > 3 && token.endsWith('s') && !token.endsWith('ss')) return token.slice(0, -1);
  return token;
}
