// Tests that spawn the CLI (tests/e2e, tests/faults) run what users run: bin/tributary.mjs, the
// built dist/. Before a run, dist/ is rebuilt when any source or run-time asset is newer than it
// (once, in the global setup, so test files never race on it).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export function ensureBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
