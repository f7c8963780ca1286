// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): top functions and files by self time.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  startTime: number;
  endTime: number;
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
  /** Inclusive time (self + callees on the same stack) of the pipeline's entry points. */
  stages: ProfileRow[];
  /**
   * Self time by stage: every sample counts once, for the innermost pipeline step on its stack
   * (`STAGE_OF`); a sample under none of them counts for its package or the garbage collector.
   */
  exclusive: ProfileRow[];
}

/** Pipeline steps whose inclusive time the summary shows (async continuations count too). */
export const STAGES = [
  'parseFeed',
  'normalizeFeed',
  'sanitizeWithImages',
  'detectLangOrNull',
  'htmlToText',
  'tag',
  'fingerprintArticle',
  'persistArticle',
  'encodeArticle',
  'decodeArticle',
  'sendCommand',
  'processPoll',
];

/** Function -> stage it belongs to, for the exclusive view; the innermost one on a stack wins. */
export const STAGE_OF: Record<string, string> = {
  fetchForSource: 'fetch',
  decodeFeedBytes: 'fetch: decode bytes',
  parseFeed: 'parse',
  changedItems: 'unchanged check (level 0)',
  normalizeFeedItems: 'normalize: other',
  sanitizeWithImages: 'normalize: sanitize',
  htmlToText: 'normalize: html to text',
  detectLang: 'normalize: language',
  detectLangOrNull: 'normalize: language',
  readItemDates: 'normalize: dates',
  contentHash: 'normalize: content hash',
  articleTokens: 'tokenize',
  tag: 'tag',
  fingerprintArticle: 'fingerprint',
  classifyArticle: 'store: classify',
  sectionsFor: 'store: section filters',
  encodeArticle: 'store: encode article',
  decodeArticle: 'store: decode article',
  indexArticles: 'store: index',
  sendCommand: 'redis: send',
  recordSuccess: 'bookkeeping',
  planPoll: 'bookkeeping',
};

const IDLE = new Set(['(idle)', '(program)']);

function shortUrl(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  if (!path) return '';
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel.replace(/^node_modules\//, 'nm/');
}

/** Monotonic clock in µs: the clock V8 stamps profile samples with (CLOCK_MONOTONIC on Linux). */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Top functions and files by self time. With `window` (monotonic µs, see monotonicUs), only
 * samples taken inside it count — e.g. the ingest, without start-up and module loading.
 */
export function summarizeProfile(
  file: string,
  root: string,
  top = 15,
  window?: { fromUs: number; toUs: number },
): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = p.startTime;
  p.samples.forEach((id, i) => {
    const d = p.timeDeltas[i] ?? 0;
    at += d;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + d);
  });
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageUs = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const fn = byId.get(cur)!.callFrame.functionName;
      if (STAGES.includes(fn) && !seen.has(fn)) {
        seen.add(fn);
        stageUs.set(fn, (stageUs.get(fn) ?? 0) + us);
      }
    }
  }
  const exclusiveUs = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    if (IDLE.has(n.callFrame.functionName)) continue;
    let stage: string | undefined;
    for (let cur: number | undefined = id; cur !== undefined && !stage; cur = parent.get(cur))
      stage = STAGE_OF[byId.get(cur)!.callFrame.functionName];
    if (!stage) {
      const where = shortUrl(n.callFrame.url, root);
      const pkg = /^nm\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1];
      stage = pkg
        ? `(outside stages) ${pkg}`
        : n.callFrame.functionName === '(garbage collector)'
          ? '(garbage collector)'
          : where.startsWith('dist/') || where.startsWith('src/')
            ? '(outside stages) our code'
            : '(outside stages) node and V8';
    }
    exclusiveUs.set(stage, (exclusiveUs.get(stage) ?? 0) + us);
  }
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
  return {
    file,
    busyMs: busy / 1000,
    functions: rows(fns),
    files: rows(files),
    stages: rows(stageUs),
    exclusive: [...exclusiveUs.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: us / busy })),
  };
}

/**
 * Main-thread profiles in `dir` (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile, thread 0);
 * every thread's with `allThreads` (the single-process service's ingest thread writes its own).
 */
export function profilesIn(dir: string, allThreads = false): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => (allThreads ? /\.cpuprofile$/ : /\.\d+\.0\.\d+\.cpuprofile$/).test(f))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** The thread a profile file is of (0 = main), from its name. */
export const profileThread = (file: string) =>
  Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1] ?? NaN);

export function formatProfile(
  s: ProfileSummary,
  title = 'CPU profile of the worker during the 1-worker ingest',
): string {
  const line = (r: ProfileRow) =>
    `  ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.selfMs.toFixed(0).padStart(7)} ms  ${r.name}`;
  return [
    `${title} (${s.file}): busy ${(s.busyMs / 1000).toFixed(1)} s; top functions by self time:`,
    ...s.functions.map(line),
    'by file / package:',
    ...s.files.map(line),
    'inclusive time of pipeline steps (a step nested in another counts in both):',
    ...s.stages.map(line),
    'self time by stage (each sample once, for the innermost step on its stack):',
    ...s.exclusive.map(line),
  ].join('\n');
}
