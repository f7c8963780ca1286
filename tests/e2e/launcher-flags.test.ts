// README ("Where we went beyond DESIGN.md"): every launcher passes the same V8 flags
// (`--max-semi-space-size=16 --heap-growing-percent=50`), which keep a worker's peak RSS under
// 256 MB. V8 flags only work on the command line, so a launcher that drops them runs with V8's
// defaults unnoticed; this test reads each launcher and fails when one differs.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const FLAGS = ['--max-semi-space-size=16', '--heap-growing-percent=50'];

/** The V8 heap flags a launcher's text carries, in order (comment lines left out). */
const heapFlags = (text: string) =>
  [
    ...text
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\/\*|\*|#(?!!))/.test(line))
      .join('\n')
      .matchAll(/--(?:max-semi-space-size|heap-growing-percent)=\d+/g),
  ].map((m) => m[0]);

describe('launcher flags', () => {
  it('npm scripts, bin shebangs, Dockerfile, compose, bench and fault harness all pass the same heap flags', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    for (const name of ['start', 'demo', 'dev']) expect(heapFlags(scripts[name]!)).toEqual(FLAGS);
    for (const bin of ['bin/tributary.mjs', 'bin/tributary-dev.mjs'])
      expect(heapFlags(read(bin).split('\n')[0]!)).toEqual(FLAGS);
    expect(heapFlags(read('Dockerfile'))).toEqual(FLAGS);
    // Two services in compose (server and worker), each with both flags.
    expect(heapFlags(read('docker-compose.yml'))).toEqual([...FLAGS, ...FLAGS]);
    expect(heapFlags(read('bench/product.ts'))).toEqual(FLAGS);
    expect(heapFlags(read('tests/faults/harness.ts'))).toEqual(FLAGS);
  });
});
