// How the `tributary` command ends when a user gets it wrong: a real child process.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

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
