// Which sections an article belongs to (materialized at write time), from each section's
// include/exclude criteria: all listed criteria must hold, any value within one; any exclude hits.
import type { SectionConfig } from '../domain/types.ts';
import { compileMatcher } from '../text/matcher.ts';
import type { ArticleTokens } from '../text/tokenize.ts';

export interface CurateInput {
  tags: string[];
  sources: string[];
  lang: string;
  title: string;
  summary: string;
  text: string;
  /** Sections the article's source was explicitly placed in: included unless excluded. */
  explicitSections?: string[];
  /** Tokens of title, summary and text when the caller has them already (`articleTokens`). */
  tokens?: ArticleTokens;
}

export interface Curator {
  sectionsFor(a: CurateInput): string[];
}

const anyOf = (wanted: string[], have: string[]) =>
  wanted.length === 0 || wanted.some((w) => have.includes(w));
const noneOf = (unwanted: string[], have: string[]) => !unwanted.some((u) => have.includes(u));

export function createCurator(sections: readonly SectionConfig[]): Curator {
  const exclusions = compileMatcher(
    sections
      .filter((s) => s.exclude.keywords.length > 0)
      .map((s) => ({ id: s.id, keywords: [...s.exclude.keywords] })),
  );
  return {
    sectionsFor(a) {
      let excludedByKeyword: Set<string> | null = null;
      const out: string[] = [];
      for (const s of sections) {
        const langs = [a.lang, a.lang.split('-')[0]!];
        const explicit = a.explicitSections?.includes(s.id) ?? false;
        if (
          !explicit &&
          (!anyOf(s.include.tags, a.tags) ||
            !anyOf(s.include.sources, a.sources) ||
            !anyOf(s.include.langs, langs))
        )
          continue;
        if (!noneOf(s.exclude.tags, a.tags) || !noneOf(s.exclude.sources, a.sources)) continue;
        if (s.exclude.langs.length > 0 && !noneOf(s.exclude.langs, langs)) continue;
        if (s.exclude.keywords.length > 0) {
          excludedByKeyword ??= a.tokens
            ? exclusions.matchTokenLists(a.tokens.title, a.tokens.summary, a.tokens.text)
            : exclusions.match(a.title, a.summary, a.text);
          if (excludedByKeyword.has(s.id)) continue;
        }
        out.push(s.id);
      }
      return out;
    },
  };
}
