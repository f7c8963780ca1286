// One scrape shows the whole service: a server process and a worker process (`--role server`,
// `--role worker`, as in the compose file) against one Redis and a loopback feed; the worker's
// polls show up in the server's /metrics.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFeedServer, rssFeed } from '../helpers/service.ts';
import type { FeedServer } from '../helpers/service.ts';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.ts';
import { freePort } from '../helpers/own-redis.ts';

const ROOT = join(import.meta.dirname, '..', '..');

interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function startRole(role: 'server' | 'worker', env: Record<string, string>, config: string): Proc {
  let out = '';
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'tributary.mjs'), 'start', '--role', role, '--config', config],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, LOG_LEVEL: 'info', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, exited };
}

async function waitFor(what: string, p: Proc[], ok: () => Promise<boolean>, ms = 60_000) {
  const t0 = Date.now();
  while (!(await ok().catch(() => false))) {
    if (Date.now() - t0 > ms)
      throw new Error(
        `timed out waiting for ${what}:\n${p.map((x) => x.out().slice(-1500)).join('\n---\n')}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The value of one sample in Prometheus text, or null. */
function sample(body: string, name: string, labels = ''): number | null {
  for (const line of body.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (labels ? rest.startsWith(`{`) && rest.includes(labels) : rest.startsWith(' '))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

describe('metrics across processes', () => {
  let feeds: FeedServer;
  let server: Proc;
  let worker: Proc;
  let base: string;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.routes.set('/a.rss', {
      body: rssFeed('A', [
        { guid: 'a1', title: 'First', link: 'https://a.example/1', date: new Date().toISOString() },
        {
          guid: 'a2',
          title: 'Second',
          link: 'https://a.example/2',
          date: new Date().toISOString(),
        },
      ]),
    });
    const dir = mkdtempSync(join(tmpdir(), 'tributary-metrics-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `fetch: { allowPrivateNetworks: true, timeout: 5s }
sources:
  - { id: a, url: "${feeds.url}/a.rss", lang: en }
sections:
  - { id: all, title: All, lang: en }
`,
    );
    const port = await freePort();
    const env = {
      REDIS_URL: testRedisUrl(),
      TRIBUTARY_REDIS_PREFIX: uniquePrefix('metrics'),
      DATA_DIR: dir,
      PORT: String(port),
    };
    base = `http://127.0.0.1:${port}`;
    server = startRole('server', env, config);
    worker = startRole('worker', env, config);
  }, 30_000);
  afterAll(async () => {
    for (const p of [server, worker]) {
      if (p && p.child.exitCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    await feeds?.close();
  });

  it("the server's /metrics shows the worker's polls, articles and poll durations", async () => {
    let body = '';
    await waitFor('a poll counted in the server scrape', [server, worker], async () => {
      const r = await fetch(`${base}/metrics`);
      body = await r.text();
      return (sample(body, 'tributary_fetches_total', 'outcome="ok"') ?? 0) >= 1;
    });
    // The server process polls nothing itself: these figures came from the worker process.
    expect(feeds.requests.some((r) => r.path === '/a.rss')).toBe(true);
    expect(body).toMatch(/^# TYPE tributary_fetches_total counter$/m);
    expect(sample(body, 'tributary_articles_total', 'outcome="inserted"')).toBe(2);
    const count = sample(body, 'tributary_poll_duration_seconds_count');
    expect(count).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'tributary_poll_duration_seconds_bucket', 'le="+Inf"')).toBe(count);
    // Process-local figures of the server are in the same scrape.
    expect(body).toMatch(/^tributary_process_cpu_seconds_total /m);
    expect(body).toMatch(/^# TYPE tributary_http_request_duration_seconds histogram$/m);
  }, 90_000);

  it('times feed requests from both serving paths (Hono, then the node:http fast path)', async () => {
    const first = await fetch(`${base}/feeds/all.atom`); // rendered by Hono, remembered
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${base}/feeds/all.atom`, { headers: { 'if-none-match': etag } });
      expect(r.status).toBe(304);
    }
    const body = await (await fetch(`${base}/metrics`)).text();
    const series = 'route="/feeds/:file",method="GET",status="304"';
    const name = 'tributary_http_request_duration_seconds';
    expect(sample(body, `${name}_count`, series)).toBe(3);
    expect(sample(body, `${name}_bucket`, `le="+Inf",${series}`)).toBe(3);
    expect(sample(body, `${name}_sum`, series)).toBeGreaterThan(0);
    expect(sample(body, `${name}_count`, 'route="/feeds/:file",method="GET",status="200"')).toBe(1);
  }, 30_000);
});
