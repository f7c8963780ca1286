// Issue 18, the CLI as a newcomer meets it: real child processes, loopback feed servers, the
// shared test Redis.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import { createRedis, parseRedisTarget, closeRedis } from '../../src/store/client.ts';
import { createStore } from '../../src/store/index.ts';
import { freePort } from '../../src/config/base-url.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tributary.mjs');

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Starts `tributary start`, resolves once the banner is out; stop() sends SIGTERM and waits. */
async function startCli(args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'start', ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (b: Buffer) => (out.stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out.stderr += b.toString()));
  const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
  const t0 = Date.now();
  while (!out.stdout.includes('Ctrl-C to stop')) {
    if (child.exitCode !== null || Date.now() - t0 > 30_000)
      throw new Error(`start did not come up: ${out.stdout}\n${out.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    out,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tributary-first-hour-'));
const old = (y: number, i: number) => new Date(Date.UTC(y, 0, 1 + i)).toISOString();
const recent = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

describe('tributary CLI, first hour (issue 18)', () => {
  let feeds: FeedServer;
  let config: string;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/mixed.rss', {
      body: rssFeed('Mixed', [
        { guid: 'new', title: 'This week', link: 'https://m.example/new', date: recent(5) },
        { guid: 'o1', title: 'From 2017', link: 'https://m.example/o1', date: old(2017, 0) },
        { guid: 'o2', title: 'Also 2017', link: 'https://m.example/o2', date: old(2017, 1) },
      ]),
    });
    feeds.routes.set('/home.html', {
      type: 'text/html; charset=utf-8',
      body: '<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/mixed.rss"></head><body>home</body></html>',
    });
    feeds.routes.set('/plain.html', {
      type: 'text/html; charset=utf-8',
      body: '<!doctype html><html><head><title>no feed</title></head><body>hi</body></html>',
    });
    config = join(dir, 'cli.yaml');
    writeFileSync(
      config,
      `fetch: { allowPrivateNetworks: true, timeout: 5s }
sections:
  - { id: news, title: News, lang: en }
`,
    );
  });
  afterAll(async () => {
    await feeds.close();
  });

  it('preview marks items older than retention.maxAge (human and --json)', async () => {
    const human = await run(['preview', `${feeds.url}/mixed.rss`, '--config', config]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /From 2017 {2}\(older than retention\.maxAge 30d: a poll skips it\)/,
    );
    expect(human.stdout).not.toMatch(/This week {2}\(older/);
    expect(human.stdout).toContain(
      '3 articles; 2 older than retention.maxAge (30d) would be skipped',
    );
    const json = await run(['preview', `${feeds.url}/mixed.rss`, '--json', '--config', config]);
    const articles = JSON.parse(json.stdout) as { title: string; tooOld?: boolean }[];
    expect(articles.map((a) => [a.title, a.tooOld ?? null])).toEqual([
      ['This week', null],
      ['From 2017', true],
      ['Also 2017', true],
    ]);
  });

  it('preview of an HTML page says which feed it discovered', async () => {
    const human = await run(['preview', `${feeds.url}/home.html`, '--config', config]);
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toBe(
      `${feeds.url}/home.html is an HTML page; using the feed it announces: ${feeds.url}/mixed.rss`,
    );
    const json = await run(['preview', `${feeds.url}/home.html`, '--json', '--config', config]);
    expect(JSON.parse(json.stdout)).toHaveLength(3);
    expect(json.stderr).toContain(`using the feed it announces: ${feeds.url}/mixed.rss`);
  });

  it('preview of a loopback URL names fetch.allowPrivateNetworks', async () => {
    const strict = join(dir, 'strict.yaml');
    writeFileSync(strict, 'sections:\n  - { id: news, title: News, lang: en }\n');
    const r = await run(['preview', `${feeds.url}/mixed.rss`, '--config', strict]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/blocked-address: .*fetch\.allowPrivateNetworks: true/);
  });

  it('import-opml checks each feed and reports each; all skipped prints no dangling list', async () => {
    const prefix = uniquePrefix('opml');
    const env = { REDIS_URL: testRedisUrl(), TRIBUTARY_REDIS_PREFIX: prefix };
    const opml = join(dir, 'subs.opml');
    writeFileSync(
      opml,
      `<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
<outline type="rss" text="Mixed news" xmlUrl="${feeds.url}/mixed.rss"/>
<outline type="rss" text="Gone" xmlUrl="${feeds.url}/gone.rss"/>
<outline type="rss" text="Plain page" xmlUrl="${feeds.url}/plain.html"/>
</body></opml>`,
    );
    const r = await run(['import-opml', opml, '--config', config], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'imported 1 of 3 feeds',
      `  added    mixed-news  ${feeds.url}/mixed.rss`,
      `  skipped  ${feeds.url}/gone.rss: cannot use ${feeds.url}/gone.rss: HTTP 404 from ${feeds.url}/gone.rss`,
      `  skipped  ${feeds.url}/plain.html: ${feeds.url}/plain.html is an HTML page that announces no feed (<link rel="alternate" type="application/rss+xml" …>)`,
      '',
    ]);
    const redis = createRedis(parseRedisTarget(testRedisUrl()));
    try {
      const runtime = await createStore(redis, { prefix, unhealthyAfter: 3 }).sources.listRuntime();
      expect(runtime.map((s) => s.url)).toEqual([`${feeds.url}/mixed.rss`]);
    } finally {
      await closeRedis(redis);
    }
    // Again: everything is skipped now, and the output says so without an empty list.
    const again = await run(['import-opml', opml, '--config', config], env);
    expect(again.code).toBe(0);
    const lines = again.stdout.trim().split('\n');
    expect(lines[0]).toBe('imported 0 of 3 feeds (all skipped)');
    expect(lines[0]).not.toMatch(/:\s*$/);
    expect(lines.slice(1).every((l) => l.startsWith('  skipped  '))).toBe(true);
    // --no-verify saves what the file says.
    const unchecked = join(dir, 'unchecked.opml');
    writeFileSync(
      unchecked,
      `<opml version="2.0"><body><outline text="Later" xmlUrl="${feeds.url}/later.rss"/></body></opml>`,
    );
    const nv = await run(['import-opml', unchecked, '--config', config, '--no-verify'], env);
    expect(nv.stdout).toBe(
      `imported 1 of 1 feeds (not verified: --no-verify)\n  added    later  ${feeds.url}/later.rss\n`,
    );
  });

  it('check-config reports every problem in one run, each with file, line and key path', async () => {
    const bad = join(dir, 'many-problems.yaml');
    writeFileSync(
      bad,
      [
        'site:',
        '  titel: News', // 2: unknown key, a typo of title
        'fetch:',
        '  timeout: soon', // 4: bad duration
        'sources:',
        '  - { id: wire, url: "https://wire.example/rss", tags: [sport] }', // 6: unknown tag
        '  - { id: wire, url: "https://wire.example/b" }', // 7: duplicate id
        '  - { id: desk, url: "https://desk.example/rss", sections: [frontpage] }', // 8: unknown section
        'tags:',
        '  - { id: syria, label: Syria, keywords: [Syria] }',
        'sections:',
        '  - { id: news, title: News, include: { tags: [syira] } }', // 12: unknown tag
        '',
      ].join('\n'),
    );
    const r = await run(['check-config', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `${bad}: invalid config`,
      '  line 2: site.titel: unknown key (did you mean "title"?)',
      '  line 4: fetch.timeout: not a duration: "soon" (use 90s, 10m, 6h, 30d)',
      '  line 6: sources[0].tags[0]: unknown tag "sport"',
      '  line 7: sources[1].id: duplicate id "wire" (also sources[0])',
      '  line 8: sources[2].sections[0]: unknown section "frontpage"',
      '  line 12: sections[0].include.tags[0]: unknown tag "syira"',
    ]);
  });

  it('check-config accepts sections: on a config source, as runtime sources do', async () => {
    const good = join(dir, 'source-sections.yaml');
    writeFileSync(
      good,
      `sources:
  - { id: desk, url: "https://desk.example/rss", sections: [front] }
sections:
  - { id: front, title: Front, lang: en }
`,
    );
    const r = await run(['check-config', good]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${good}: ok (1 sources, 0 tags, 1 sections)\n`);
  });

  it('the start banner counts runtime sources; retag prints no log lines when piped', async () => {
    const env = { REDIS_URL: testRedisUrl(), TRIBUTARY_REDIS_PREFIX: uniquePrefix('banner') };
    const opml = join(dir, 'two.opml');
    writeFileSync(
      opml,
      `<opml version="2.0"><body><outline text="One" xmlUrl="${feeds.url}/one.rss"/><outline text="Two" xmlUrl="${feeds.url}/two.rss"/></body></opml>`,
    );
    expect((await run(['import-opml', opml, '--config', config, '--no-verify'], env)).code).toBe(0);
    const port = await freePort('127.0.0.1');
    const svc = await startCli(['--config', config], { ...env, PORT: String(port) });
    try {
      expect(svc.out.stdout).toMatch(/ {2}sources {3}0 in config, 2 added at run time/);
    } finally {
      expect(await svc.stop()).toBe(0);
    }
    // LOG_LEVEL unset, as a user runs it: stdout and stderr are both pipes here.
    const { LOG_LEVEL: _drop, ...quiet } = process.env;
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'retag', '--config', config], {
        env: { ...quiet, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ articles scanned, 0 changed\.\n$/);
    for (const line of `${r.stdout}${r.stderr}`.split('\n'))
      expect(line.trimStart().startsWith('{'), line).toBe(false);
  });

  it('offline first run: one line per unreachable source, then a summary with the demo hint', async () => {
    // Three sources nobody answers for (a closed loopback port: connection refused, like no network).
    const closed = await freePort('127.0.0.1');
    const offline = join(dir, 'offline.yaml');
    writeFileSync(
      offline,
      `fetch: { allowPrivateNetworks: true, timeout: 5s }
sources:
  - { id: one, url: "http://127.0.0.1:${closed}/one.rss" }
  - { id: two, url: "http://127.0.0.1:${closed}/two.rss" }
  - { id: three, url: "http://127.0.0.1:${closed}/three.rss" }
sections:
  - { id: news, title: News, lang: en }
`,
    );
    const port = await freePort('127.0.0.1');
    const svc = await startCli(['--config', offline], {
      PORT: String(port),
      REDIS_URL: testRedisUrl(),
      TRIBUTARY_REDIS_PREFIX: uniquePrefix('offline'),
      LOG_LEVEL: 'info',
    });
    try {
      const t0 = Date.now();
      while (!/sources unreachable/.test(svc.out.stderr) && Date.now() - t0 < 15_000)
        await new Promise((r) => setTimeout(r, 100));
    } finally {
      expect(await svc.stop()).toBe(0);
    }
    const warnings = svc.out.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .filter((l) => l.level >= 40)
      .map((l) => l.msg);
    expect(warnings).toContain(
      '3 of 3 sources unreachable: no network? try `npm run demo` (bundled feeds, works offline); per-source errors at /status',
    );
    for (const id of ['one', 'two', 'three'])
      expect(warnings.filter((m) => m.startsWith(`poll ${id}: network:`))).toHaveLength(1);
    expect(warnings).toHaveLength(4);
    // The summary comes after every source's line, not before the last one.
    expect(warnings.at(-1)).toMatch(/^3 of 3 sources unreachable/);
  });

  it('in a terminal each log event is one line', async () => {
    const { createLogger } = await import('../../src/runtime/logger.ts');
    const { openSync, readFileSync, closeSync } = await import('node:fs');
    const file = join(dir, 'pretty.log');
    const fd = openSync(file, 'w');
    const log = createLogger({ level: 'info', pretty: true, destination: fd });
    log.warn(
      { source: 'enab-baladi', outcome: 'error', new: 0, error: 'ENOTFOUND' },
      'poll enab-baladi: network: ENOTFOUND',
    );
    await new Promise<void>((r) => log.flush(() => r()));
    await new Promise((r) => setTimeout(r, 500));
    closeSync(fd);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('poll enab-baladi: network: ENOTFOUND');
    expect(text.trim().split('\n')).toHaveLength(1);
  });

  it('PORT=… start derives site.baseUrl from the port; a set baseUrl on another port is warned about', async () => {
    const port = await freePort('127.0.0.1');
    const env = {
      PORT: String(port),
      REDIS_URL: testRedisUrl(),
      TRIBUTARY_REDIS_PREFIX: uniquePrefix('port'),
      LOG_LEVEL: 'info',
    };
    const svc = await startCli(['--config', config], env);
    try {
      const opml = await (await fetch(`http://127.0.0.1:${port}/opml`)).text();
      expect(opml).toContain(`xmlUrl="http://localhost:${port}/feeds/news.rss"`);
      expect(svc.out.stderr).not.toMatch(/does not match where the server listens/);
    } finally {
      expect(await svc.stop()).toBe(0);
    }
    const pinned = join(dir, 'pinned.yaml');
    writeFileSync(
      pinned,
      `site: { baseUrl: "http://localhost:8080" }
sections:
  - { id: news, title: News, lang: en }
`,
    );
    const svc2 = await startCli(['--config', pinned], env);
    try {
      const t0 = Date.now();
      while (!/does not match where the server listens/.test(svc2.out.stderr)) {
        if (Date.now() - t0 > 5000) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(svc2.out.stderr).toMatch(
        new RegExp(
          `site\\.baseUrl http://localhost:8080 does not match where the server listens \\(http://localhost:${port}\\)`,
        ),
      );
    } finally {
      expect(await svc2.stop()).toBe(0);
    }
  });
});
