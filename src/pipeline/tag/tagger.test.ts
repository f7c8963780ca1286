import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TagConfig } from '../../domain/types.ts';
import { createTagger } from './tagger.ts';
import { articleTokens } from '../../text/tokenize.ts';

const tag = (id: string, keywords: string[], categories: string[] = []): TagConfig => ({
  id,
  label: id,
  keywords,
  categories,
});

const TAGS: TagConfig[] = [
  tag('syria', ['سوريا', 'سوري', 'Syria', 'Syrian', 'Damascus'], ['سوريا', 'Syria']),
  tag('turkey', ['تركيا', 'تركي', 'Turkey', 'Turkish', 'Ankara']),
  tag('russia', ['روسيا', 'روسي', 'Russia', 'Russian', 'Kremlin']),
  tag('azerbaijan', ['أذربيجان', 'أذربيجاني', 'Azerbaijan', 'Baku']),
  tag('armenia', ['أرمينيا', 'أرميني', 'Armenia', 'Yerevan']),
  tag('karabakh', ['كاراباخ', 'قره باغ', 'Karabakh', 'Nagorno-Karabakh']),
  tag('iran', ['إيران', 'Iran']),
  tag('sport', ['رياضة', 'football', 'كرة القدم'], ['Sport', 'رياضة']),
  tag('economy', ['اقتصاد', 'economy'], ['Economy', 'Business']),
];

const empty = {
  title: '',
  summary: '',
  text: '',
  categories: [] as string[],
  sourceTags: [] as string[],
};

describe('createTagger', () => {
  const tagger = createTagger(TAGS);

  it('tags the seed article (Enab Baladi, Arabic) with all six countries/regions', () => {
    const seed = readFileSync(
      fileURLToPath(new URL('../../../tests/fixtures/seed-article-ar.txt', import.meta.url)),
      'utf8',
    );
    const [title = '', ...rest] = seed.split('\n');
    const tags = tagger.tag({ ...empty, title, text: rest.join('\n') });
    expect(tags).toEqual(['armenia', 'azerbaijan', 'karabakh', 'russia', 'syria', 'turkey']);
    // The same from tokens computed once upstream (the ingest path), and nothing from empty tokens.
    const input = { ...empty, title, text: rest.join('\n') };
    expect(tagger.tag({ ...input, tokens: articleTokens(input) })).toEqual(tags);
    expect(tagger.tag({ ...input, tokens: articleTokens(empty) })).toEqual([]);
  });

  it('tags the seed title alone through prefixes and suffixes', () => {
    // "المقاتلون السوريون في أذربيجان محور اتصالات روسية- تركية"
    const tags = tagger.tag({
      ...empty,
      title: 'المقاتلون السوريون في أذربيجان محور اتصالات روسية- تركية',
    });
    expect(tags).toEqual(['azerbaijan', 'russia', 'syria', 'turkey']);
  });

  it('matches title, summary and text, returning sorted unique ids', () => {
    expect(
      tagger.tag({ ...empty, title: 'Iran talks', summary: 'in Baku', text: 'Iran and Turkey' }),
    ).toEqual(['azerbaijan', 'iran', 'turkey']);
  });

  it('adds the source tags', () => {
    expect(
      tagger.tag({ ...empty, title: 'Weather today', sourceTags: ['syria', 'local'] }),
    ).toEqual(['local', 'syria']);
  });

  it('adds tags whose categories match the item categories', () => {
    expect(tagger.tag({ ...empty, title: 'Match report', categories: ['SPORT'] })).toEqual([
      'sport',
    ]);
    expect(tagger.tag({ ...empty, title: 'x', categories: ['الرياضة'] })).toEqual(['sport']);
    expect(tagger.tag({ ...empty, title: 'x', categories: ['Business & Economy'] })).toEqual([
      'economy',
    ]);
    expect(tagger.tag({ ...empty, title: 'x', categories: ['Sports'] })).toEqual(['sport']);
    expect(tagger.tag({ ...empty, title: 'x', categories: ['Transport', 'Businessman'] })).toEqual(
      [],
    );
  });

  it('tags nothing for unrelated text', () => {
    expect(
      tagger.tag({
        ...empty,
        title: 'Iranian chess player wins',
        text: 'Turkmen and Armenians celebrate',
      }),
    ).toEqual([]);
  });

  it('works with no tags configured', () => {
    expect(createTagger([]).tag({ ...empty, title: 'سوريا', sourceTags: ['a'] })).toEqual(['a']);
  });
});

// The articles/s figure is `npm run bench` (tagging.articlesPerSec); this asserts the outcome.
describe('many tags', () => {
  it('tags over 90 % of 1,000 Arabic and English articles with 50 tags × 10 keywords', () => {
    const arWords =
      'قال وزير الخارجية إن المحادثات مع الحكومة استمرت ساعات في العاصمة وسط توتر على الحدود واتهامات متبادلة بخرق الهدنة والمساعدات الإنسانية للمدنيين النازحين في المخيمات'.split(
        ' ',
      );
    const enWords =
      'the minister said talks with the government continued for hours in the capital amid tension on the border and mutual accusations of violating the truce while aid reached displaced civilians in camps'.split(
        ' ',
      );
    // 50 tags × 10 keywords: half Arabic, half English, some multi-word and some prefix (*) keywords.
    const tags: TagConfig[] = [];
    for (let t = 0; t < 50; t++) {
      const keywords: string[] = [];
      for (let k = 0; k < 10; k++) {
        const n = t * 10 + k;
        if (n % 2 === 0) keywords.push(n % 7 === 0 ? `كلمة${n} اخرى${n}` : `كلمة${n}`);
        else keywords.push(n % 9 === 0 ? `word${n}*` : `word${n}`);
      }
      tags.push(tag(`t${t}`, keywords));
    }
    tags.push(...TAGS);
    const tagger = createTagger(tags);
    let seed = 42;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const articles = Array.from({ length: 1_000 }, (_, i) => {
      const words = i % 2 === 0 ? arWords : enWords;
      const pick = (len: number): string =>
        Array.from({ length: len }, () =>
          rand(40) === 0
            ? i % 2 === 0
              ? `والكلمة${rand(500)}`
              : `Word${rand(500)}s`
            : words[rand(words.length)],
        ).join(' ');
      return {
        title: pick(10),
        summary: pick(40),
        text: pick(400),
        categories: ['News'],
        sourceTags: [] as string[],
      };
    });
    let tagged = 0;
    for (const a of articles) tagged += tagger.tag(a).length > 0 ? 1 : 0;
    expect(tagged).toBeGreaterThan(900);
  });
});
