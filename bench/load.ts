// One autocannon run, reduced to what the bench reports.
import autocannon from 'autocannon';

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses by status code; anything unexpected makes the run invalid. */
  statuses: Record<string, number>;
  errors: number;
}

export async function load(url: string, o: { connections: number; durationS: number; headers?: Record<string, string>; expect: number }): Promise<LoadResult> {
  const r = await autocannon({ url, connections: o.connections, duration: o.durationS, headers: o.headers });
  const statuses = Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]));
  const unexpected = Object.keys(statuses).filter((s) => Number(s) !== o.expect);
  if (unexpected.length > 0 || r.errors > 0) {
    throw new Error(`bench: ${url} ${JSON.stringify(o.headers ?? {})}: expected only ${o.expect}, got ${JSON.stringify(statuses)}, ${r.errors} errors`);
  }
  return { reqPerSec: r.requests.total / r.duration, p50Ms: r.latency.p50, p99Ms: r.latency.p99, statuses, errors: r.errors };
}
