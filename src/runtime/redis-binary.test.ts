import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ensureRedisServer,
  findRedisServer,
  provisionRedisServer,
  redisServerVersion,
} from './redis-binary.ts';

const tmp = mkdtempSync(join(tmpdir(), 'trib-redis-bin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const emptyCache = join(tmp, 'empty-cache');
const noLog = () => undefined;

describe('findRedisServer', () => {
  it('uses REDIS_SERVER_BIN when it is an executable file', async () => {
    const bin = await findRedisServer({
      env: { redisServerBin: '/usr/bin/redis-server' },
      cacheDir: emptyCache,
      path: '',
    });
    expect(bin).toBe('/usr/bin/redis-server');
  });

  it('gives a clear error for a REDIS_SERVER_BIN that does not exist', async () => {
    await expect(
      findRedisServer({
        env: { redisServerBin: join(tmp, 'nope', 'redis-server') },
        cacheDir: emptyCache,
      }),
    ).rejects.toThrow(
      /REDIS_SERVER_BIN=.*nope\/redis-server: no such file.*apt-get install redis-server/,
    );
  });

  it('gives a clear error for a REDIS_SERVER_BIN that is not executable', async () => {
    const f = join(tmp, 'not-exec');
    writeFileSync(f, '#!/bin/sh\n');
    chmodSync(f, 0o644);
    await expect(
      findRedisServer({ env: { redisServerBin: f }, cacheDir: emptyCache }),
    ).rejects.toThrow(/not executable/);
  });

  it('searches the given PATH, and only it', async () => {
    expect(
      await findRedisServer({
        env: { redisServerBin: null },
        cacheDir: emptyCache,
        path: '/nonexistent:/usr/bin',
      }),
    ).toBe('/usr/bin/redis-server');
    expect(
      await findRedisServer({ env: { redisServerBin: null }, cacheDir: emptyCache, path: '' }),
    ).toBeNull();
  });

  it('searches the inherited PATH by default', async () => {
    const bin = await findRedisServer({ env: { redisServerBin: null }, cacheDir: emptyCache });
    expect(bin).toMatch(/\/redis-server$/);
  });

  it('finds the newest copy provisioned in the cache folder', async () => {
    const cache = join(tmp, 'cache');
    for (const v of ['7.0.9', '7.2.10', '7.2.4']) {
      mkdirSync(join(cache, `redis-${v}`, 'src'), { recursive: true });
      const f = join(cache, `redis-${v}`, 'src', 'redis-server');
      writeFileSync(f, '#!/bin/sh\n');
      chmodSync(f, 0o755);
    }
    mkdirSync(join(cache, 'redis-8.0.0', 'src'), { recursive: true }); // a build that did not finish
    expect(
      await findRedisServer({ env: { redisServerBin: null }, cacheDir: cache, path: '' }),
    ).toBe(join(cache, 'redis-7.2.10', 'src', 'redis-server'));
  });
});

describe('ensureRedisServer', () => {
  it('returns what it finds without provisioning', async () => {
    const logs: string[] = [];
    const bin = await ensureRedisServer({
      env: { redisServerBin: null, autoRedis: true },
      cacheDir: emptyCache,
      log: (m) => logs.push(m),
      path: '/usr/bin',
    });
    expect(bin).toBe('/usr/bin/redis-server');
    expect(logs).toEqual([]);
  });

  it('with autoRedis off and nothing found, throws a message that says how to get one', async () => {
    const err = await ensureRedisServer({
      env: { redisServerBin: null, autoRedis: false },
      cacheDir: emptyCache,
      log: noLog,
      path: '',
    }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/No redis-server found/);
    expect(msg).toMatch(/TRIBUTARY_AUTO_REDIS=0/);
    expect(msg).toMatch(/apt-get install redis-server/);
    expect(msg).toMatch(/brew install redis/);
    expect(msg).toMatch(/REDIS_SERVER_BIN/);
    expect(msg).toMatch(/REDIS_URL/);
  });
});

describe('redisServerVersion', () => {
  it('reads the version of a real redis-server', async () => {
    expect(await redisServerVersion('/usr/bin/redis-server')).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('fails clearly for something that is not redis-server', async () => {
    await expect(redisServerVersion('/bin/true')).rejects.toThrow(/unexpected output/);
  });
});

/**
 * A stand-in for redis-stable.tar.gz: same layout (one top folder, src/version.h, a Makefile
 * at the top), whose `make` writes a src/redis-server that answers --version like Redis.
 */
function fakeSourceTarball(name: string, makeRecipe: string): Buffer {
  const root = join(tmp, name);
  mkdirSync(join(root, 'redis-stable', 'src'), { recursive: true });
  writeFileSync(join(root, 'redis-stable', 'src', 'version.h'), '#define REDIS_VERSION "7.9.9"\n');
  writeFileSync(
    join(root, 'redis-stable', 'Makefile'),
    `all:\n\t@echo "MALLOC=$(MALLOC) BUILD_TLS=$(BUILD_TLS)" > make-args.txt\n${makeRecipe}`,
  );
  execFileSync('tar', ['-czf', join(root, 'redis-stable.tar.gz'), '-C', root, 'redis-stable']);
  return readFileSync(join(root, 'redis-stable.tar.gz'));
}

async function serve(body: Buffer | null): Promise<{ url: string; close: () => void }> {
  const srv = createServer((_req, res) => {
    if (!body) return void res.writeHead(404).end('not here');
    res.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/redis-stable.tar.gz`,
    close: () => srv.close(),
  };
}

describe('provisionRedisServer from source (against a local stand-in tarball)', () => {
  it('downloads, extracts, runs make with MALLOC=libc BUILD_TLS=no, and leaves redis-<version>/src/redis-server in the cache', async () => {
    const tarball = fakeSourceTarball(
      'src-ok',
      '\t@printf \'#!/bin/sh\\necho "Redis server v=7.9.9 sha=0 malloc=libc bits=64"\\n\' > src/redis-server\n\t@chmod +x src/redis-server\n',
    );
    const { url, close } = await serve(tarball);
    const cache = join(tmp, 'src-ok-cache');
    const logs: string[] = [];
    try {
      const bin = await provisionRedisServer({
        cacheDir: cache,
        log: (m) => logs.push(m),
        method: 'source',
        sourceUrl: url,
      });
      expect(bin).toBe(join(cache, 'redis-7.9.9', 'src', 'redis-server'));
      expect(await redisServerVersion(bin)).toBe('7.9.9');
      expect(readFileSync(join(cache, 'redis-7.9.9', 'make-args.txt'), 'utf8').trim()).toBe(
        'MALLOC=libc BUILD_TLS=no',
      );
      expect(existsSync(join(cache, 'redis-stable.tar.gz'))).toBe(false); // cleaned up
      expect(logs.some((l) => l.includes('downloading'))).toBe(true);
      expect(logs.some((l) => l.includes('building Redis 7.9.9'))).toBe(true);
      // ...and the next search finds it there.
      expect(
        await findRedisServer({ env: { redisServerBin: null }, cacheDir: cache, path: '' }),
      ).toBe(bin);
    } finally {
      close();
    }
  });

  it('says which step failed and what to do when make fails', async () => {
    const { url, close } = await serve(
      fakeSourceTarball('src-bad', '\t@echo "cc: fatal error: no input files" >&2; exit 2\n'),
    );
    try {
      const err = await provisionRedisServer({
        cacheDir: join(tmp, 'src-bad-cache'),
        log: noLog,
        method: 'source',
        sourceUrl: url,
      }).catch((e: unknown) => e as Error);
      expect((err as Error).message).toMatch(
        /^Could not provision redis-server: make in .* failed \(.*no input files.*\)\. Install it .*REDIS_SERVER_BIN/,
      );
    } finally {
      close();
    }
  });

  it('says the download failed, with the HTTP status', async () => {
    const { url, close } = await serve(null);
    try {
      await expect(
        provisionRedisServer({
          cacheDir: join(tmp, 'src-404-cache'),
          log: noLog,
          method: 'source',
          sourceUrl: url,
        }),
      ).rejects.toThrow(
        /downloading http:\/\/127\.0\.0\.1:\d+\/redis-stable\.tar\.gz failed \(HTTP 404\)\. Install it/,
      );
    } finally {
      close();
    }
  });
});
