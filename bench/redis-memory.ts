// Redis memory figures: INFO used_memory, and where it goes, key family by key family
// (SCAN + MEMORY USAGE over one prefix), so a miss of the bytes-per-article target can be traced.
import type { Redis } from 'ioredis';

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

/** Total commands processed and CPU seconds used by the server so far (INFO stats / cpu). */
export interface RedisWork {
  commands: number;
  cpuS: number;
  /** Calls per command name (INFO commandstats; commands run inside Lua scripts count too). */
  byCommand: Record<string, number>;
}

export async function redisWork(redis: Redis): Promise<RedisWork> {
  const info = await redis.info('everything');
  const num = (name: string) =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  const byCommand: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) byCommand[m[1]!] = Number(m[2]);
  return {
    commands: num('total_commands_processed'),
    cpuS: num('used_cpu_user') + num('used_cpu_sys'),
    byCommand,
  };
}

/** Calls per article of the busiest commands between two readings. */
export function topCommands(
  before: RedisWork,
  after: RedisWork,
  articles: number,
  top = 8,
): { name: string; perArticle: number }[] {
  return Object.entries(after.byCommand)
    .map(([name, calls]) => ({
      name,
      perArticle: (calls - (before.byCommand[name] ?? 0)) / articles,
    }))
    .sort((a, b) => b.perArticle - a.perArticle)
    .slice(0, top);
}

export interface FamilyUsage {
  family: string;
  keys: number;
  bytes: number;
}

/** `trib:art:{id}` -> art; `{trib:q}:poll:123` -> bullmq job; `{trib:q}:poll:events` -> bullmq events. */
export function keyFamily(key: string, prefix: string): string {
  const q = `{${prefix}:q}:`;
  if (key.startsWith(q)) {
    const rest = key.slice(q.length).split(':');
    const part = rest[1] ?? '';
    if (/^\d+$/.test(part) || part.startsWith('repeat'))
      return `bullmq ${rest.length > 2 ? rest.slice(2).join(':') || 'job' : 'job'}`;
    return `bullmq ${part}`;
  }
  const rest = key.slice(prefix.length + 1);
  const m = /^([a-z]+)(?::\{[^}]*\}(:[a-z]+)?)?/.exec(rest);
  return m ? `${m[1]}${m[2] ?? ''}` : rest;
}

/** `samples`: MEMORY USAGE's SAMPLES (0 = every element; the soak samples 5 to stay cheap). */
export async function memoryByFamily(
  redis: Redis,
  prefix: string,
  samples = 0,
): Promise<FamilyUsage[]> {
  const families = new Map<string, FamilyUsage>();
  for (const match of [`${prefix}:*`, `{${prefix}:q}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 2000);
      cursor = next;
      if (keys.length === 0) continue;
      const pipe = redis.pipeline();
      for (const k of keys) pipe.memory('USAGE', k, 'SAMPLES', String(samples));
      const res = (await pipe.exec()) ?? [];
      keys.forEach((k, i) => {
        const fam = keyFamily(k, prefix);
        const f = families.get(fam) ?? { family: fam, keys: 0, bytes: 0 };
        f.keys++;
        f.bytes += Number(res[i]?.[1] ?? 0);
        families.set(fam, f);
      });
    } while (cursor !== '0');
  }
  return [...families.values()].sort((a, b) => b.bytes - a.bytes);
}

/**
 * Memory the per-key MEMORY USAGE figures leave out (bytes, whole server): the main key table's
 * and the expiry table's bucket arrays and the expiry entries (`overhead.hashtable.*` of MEMORY
 * STATS), client buffers, scripts, the AOF buffer.
 */
export async function memoryOverhead(redis: Redis): Promise<Record<string, number>> {
  const stats = (await redis.call('MEMORY', 'STATS')) as unknown[];
  const out: Record<string, number> = {};
  const db = stats[stats.indexOf('db.0') + 1];
  if (Array.isArray(db)) {
    for (let i = 0; i + 1 < db.length; i += 2)
      out[`key table ${String(db[i])}`] = Number(db[i + 1]);
  }
  const info = await redis.info('memory');
  for (const f of ['mem_clients_normal', 'mem_aof_buffer', 'used_memory_scripts']) {
    const m = new RegExp(`^${f}:(\\d+)`, 'm').exec(info);
    if (m) out[f] = Number(m[1]);
  }
  return out;
}
