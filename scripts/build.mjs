// `npm run build` (and `prepare`, so `npm ci` / `npm install` build too): compiles src/ and
// workers/ to dist/ with tsc (tsconfig.build.json: `.ts` import specifiers rewritten to `.js`),
// then copies what the code reads at run time next to its module: the store's `.lua` scripts.
// Production runs dist/ (bin/tributary.mjs); tsx is for tests, bench and `npm run dev` only.
// `--if-stale`: only when dist/ is missing or older than a source (tests and the bench use it,
// since they spawn bin/tributary.mjs and must run what users run).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const say = (msg) => process.stderr.write(`[build] ${msg}\n`);

/** Newest mtime of the build's inputs (sources, run-time assets, build config). */
function newestInput(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestInput(p));
    else if (/\.(tsx?|lua)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--if-stale')) {
  const marker = join(dist, 'src', 'cli.js');
  const inputs = Math.max(
    newestInput(join(root, 'src')),
    newestInput(join(root, 'workers')),
    statSync(join(root, 'tsconfig.build.json')).mtimeMs,
  );
  if (existsSync(marker) && statSync(marker).mtimeMs >= inputs) process.exit(0);
  say('dist/ is missing or older than the sources: building');
}

let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  // `npm ci --omit=dev` runs `prepare` without the compiler: fine when dist/ was built before.
  if (existsSync(join(dist, 'src', 'cli.js'))) {
    say('typescript is not installed (production install): keeping the existing dist/');
    process.exit(0);
  }
  say(
    'typescript is not installed and there is no dist/: run `npm ci` (with dev dependencies) once',
  );
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
const t0 = Date.now();
const res = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  cwd: root,
  stdio: 'inherit',
});
if (res.status !== 0) process.exit(res.status ?? 1);

/** Files read at run time, copied from src/ to the same place under dist/src/. */
const RUNTIME_ASSETS = /\.lua$/;
let copied = 0;
const copyAssets = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) copyAssets(p);
    else if (RUNTIME_ASSETS.test(e.name)) {
      cpSync(p, join(dist, relative(root, p)));
      copied++;
    }
  }
};
copyAssets(join(root, 'src'));
say(`dist/ built in ${Date.now() - t0} ms (${copied} run-time assets copied)`);
