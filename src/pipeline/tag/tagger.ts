// Tag stage: which configured tags an article carries. Keyword hits in title, summary and text,
// the source's own configured tags, and tags whose `categories` match one of the feed's item
// categories (whole category after normalization, or keyword-style inside the category string).
import type { TagConfig } from '../../domain/types.ts';
import { compileMatcher } from '../../text/matcher.ts';
import { normalizeText } from '../../text/normalize.ts';
import type { ArticleTokens } from '../../text/tokenize.ts';

export interface TagInput {
  title: string;
  summary: string;
  /** Plain text of the content. */
  text: string;
  /** The feed item's own categories. */
  categories: string[];
  /** Tags configured on the source. */
  sourceTags: string[];
  /** Tokens of title, summary and text when the caller has them already (`articleTokens`). */
  tokens?: ArticleTokens;
}

export interface Tagger {
  /** Sorted, unique tag ids. */
  tag(input: TagInput): string[];
}

/** Compile the tag configuration once; the tagger is reused for every article. */
export function createTagger(tags: readonly TagConfig[]): Tagger {
  const keywords = compileMatcher(tags.map((t) => ({ id: t.id, keywords: t.keywords })));
  const withCategories = tags.filter((t) => t.categories.length > 0);
  const categoryKeywords = compileMatcher(
    withCategories.map((t) => ({ id: t.id, keywords: t.categories })),
  );
  /** normalized category name → tag ids */
  const wholeCategory = new Map<string, string[]>();
  for (const t of withCategories) {
    for (const c of t.categories) {
      const key = normalizeText(c);
      if (key === '') continue;
      const ids = wholeCategory.get(key);
      if (ids) ids.push(t.id);
      else wholeCategory.set(key, [t.id]);
    }
  }

  return {
    tag(input) {
      const t = input.tokens;
      const out = t
        ? keywords.matchTokenLists(t.title, t.summary, t.text)
        : keywords.match(input.title, input.summary, input.text);
      for (const id of input.sourceTags) out.add(id);
      if (withCategories.length > 0) {
        for (const category of input.categories) {
          for (const id of wholeCategory.get(normalizeText(category)) ?? []) out.add(id);
          for (const id of categoryKeywords.match(category)) out.add(id);
        }
      }
      return [...out].sort();
    },
  };
}
