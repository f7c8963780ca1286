// Where Redis memory goes, sample by sample: INFO memory's breakdown (dataset, overhead, scripts,
// client and AOF buffers, …), MEMORY STATS' per-db hash-table overhead, the connected clients'
// buffers, and per-key-family bytes (bench/redis-memory.ts), so a soak's growth names its culprit.
import type { Redis } from 'ioredis';
import { memoryByFamily } from '../../bench/redis-memory.ts';

/** One reading: component name -> bytes (or a count, for names ending in `#`). */
export type MemorySample = Record<string, number>;

const INFO_FIELDS = [
  'used_memory',
  'used_memory_startup',
  'used_memory_dataset',
  'used_memory_overhead',
  'used_memory_scripts',
  'used_memory_vm_eval',
  'used_memory_vm_functions',
  'mem_clients_normal',
  'mem_clients_slaves',
  'mem_aof_buffer',
  'mem_replication_backlog',
  'mem_not_counted_for_evict',
  'number_of_cached_scripts',
  'used_memory_rss',
  'allocator_allocated',
] as const;

/** Flattens MEMORY STATS (nested arrays of name/value pairs) into `stats.<name>` entries. */
function flattenStats(reply: unknown, into: MemorySample, path: string): void {
  if (!Array.isArray(reply)) return;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const name = `${path}${String(reply[i])}`;
    const v = reply[i + 1];
    if (Array.isArray(v)) flattenStats(v, into, `${name}.`);
    else if (v !== null && !Number.isNaN(Number(v))) into[name] = Number(v);
  }
}

export async function sampleRedisMemory(
  admin: Redis,
  prefix: string,
  extra: { streams?: string[] } = {},
): Promise<MemorySample> {
  const out: MemorySample = {};
  const info = await admin.info('memory');
  for (const f of INFO_FIELDS) {
    const m = new RegExp(`^${f}:(\\d+)`, 'm').exec(info);
    if (m) out[f === 'number_of_cached_scripts' ? `${f}#` : f] = Number(m[1]);
  }
  const stats: MemorySample = {};
  flattenStats(await admin.call('MEMORY', 'STATS'), stats, 'stats.');
  for (const k of [
    'stats.db.0.overhead.hashtable.main',
    'stats.db.0.overhead.hashtable.expires',
    'stats.keys.count',
  ]) {
    if (k in stats) out[k.endsWith('count') ? `${k}#` : k] = stats[k]!;
  }
  // Client buffers by client name (BullMQ names its connections), tot-mem summed.
  const clients = String(await admin.call('CLIENT', 'LIST'));
  for (const line of clients.split('\n')) {
    const name = /\bname=(\S*)/.exec(line)?.[1] || '(unnamed)';
    const tot = Number(/\btot-mem=(\d+)/.exec(line)?.[1] ?? 0);
    const key = `client ${name.replace(/:[0-9a-f-]{20,}$/i, '').slice(0, 40)}`;
    out[key] = (out[key] ?? 0) + tot;
  }
  for (const f of await memoryByFamily(admin, prefix)) {
    // keyFamily names each scheduler-made job hash (`…:repeat:poll:s1:<ms>`) by its own id: fold them.
    const fam = /^bullmq poll:[^:]+:\d+$/.test(f.family) ? 'bullmq scheduled job' : f.family;
    out[`fam ${fam}`] = (out[`fam ${fam}`] ?? 0) + f.bytes;
    out[`fam ${fam}#`] = (out[`fam ${fam}#`] ?? 0) + f.keys;
  }
  for (const s of extra.streams ?? [])
    out[`xlen ${s}#`] = Number(await admin.xlen(s).catch(() => 0));
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Compact table of how each component moved from `head` to `tail` (biggest byte moves first). */
export function memoryMoves(head: MemorySample[], tail: MemorySample[], top = 18): string {
  const names = new Set([...head, ...tail].flatMap((s) => Object.keys(s)));
  const rows = [...names].map((n) => {
    const h = mean(head.map((s) => s[n] ?? 0));
    const t = mean(tail.map((s) => s[n] ?? 0));
    return { n, h, t, d: t - h };
  });
  const bytes = rows
    .filter((r) => !r.n.endsWith('#'))
    .sort((a, b) => Math.abs(b.d) - Math.abs(a.d))
    .slice(0, top);
  const counts = rows
    .filter((r) => r.n.endsWith('#') && r.d !== 0)
    .sort((a, b) => Math.abs(b.d) - Math.abs(a.d))
    .slice(0, 10);
  const kb = (x: number) => (x / 1024).toFixed(0);
  const pct = (r: { h: number; d: number }) => (r.h ? `${((r.d / r.h) * 100).toFixed(1)}%` : 'new');
  return [
    '  memory moves head→tail (KB, Δ KB, %):',
    ...bytes.map(
      (r) =>
        `    ${r.n.padEnd(44)} ${kb(r.h).padStart(7)} → ${kb(r.t).padStart(7)}  Δ ${kb(r.d).padStart(6)}  ${pct(r)}`,
    ),
    '  count moves head→tail:',
    ...counts.map(
      (r) =>
        `    ${r.n.padEnd(44)} ${r.h.toFixed(0).padStart(7)} → ${r.t.toFixed(0).padStart(7)}  ${pct(r)}`,
    ),
  ].join('\n');
}
