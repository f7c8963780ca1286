#!/usr/bin/env node
// Completes package-lock.json with the platform-specific optional packages (rollup, esbuild,
// msgpackr-extract …) that a partial registry mirror could not resolve when the lock was written.
// npm 11's `npm ci` checks that every optional dependency named by a locked package has a lock
// entry, even for other platforms, and refuses the whole install otherwise. Entries added here
// carry os/cpu, so npm skips them on platforms they are not for. Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const [loc, meta] of Object.entries(pkgs)) {
  for (const [name, spec] of Object.entries(meta.optionalDependencies ?? {})) {
    const candidates = [];
    const base = loc ? `${loc}/node_modules/${name}` : `node_modules/${name}`;
    // npm resolves from the nearest node_modules upwards
    let dir = loc;
    for (;;) {
      candidates.push(dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`);
      if (!dir) break;
      const i = dir.lastIndexOf('/node_modules/');
      dir = i === -1 ? '' : dir.slice(0, i);
    }
    if (candidates.some((c) => pkgs[c])) continue;
    const version = String(spec).replace(/^[\^~=]/, '');
    let info = {};
    try {
      info = JSON.parse(
        execFileSync('npm', ['view', `${name}`, 'os', 'cpu', 'libc', '--json'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }) || '{}',
      );
    } catch {
      /* unknown to the mirror: keep the entry minimal */
    }
    const entry = { version, optional: true };
    if (info.os) entry.os = info.os;
    if (info.cpu) entry.cpu = info.cpu;
    if (info.libc) entry.libc = info.libc;
    if (pkgs[`node_modules/${name}`]) pkgs[base] = entry;
    else pkgs[`node_modules/${name}`] = entry;
    added++;
  }
}
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} optional platform entries`);
