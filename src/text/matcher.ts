// Keyword matcher for tags, `exclude.keywords` and the `q` filter (CONTRACT.md "Keyword matching").
//
// The exact rule implemented here:
// - Both sides go through `normalizeText` + `tokenize` (NFKC, lower case, Arabic folding, split on
//   anything that is not a letter, mark or digit). A keyword is a sequence of words; a text matches
//   when consecutive tokens match the keyword's words one by one (multi-word keywords, and also
//   hyphenated ones: "Nagorno-Karabakh" is the two words nagorno karabakh).
// - A text token matches a keyword word when the word equals one of the token's *stems*:
//   * the token itself;
//   * Arabic: the token minus an optional clitic prefix — conjunction (و ف), then preposition
//     (ب ك ل), then article (ال; ل + ال is written لل) in that order, e.g. و ف ب ك ل ال وال فال بال
//     كال لل ولل فلل وب وبال فبال … — and minus an optional suffix (ي ية يون يين ون ين ات يات ان
//     ها هم هما هن ه كم نا). A stem keeps at least 2 letters. When a prefix carried the article the
//     stem with ال restored is a stem too (keyword "الأسد" matches "للأسد"). A final ت before a
//     suffix is also tried as ة (keyword "حكومة" matches "حكومتها"), and ات may replace a final ة
//     ("حكومات"). Only whole affixes come off: "ليبيا" never matches inside "ليبياني…" unless the
//     remainder is one of the listed suffixes.
//   * Latin (any token ending in s): the token minus a trailing `s`, `es`, or `ies` → `y`. The
//     possessive 's is removed by the tokenizer. No other derivation: "Iran" matches "Iran's" and
//     "Irans", but NOT "Iranian"; list "Iranian" as its own keyword.
//   Derivation is suffix-only, never a change of the word's stem: keyword "سوريا" matches "سوريا",
//   "وسوريا", "بسوريا", "لسوريا" but not "السوريون" (stem سوري + ون) — list "سوري" as a keyword for
//   the adjective; then "سوري" matches "السوريون", "سوريين", "السورية". Arabic suffixes do make
//   "إيران" match "الإيراني" (إيران + ي), as the contract lists ي among the suffixes.
// - A keyword ending in `*` matches when its last word is a prefix of the token after clitic
//   prefixes are stripped (suffixes are irrelevant there): "أذربيج*" matches "وأذربيجان",
//   "karabakh*" matches "karabakhi".
//
// Cost: rules are compiled once into maps keyed by the keyword's first word (and by prefix length
// for `*` words). Per text token we derive a handful of stems (cached per distinct token) and do a
// few Map lookups, so tagging cost does not grow with the number of rules.
import { tokenize } from './tokenize.ts';

export interface KeywordRule {
  id: string;
  keywords: string[];
}

export interface KeywordMatcher {
  /** Rule ids whose keywords occur in the token sequence (tokens from `tokenize`). */
  matchTokens(tokens: string[]): Set<string>;
  /** Rule ids whose keywords occur in any of the token sequences (each matched on its own). */
  matchTokenLists(...lists: readonly (readonly string[])[]): Set<string>;
  /** Rule ids whose keywords occur in any of the texts (each text matched on its own). */
  match(...texts: string[]): Set<string>;
}

interface Word {
  text: string;
  star: boolean;
}

interface Entry {
  ruleId: string;
  words: Word[];
}

interface Stems {
  /** Candidate stems for exact keyword words. */
  exact: string[];
  /** Token minus clitic prefixes, for `*` keyword words. */
  prefixed: string[];
}

const AL = '\u0627\u0644'; // ال
const LL = '\u0644\u0644'; // لل
const TEH = '\u062a'; // ت
const HEH = '\u0647'; // ه (also ة after normalization)
const AT = '\u0627\u062a'; // ات

/** Clitic prefixes, longest first; `article` tells whether it ends with the definite article. */
const PREFIXES: { p: string; article: boolean }[] = (() => {
  const out = new Map<string, boolean>();
  for (const conj of ['', '\u0648', '\u0641']) {
    for (const prep of ['', '\u0628', '\u0643', '\u0644']) {
      for (const art of ['', AL]) {
        const p = prep === '\u0644' && art === AL ? conj + LL : conj + prep + art;
        if (p !== '') out.set(p, art !== '');
      }
    }
  }
  return [...out].map(([p, article]) => ({ p, article })).sort((a, b) => b.p.length - a.p.length);
})();

/** Arabic suffixes (normalized spelling: ة is ه). */
const SUFFIXES: string[] = [
  '\u064a', // ي
  '\u064a\u0647', // ية
  '\u064a\u0648\u0646', // يون
  '\u064a\u064a\u0646', // يين
  '\u0648\u0646', // ون
  '\u064a\u0646', // ين
  AT, // ات
  '\u064a\u0627\u062a', // يات
  '\u0627\u0646', // ان
  '\u0647\u0627', // ها
  '\u0647\u0645', // هم
  '\u0647\u0645\u0627', // هما
  '\u0647\u0646', // هن
  HEH, // ه
  '\u0643\u0645', // كم
  '\u0646\u0627', // نا
].sort((a, b) => b.length - a.length);

const MIN_STEM = 2;

function isArabicLetter(code: number): boolean {
  return (
    (code >= 0x0620 && code <= 0x064a) ||
    (code >= 0x066e && code <= 0x06d3) ||
    (code >= 0x0750 && code <= 0x077f)
  );
}

function arabicStems(t: string, exact: Set<string>, prefixed: Set<string>): void {
  const prefixes = [{ p: '', article: false }, ...PREFIXES];
  for (const { p, article } of prefixes) {
    if (p !== '' && !t.startsWith(p)) continue;
    const rest = t.slice(p.length);
    if (rest.length < MIN_STEM) continue;
    prefixed.add(rest);
    if (article) prefixed.add(AL + rest);
    exact.add(rest);
    if (article) exact.add(AL + rest);
    for (const x of SUFFIXES) {
      if (!rest.endsWith(x) || rest.length - x.length < MIN_STEM) continue;
      const stem = rest.slice(0, rest.length - x.length);
      const variants = [stem];
      if (stem.endsWith(TEH) && stem.length > MIN_STEM) variants.push(stem.slice(0, -1) + HEH);
      if (x === AT) variants.push(stem + HEH);
      for (const v of variants) {
        exact.add(v);
        if (article) exact.add(AL + v);
      }
    }
  }
}

function latinStems(t: string, exact: Set<string>): void {
  if (!t.endsWith('s')) return;
  if (t.length >= 3) exact.add(t.slice(0, -1));
  if (t.length >= 4 && t.endsWith('es')) exact.add(t.slice(0, -2));
  if (t.length >= 5 && t.endsWith('ies')) exact.add(t.slice(0, -3) + 'y');
}

const STEM_CACHE_MAX = 50_000;
const stemCache = new Map<string, Stems>();

/** Candidate stems of one normalized token (rule-independent, cached). */
export function stemsOf(token: string): Stems {
  const cached = stemCache.get(token);
  if (cached) return cached;
  const exact = new Set<string>([token]);
  const prefixed = new Set<string>([token]);
  const first = token.charCodeAt(0);
  if (isArabicLetter(first) || isArabicLetter(token.charCodeAt(token.length - 1))) {
    arabicStems(token, exact, prefixed);
  } else {
    latinStems(token, exact);
  }
  const stems: Stems = { exact: [...exact], prefixed: [...prefixed] };
  if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
  stemCache.set(token, stems);
  return stems;
}

function wordMatches(word: Word, token: string): boolean {
  const stems = stemsOf(token);
  if (word.star) return stems.prefixed.some((s) => s.startsWith(word.text));
  return stems.exact.includes(word.text);
}

/** Parse one keyword into words; null when nothing word-like remains. */
function parseKeyword(keyword: string): Word[] | null {
  const trimmed = keyword.trim();
  const star = trimmed.endsWith('*');
  const words = tokenize(star ? trimmed.replace(/\*+$/u, '') : trimmed);
  if (words.length === 0) return null;
  return words.map((text, i) => ({ text, star: star && i === words.length - 1 }));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const HIT_CACHE_MAX = 50_000;

/** Compile keyword rules once; the matcher is then reused for every article. */
export function compileMatcher(rules: readonly KeywordRule[]): KeywordMatcher {
  const byHead = new Map<string, Entry[]>();
  /** `*` heads: prefix length → prefix → entries. */
  const byStarHead = new Map<number, Map<string, Entry[]>>();
  for (const rule of rules) {
    for (const keyword of rule.keywords) {
      const words = parseKeyword(keyword);
      if (!words) continue;
      const entry: Entry = { ruleId: rule.id, words };
      const head = words[0] as Word;
      if (head.star) {
        let m = byStarHead.get(head.text.length);
        if (!m) byStarHead.set(head.text.length, (m = new Map()));
        push(m, head.text, entry);
      } else {
        push(byHead, head.text, entry);
      }
    }
  }
  const starLengths = [...byStarHead.keys()];
  const hitCache = new Map<string, Entry[]>();
  const NONE: Entry[] = [];

  function headHits(token: string): Entry[] {
    const cached = hitCache.get(token);
    if (cached) return cached;
    const stems = stemsOf(token);
    const found = new Set<Entry>();
    for (const s of stems.exact) {
      const list = byHead.get(s);
      if (list) for (const e of list) found.add(e);
    }
    for (const len of starLengths) {
      const m = byStarHead.get(len) as Map<string, Entry[]>;
      for (const s of stems.prefixed) {
        if (s.length < len) continue;
        const list = m.get(s.slice(0, len));
        if (list) for (const e of list) found.add(e);
      }
    }
    const hits = found.size === 0 ? NONE : [...found];
    if (hitCache.size >= HIT_CACHE_MAX) hitCache.clear();
    hitCache.set(token, hits);
    return hits;
  }

  function matchInto(tokens: readonly string[], out: Set<string>): void {
    for (let i = 0; i < tokens.length; i++) {
      const hits = headHits(tokens[i] as string);
      for (const e of hits) {
        if (out.has(e.ruleId)) continue;
        const n = e.words.length;
        if (n === 1) {
          out.add(e.ruleId);
          continue;
        }
        if (i + n > tokens.length) continue;
        let ok = true;
        for (let k = 1; k < n && ok; k++)
          ok = wordMatches(e.words[k] as Word, tokens[i + k] as string);
        if (ok) out.add(e.ruleId);
      }
    }
  }

  return {
    matchTokens(tokens) {
      const out = new Set<string>();
      matchInto(tokens, out);
      return out;
    },
    matchTokenLists(...lists) {
      const out = new Set<string>();
      for (const tokens of lists) matchInto(tokens, out);
      return out;
    },
    match(...texts) {
      const out = new Set<string>();
      for (const text of texts) if (text) matchInto(tokenize(text), out);
      return out;
    },
  };
}
