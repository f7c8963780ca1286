// `tributary preview URL --full-text` as a user runs it (a real child process, loopback pages):
// each item's linked page is extracted and shown, and the JSON says what `auto` would do.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { AR_NOISE, AR_SENTENCES, AR_TEASER, arabicPage } from '../fixtures/fulltext-pages.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tributary.mjs');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('tributary preview --full-text', () => {
  let feeds: FeedServer;
  let config: string;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/ar.rss', {
      body: rssFeed(
        'عنب بلدي',
        [
          {
            guid: 'a',
            title: 'سهل الغاب',
            link: `${feeds.url}/ghab`,
            date: '2026-11-20T10:00:00Z',
            description: AR_TEASER,
          },
          {
            guid: 'b',
            title: 'مفقود',
            link: `${feeds.url}/gone`,
            date: '2026-11-20T09:00:00Z',
            description: 'نص قصير.',
          },
        ],
        'ar',
      ),
    });
    feeds.routes.set('/ghab', { type: 'text/html; charset=utf-8', body: arabicPage() });
    config = join(mkdtempSync(join(tmpdir(), 'tributary-ft-')), 'ft.yaml');
    writeFileSync(config, 'fetch: { allowPrivateNetworks: true }\nretention: { maxAge: 3650d }\n');
  });
  afterAll(async () => {
    await feeds.close();
  });

  it('--json shows each extraction as the content, with what auto would do; a 404 page keeps the feed text', async () => {
    const r = await run([
      'preview',
      `${feeds.url}/ar.rss`,
      '--json',
      '--full-text',
      '--config',
      config,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [a, b] = JSON.parse(r.stdout) as {
      contentHtml: string;
      summary: string;
      fullText: {
        outcome: string;
        detail: string;
        feedChars: number;
        pageChars: number;
        autoUses: boolean;
      };
    }[];
    for (const s of AR_SENTENCES) expect(a!.contentHtml).toContain(s);
    for (const n of AR_NOISE) expect(a!.contentHtml).not.toContain(n);
    expect(a!.summary).toBe(AR_TEASER);
    expect(a!.fullText).toMatchObject({
      outcome: 'extracted',
      feedChars: AR_TEASER.length,
      autoUses: true,
    });
    expect(a!.fullText.pageChars).toBeGreaterThan(1000);
    expect(b!.fullText).toMatchObject({
      outcome: 'http-error',
      detail: 'HTTP 404',
      pageChars: 0,
      autoUses: false,
    });
    expect(b!.contentHtml).toBe('نص قصير.');
  });

  it('prints one full-text line per item; without the flag no page is fetched', async () => {
    const human = await run(['preview', `${feeds.url}/ar.rss`, '--full-text', '--config', config]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /full text: extracted \d+ characters \(feed: \d+\); fullText: auto uses it/,
    );
    expect(human.stdout).toContain(
      `full text: http-error (HTTP 404); the feed's 8 characters stay`,
    );
    const before = feeds.requests.length;
    const plain = await run(['preview', `${feeds.url}/ar.rss`, '--json', '--config', config]);
    expect(plain.code).toBe(0);
    expect(feeds.requests.slice(before).map((q) => q.path)).toEqual(['/ar.rss']);
    expect(JSON.parse(plain.stdout)[0].fullText).toBeUndefined();
  });
});
