// Tests that spawn the CLI (tests/e2e, tests/faults) run what users run: bin/tributary.mjs, the
// built dist/. Before a run, dist/ is rebuilt when any source or run-time asset is newer than it
// (once, here in the global setup, so test files never race on it).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (/\.(ts|lua)$/.test(e.name) && !e.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export function ensureBuilt(say: (msg: string) => void): void {
  const marker = join(ROOT, 'dist', 'src', 'cli.js');
  const sources = Math.max(
    newestMtime(join(ROOT, 'src')),
    newestMtime(join(ROOT, 'workers')),
    statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs,
  );
  if (existsSync(marker) && statSync(marker).mtimeMs >= sources) return;
  say('dist/ is missing or older than the sources: npm run build');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
