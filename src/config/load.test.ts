import { describe, it, expect } from 'vitest';
import { loadConfigFile, parseConfigText, readEnv } from './load.ts';
import { ConfigError } from '../domain/errors.ts';

const minimal = `
sources:
  - { id: enab-baladi, url: https://www.enabbaladi.net/feed/, title: عنب بلدي, lang: ar, interval: 10m, tags: [syria] }
tags:
  - { id: syria, label: Syria, keywords: [سوريا, Syria] }
sections:
  - id: syria
    title: سوريا
    lang: ar
    include: { tags: [syria] }
`;

function problems(text: string) {
  try {
    parseConfigText(text, 'x.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('parses durations, sizes and defaults', () => {
    const cfg = parseConfigText(minimal + '\nfetch: { timeout: 20s, maxBytes: 10MB }\n', 'x.yaml');
    expect(cfg.sources[0]!.interval).toBe(600_000);
    expect(cfg.sources[0]!.origin).toBe('config');
    expect(cfg.fetch.timeout).toBe(20_000);
    expect(cfg.fetch.maxBytes).toBe(10 * 1024 * 1024);
    expect(cfg.fetch.allowPrivateNetworks).toBe(false);
    expect(cfg.retention.maxAge).toBe(30 * 86_400_000);
    expect(cfg.sections[0]!.collapseDuplicates).toBe(false);
    expect(cfg.sections[0]!.exclude.keywords).toEqual([]);
  });

  it('names the key path and line of a bad value', () => {
    const p = problems(minimal.replace('interval: 10m', 'interval: soon'));
    expect(p).toHaveLength(1);
    expect(p[0]!.path).toBe('sources[0].interval');
    expect(p[0]!.line).toBe(3);
    expect(p[0]!.message).toMatch(/not a duration/);
  });

  it('rejects unknown keys, bad ids, unknown tag references and duplicates', () => {
    const text =
      minimal +
      `  - { id: Bad_Id, title: x }\n  - { id: syria, title: y, include: { tags: [nope] }, colapseDuplicates: true }\n`;
    const p = problems(text);
    const paths = p.map((x) => x.path);
    expect(paths).toContain('sections[1].id');
    expect(paths).toContain('sections[2].include.tags[0]');
    expect(paths).toContain('sections[2].id');
    expect(
      p.some((x) => /colapseDuplicates/.test(x.message) || /colapseDuplicates/.test(x.path)),
    ).toBe(true);
  });

  it('reads per-source settings and names every bad one', () => {
    const ok = parseConfigText(
      `sources:
  - id: desk
    url: https://example.org/feed
    fetch: { userAgent: "Desk/1", headers: { X-Api-Key: k }, charset: windows-1256,
             auth: { basic: { user: reader, passwordEnv: DESK_PASS } } }
    include: { keywords: [سوريا] }
    exclude: { keywords: [إعلان] }
    fullText: always
    push: false
  - { id: plain, url: https://example.org/other, fetch: { auth: { bearerEnv: DESK_TOKEN } } }`,
      't.yaml',
    );
    expect(ok.sources[0]).toMatchObject({
      fetch: {
        userAgent: 'Desk/1',
        headers: { 'X-Api-Key': 'k' },
        charset: 'windows-1256',
        auth: { basic: { user: 'reader', passwordEnv: 'DESK_PASS' } },
      },
      include: { keywords: ['سوريا'] },
      exclude: { keywords: ['إعلان'] },
      fullText: 'always',
      push: false,
    });
    expect(ok.sources[1]).toMatchObject({ fullText: 'auto', push: true });
    expect(ok.sources[1]!.fetch!.auth).toEqual({ bearerEnv: 'DESK_TOKEN' });
    const p = problems(`sources:
  - id: bad
    url: https://example.org/feed
    fetch: { headers: { Authorization: x, "no spaces": y }, charset: klingon,
             auth: { basic: { user: reader, password: inline } } }
    fullText: sometimes`);
    const text = p.map((x) => `${x.path}: ${x.message}`).join('\n');
    expect(text).toMatch(/sources\[0\]\.fetch\.headers\.Authorization: .*fetch\.auth/);
    expect(text).toMatch(/headers\.no spaces: not an HTTP header name/);
    expect(text).toMatch(/fetch\.charset: unknown charset/);
    expect(text).toMatch(/fetch\.auth\.basic.*password/);
    expect(text).toMatch(/fullText/);
    expect(
      problems(`sources:
  - { id: b, url: https://example.org/f, fetch: { auth: { basic: { user: r, passwordEnv: P }, bearerEnv: T } } }`)[0]!
        .message,
    ).toMatch(/exactly one/);
  });

  it('reports YAML syntax errors with a line', () => {
    const p = problems('sources:\n  - { id: a, url: [\n');
    expect(p[0]!.message).toMatch(/YAML syntax/);
    expect(p[0]!.line).toBeGreaterThan(0);
  });

  it('message names file, path and problem', () => {
    try {
      parseConfigText(minimal.replace('https://www.enabbaladi.net/feed/', 'ftp://x'), 'cfg.yaml');
      throw new Error('no error');
    } catch (e) {
      expect(String((e as Error).message)).toMatch(
        /cfg\.yaml[\s\S]*sources\[0\]\.url: must be an absolute http\(s\) URL/,
      );
    }
  });

  it('a missing file is named as missing, not as an invalid config', () => {
    const path = '/nonexistent-dir/tributary.yaml';
    expect(() => loadConfigFile(path)).toThrow(ConfigError);
    expect(() => loadConfigFile(path)).toThrow(
      /^\/nonexistent-dir\/tributary\.yaml: cannot read the config file: no such file or directory$/,
    );
  });

  it('reads the environment', () => {
    const env = readEnv({ PORT: '9090', TRIBUTARY_AUTO_REDIS: '0', DATA_DIR: '/tmp/d' });
    expect(env.port).toBe(9090);
    expect(env.autoRedis).toBe(false);
    expect(env.dataDir).toBe('/tmp/d');
    expect(env.host).toBe('127.0.0.1');
    expect(() => readEnv({ PORT: 'x' })).toThrow(ConfigError);
  });
});
