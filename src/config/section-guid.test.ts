// The per-section `guid` key (article | section): defaults to article, refuses anything else.
import { describe, it, expect } from 'vitest';
import { parseConfigText } from './load.ts';
import { ConfigError } from '../domain/errors.ts';

const config = (guid: string) => `
sections:
  - { id: arabic, title: عربي, lang: ar }
  - { id: syria, title: سوريا, lang: ar${guid} }
`;

describe('config: sections[].guid', () => {
  it('defaults to article and accepts section', () => {
    const cfg = parseConfigText(config(', guid: section'), 'x.yaml');
    expect(cfg.sections.map((s) => s.guid)).toEqual(['article', 'section']);
  });

  it('refuses another value, naming the key', () => {
    let error: unknown = null;
    try {
      parseConfigText(config(', guid: sections'), 'x.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as ConfigError).message)).toMatch(/sections\.1\.guid|sections\[1\]\.guid/);
  });
});
