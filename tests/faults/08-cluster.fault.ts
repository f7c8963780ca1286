// Fault 8: fault 7's flow against a local 3-master Redis Cluster (tests/helpers/redis-cluster.ts),
// REDIS_URL=redis+cluster://…; BullMQ queues live under the hash-tagged prefix from store/keys.ts.
// It always runs: the cluster helper is part of the repository (a missing redis-cli fails it).
import { describe, it, expect } from 'vitest';
import { SHORT, figure } from './harness.ts';
import { runSharedWork } from './shared-work.ts';
import { startRedisCluster } from '../helpers/redis-cluster.ts';

describe('fault 8: Redis Cluster', () => {
  it('two workers + one server on a 3-master cluster: shared, duplicates 0', async () => {
    const cluster = await startRedisCluster({ masters: 3 });
    try {
      const r = await runSharedWork(cluster.url, SHORT ? 50 : 200);
      figure(
        `fault 8: Redis Cluster (3 masters), ${SHORT ? 50 : 200} feeds — jobs per worker ${r.perWorker.join(' / ')}, lost ${r.lost}, duplicated ${r.duplicated}, half-written ${r.halfWritten} (stored ${r.stored}/${r.expected} in ${r.seconds.toFixed(1)} s)`,
      );
      expect(r.perWorker.every((n) => n > 0)).toBe(true);
      expect(r.lost).toBe(0);
      expect(r.duplicated).toBe(0);
      expect(r.halfWritten).toBe(0);
    } finally {
      await cluster.stop();
    }
  });
});
