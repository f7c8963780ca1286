// How the `tributary` command ends when a user gets it wrong: a real child process.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startFeedServer, rssFeed } from '../helpers/service.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tributary.mjs');

function runCli(
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

describe('tributary exit codes', () => {
  it('with no command prints usage to stderr and exits 2; `help` exits 0', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Usage: tributary <command>/);
    expect(none.stdout).toBe('');
    const help = await runCli(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tributary <command>/);
  });
});

describe('production runs built JavaScript', () => {
  it('has tsx only as a dev dependency, and dist/ carries the run-time .lua scripts', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    const root = join(import.meta.dirname, '..', '..');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(readFileSync(join(root, 'bin', 'tributary.mjs'), 'utf8')).toMatch(/dist\/src\/cli\.js/);
    for (const f of ['upsert-article', 'claim-url', 'set-article-fields', 'replace-article'])
      expect(existsSync(join(root, 'dist', 'src', 'store', 'lua', `${f}.lua`))).toBe(true);
  });
});

describe('a busy PORT', () => {
  it('is reported before Redis or any worker starts, with a PORT=… suggestion, exit 2', async () => {
    const feeds = await startFeedServer();
    feeds.routes.set('/a.rss', {
      body: rssFeed('A', [
        { guid: 'a', title: 'A', link: 'https://a.example/1', date: '2026-01-01' },
      ]),
    });
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'tributary-busy-'));
    const config = join(dir, 'c.yaml');
    writeFileSync(
      config,
      `fetch: { allowPrivateNetworks: true }\nsources:\n  - { id: a, url: "${feeds.url}/a.rss" }\nsections:\n  - { id: all, title: All }\n`,
    );
    try {
      // With the embedded Redis (no REDIS_URL): it must not even be started.
      const embedded = await runCli(['start', '--config', config], {
        PORT: String(port),
        DATA_DIR: join(dir, 'data'),
        REDIS_URL: '',
      });
      expect(embedded.code).toBe(2);
      expect(embedded.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(embedded.stderr).toContain(`PORT=${port + 1}`);
      expect(existsSync(join(dir, 'data', 'redis'))).toBe(false);
      // With a Redis: no worker polled the source.
      const external = await runCli(['start', '--config', config], {
        PORT: String(port),
        REDIS_URL: testRedisUrl(),
        TRIBUTARY_REDIS_PREFIX: uniquePrefix('busy'),
      });
      expect(external.code).toBe(2);
      expect(external.stderr).toContain('already in use');
      expect(feeds.requests).toHaveLength(0);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
      await feeds.close();
    }
  });
});
