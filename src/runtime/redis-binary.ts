// Finding a real `redis-server` for the embedded mode, or provisioning one when there is none:
// REDIS_SERVER_BIN, then PATH (and the usual system folders), then a copy we built earlier in
// the cache folder; failing that, apt-get (root on Debian/Ubuntu) or a build from the official
// source tarball into the cache folder (what redis-memory-server does).
import { execFile, spawn } from 'node:child_process';
import { constants, createWriteStream, existsSync } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export const REDIS_SOURCE_URL = 'https://download.redis.io/redis-stable.tar.gz';
/** Folders searched after PATH: where Debian, Homebrew and `make install` put redis-server. */
const WELL_KNOWN_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/bin', '/opt/homebrew/bin'];

const HOW_TO_GET_ONE =
  'Install it with your package manager (Debian/Ubuntu: `apt-get install redis-server`, macOS: ' +
  '`brew install redis`), or set REDIS_SERVER_BIN to a redis-server binary, or set REDIS_URL to ' +
  'use an existing Redis instead of the embedded one.';

export interface FindRedisOptions {
  env: { redisServerBin: string | null };
  cacheDir: string;
  /**
   * PATH to search, `delimiter`-separated. When given, exactly these folders are searched (no
   * well-known extras). When omitted, the process's inherited PATH plus /usr/sbin, /usr/bin,
   * /usr/local/bin are searched.
   */
  path?: string;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The inherited PATH, read through a shell so that this module does not read process.env. */
function inheritedPath(): Promise<string> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', 'printf %s "$PATH"'], { timeout: 5000 }, (err, stdout) => {
      resolve(err ? '' : String(stdout));
    });
  });
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `<cacheDir>/redis-<version>/src/redis-server` built by provisionRedisServer, newest first. */
async function findInCache(cacheDir: string): Promise<string | null> {
  let entries: string[];
  try {
    entries = await readdir(cacheDir);
  } catch {
    return null;
  }
  const versions = entries
    .map((e) => /^redis-(\d+(?:\.\d+)*)$/.exec(e)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => compareVersions(b, a));
  for (const v of versions) {
    const bin = join(cacheDir, `redis-${v}`, 'src', 'redis-server');
    if (await isExecutableFile(bin)) return bin;
  }
  return null;
}

export async function findRedisServer(opts: FindRedisOptions): Promise<string | null> {
  const explicit = opts.env.redisServerBin;
  if (explicit) {
    let st;
    try {
      st = await stat(explicit);
    } catch {
      throw new Error(`REDIS_SERVER_BIN=${explicit}: no such file. ${HOW_TO_GET_ONE}`);
    }
    if (!st.isFile())
      throw new Error(`REDIS_SERVER_BIN=${explicit}: not a file. ${HOW_TO_GET_ONE}`);
    try {
      await access(explicit, constants.X_OK);
    } catch {
      throw new Error(
        `REDIS_SERVER_BIN=${explicit}: not executable (chmod +x it, or point at another). ${HOW_TO_GET_ONE}`,
      );
    }
    return explicit;
  }
  const dirs =
    opts.path !== undefined
      ? opts.path.split(delimiter)
      : [...(await inheritedPath()).split(delimiter), ...WELL_KNOWN_DIRS];
  for (const dir of new Set(dirs.filter((d) => d !== ''))) {
    const bin = join(dir, 'redis-server');
    if (await isExecutableFile(bin)) return bin;
  }
  return findInCache(opts.cacheDir);
}

export function redisServerVersion(bin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['--version'], { timeout: 10_000 }, (err, stdout) => {
      if (err) return reject(new Error(`${bin} --version failed: ${err.message}`));
      const m = /v=(\d+\.\d+\.\d+)/.exec(String(stdout));
      if (!m?.[1])
        return reject(new Error(`${bin} --version: unexpected output: ${String(stdout).trim()}`));
      resolve(m[1]);
    });
  });
}

// ------------------------------------------------------------------ provisioning

/** Runs a command, sending each output line to `onLine`; resolves with exit code and the tail. */
function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; onLine?: (line: string) => void } = {},
): Promise<{ code: number | null; tail: string[] }> {
  return new Promise((resolve) => {
    const tail: string[] = [];
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (() => {
      let buf = '';
      return (b: Buffer) => {
        buf += b.toString();
        const lines = buf.split(/\r?\n/);
        buf = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          tail.push(line);
          if (tail.length > 30) tail.shift();
          opts.onLine?.(line);
        }
      };
    })();
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      tail.push(String(e.message));
      resolve({ code: -1, tail });
    });
    child.on('close', (code) => resolve({ code, tail }));
  });
}

async function which(name: string, path?: string): Promise<string | null> {
  const dirs =
    path !== undefined
      ? path.split(delimiter)
      : [...(await inheritedPath()).split(delimiter), ...WELL_KNOWN_DIRS];
  for (const dir of dirs.filter((d) => d !== '')) {
    if (await isExecutableFile(join(dir, name))) return join(dir, name);
  }
  return null;
}

export class RedisProvisionError extends Error {
  override readonly name = 'RedisProvisionError';
  constructor(step: string, detail: string) {
    super(
      `Could not provision redis-server: ${step} failed${detail ? ` (${detail})` : ''}. ${HOW_TO_GET_ONE}`,
    );
  }
}

function isDebianRoot(): boolean {
  return process.getuid?.() === 0 && existsSync('/etc/debian_version');
}

async function provisionWithApt(aptGet: string, log: (msg: string) => void): Promise<string> {
  // `env` sets DEBIAN_FRONTEND without this module touching process.env.
  const install = () =>
    run(
      '/usr/bin/env',
      [
        'DEBIAN_FRONTEND=noninteractive',
        aptGet,
        'install',
        '-y',
        '--no-install-recommends',
        'redis-server',
      ],
      {
        onLine: (l) => log(`apt-get: ${l}`),
      },
    );
  log('redis-server: installing it with `apt-get install -y redis-server` …');
  let res = await install();
  if (res.code !== 0) {
    const text = res.tail.join('\n');
    if (
      /Unable to locate package|no installation candidate|Failed to fetch|404\s+Not Found/i.test(
        text,
      )
    ) {
      log('redis-server: package lists missing or stale, running `apt-get update` first …');
      const upd = await run('/usr/bin/env', ['DEBIAN_FRONTEND=noninteractive', aptGet, 'update'], {
        onLine: (l) => log(`apt-get: ${l}`),
      });
      if (upd.code !== 0)
        throw new RedisProvisionError('`apt-get update`', upd.tail.slice(-3).join(' | '));
      res = await install();
    }
  }
  if (res.code !== 0)
    throw new RedisProvisionError(
      '`apt-get install -y redis-server`',
      res.tail.slice(-3).join(' | '),
    );
  for (const dir of WELL_KNOWN_DIRS) {
    const bin = join(dir, 'redis-server');
    if (await isExecutableFile(bin)) return bin;
  }
  throw new RedisProvisionError(
    'apt-get install',
    'it succeeded but no redis-server is in /usr/bin or /usr/sbin',
  );
}

async function download(url: string, dest: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(10 * 60_000) });
  } catch (e) {
    throw new RedisProvisionError(
      `downloading ${url}`,
      `${(e as Error).message}${(e as Error).cause ? `: ${String((e as { cause?: unknown }).cause)}` : ''}`,
    );
  }
  if (!res.ok || !res.body)
    throw new RedisProvisionError(`downloading ${url}`, `HTTP ${res.status}`);
  const part = `${dest}.part`;
  try {
    await pipeline(
      Readable.fromWeb(res.body as unknown as WebReadableStream),
      createWriteStream(part),
    );
    await rename(part, dest);
  } catch (e) {
    await rm(part, { force: true });
    throw new RedisProvisionError(`downloading ${url}`, (e as Error).message);
  }
}

async function provisionFromSource(
  cacheDir: string,
  log: (msg: string) => void,
  url: string,
): Promise<string> {
  const missing: string[] = [];
  for (const tool of ['make', 'tar']) if (!(await which(tool))) missing.push(tool);
  if (!(await which('cc')) && !(await which('gcc')) && !(await which('clang')))
    missing.push('a C compiler (cc/gcc/clang)');
  if (missing.length) {
    throw new RedisProvisionError(
      'building from source',
      `missing build tools: ${missing.join(', ')}`,
    );
  }
  await mkdir(cacheDir, { recursive: true });
  const tarball = join(cacheDir, 'redis-stable.tar.gz');
  log(`redis-server: downloading ${url} into ${cacheDir} …`);
  await download(url, tarball);
  const work = join(cacheDir, `build-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const untar = await run('tar', ['-xzf', tarball, '-C', work]);
    if (untar.code !== 0)
      throw new RedisProvisionError(`extracting ${tarball}`, untar.tail.slice(-3).join(' | '));
    const [top] = await readdir(work);
    if (!top) throw new RedisProvisionError(`extracting ${tarball}`, 'the archive is empty');
    const srcDir = join(work, top);
    const versionH = await readFile(join(srcDir, 'src', 'version.h'), 'utf8').catch(() => '');
    const version = /REDIS_VERSION\s+"([\d.]+)"/.exec(versionH)?.[1];
    if (!version)
      throw new RedisProvisionError(
        'reading src/version.h of the tarball',
        'no REDIS_VERSION in it',
      );
    const jobs = String(Math.max(1, Math.min(availableParallelism(), 8)));
    log(
      `redis-server: building Redis ${version} from source (make -j${jobs} MALLOC=libc BUILD_TLS=no); this takes a minute or two …`,
    );
    let lines = 0;
    const made = await run('make', [`-j${jobs}`, 'MALLOC=libc', 'BUILD_TLS=no'], {
      cwd: srcDir,
      onLine: (l) => {
        if (++lines % 50 === 0 || /error/i.test(l)) log(`make: ${l}`);
      },
    });
    if (made.code !== 0)
      throw new RedisProvisionError(`make in ${srcDir}`, made.tail.slice(-5).join(' | '));
    const final = join(cacheDir, `redis-${version}`);
    await rm(final, { recursive: true, force: true });
    await rename(srcDir, final);
    const bin = join(final, 'src', 'redis-server');
    if (!(await isExecutableFile(bin)))
      throw new RedisProvisionError('make', `it finished but ${bin} is missing`);
    await redisServerVersion(bin); // it runs
    log(`redis-server: built ${bin}`);
    return bin;
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(tarball, { force: true });
  }
}

export async function provisionRedisServer(opts: {
  cacheDir: string;
  log: (msg: string) => void;
  /** 'auto' (default): apt-get when root on Debian/Ubuntu, else build from source. */
  method?: 'auto' | 'apt' | 'source';
  /** Source tarball for the build (default REDIS_SOURCE_URL); tests point it at a local server. */
  sourceUrl?: string;
}): Promise<string> {
  const method = opts.method ?? 'auto';
  if (method === 'apt' || (method === 'auto' && isDebianRoot())) {
    const aptGet = await which('apt-get');
    if (aptGet) return provisionWithApt(aptGet, opts.log);
    if (method === 'apt')
      throw new RedisProvisionError('apt-get install redis-server', 'apt-get is not on PATH');
  }
  return provisionFromSource(opts.cacheDir, opts.log, opts.sourceUrl ?? REDIS_SOURCE_URL);
}

export async function ensureRedisServer(opts: {
  env: { redisServerBin: string | null; autoRedis: boolean };
  cacheDir: string;
  log: (msg: string) => void;
  /** See FindRedisOptions.path. */
  path?: string;
}): Promise<string> {
  const found = await findRedisServer(opts);
  if (found) return found;
  if (!opts.env.autoRedis) {
    throw new Error(
      `No redis-server found (looked at REDIS_SERVER_BIN, PATH and ${opts.cacheDir}) and ` +
        `TRIBUTARY_AUTO_REDIS=0 forbids provisioning one. ${HOW_TO_GET_ONE}`,
    );
  }
  opts.log(
    'redis-server: none found (REDIS_SERVER_BIN unset, not on PATH, not in the cache); provisioning one ' +
      '(set TRIBUTARY_AUTO_REDIS=0 to forbid this) …',
  );
  return provisionRedisServer(opts);
}
