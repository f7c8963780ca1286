// What Redis says about itself for the health page: memory in use, its peak, the limit and the
// eviction policy (INFO memory). On Cluster, the masters' figures are added up.
import { Cluster } from 'ioredis';
import type { RedisClient } from './client.ts';

export interface RedisMemory {
  usedBytes: number;
  peakBytes: number;
  /** maxmemory, or null when unlimited (0). */
  maxBytes: number | null;
  policy: string;
}

const field = (info: string, name: string) =>
  new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';

export async function redisMemory(redis: RedisClient): Promise<RedisMemory> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const infos = await Promise.all(nodes.map((n) => n.info('memory')));
  const sum = (name: string) => infos.reduce((t, i) => t + (Number(field(i, name)) || 0), 0);
  const max = sum('maxmemory');
  return {
    usedBytes: sum('used_memory'),
    peakBytes: sum('used_memory_peak'),
    maxBytes: max > 0 ? max : null,
    policy: field(infos[0] ?? '', 'maxmemory_policy') || 'unknown',
  };
}
