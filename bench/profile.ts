// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): top functions and files by self time.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  functions: ProfileRow[];
  files: ProfileRow[];
}

const IDLE = new Set(['(idle)', '(program)']);

function shortUrl(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  if (!path) return '';
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel.replace(/^node_modules\//, 'nm/');
}

export function summarizeProfile(file: string, root: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const fn = n.callFrame.functionName || '(anonymous)';
    if (IDLE.has(fn)) continue;
    busy += us;
    const where = shortUrl(n.callFrame.url, root);
    const key = where ? `${fn} ${where}:${n.callFrame.lineNumber + 1}` : fn;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const fileKey = where ? where.replace(/^(nm\/(?:@[^/]+\/)?[^/]+)\/.*$/, '$1') : fn;
    files.set(fileKey, (files.get(fileKey) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: us / busy }));
  return { file, busyMs: busy / 1000, functions: rows(fns), files: rows(files) };
}

export function profilesIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export function formatProfile(s: ProfileSummary): string {
  const line = (r: ProfileRow) => `  ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.selfMs.toFixed(0).padStart(7)} ms  ${r.name}`;
  return [
    `CPU profile of the worker (${s.file}), busy ${(s.busyMs / 1000).toFixed(1)} s; top functions by self time:`,
    ...s.functions.map(line),
    'by file / package:',
    ...s.files.map(line),
  ].join('\n');
}
