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

export async function load(
  url: string,
  o: { connections: number; durationS: number; headers?: Record<string, string>; expect: number },
): Promise<LoadResult> {
  const r = await autocannon({
    url,
    connections: o.connections,
    duration: o.durationS,
    headers: o.headers,
  });
  const statuses = Object.fromEntries(
    Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]),
  );
  const unexpected = Object.keys(statuses).filter((s) => Number(s) !== o.expect);
  if (unexpected.length > 0 || r.errors > 0) {
    throw new Error(
      `bench: ${url} ${JSON.stringify(o.headers ?? {})}: expected only ${o.expect}, got ${JSON.stringify(statuses)}, ${r.errors} errors`,
    );
  }
  return {
    reqPerSec: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    statuses,
    errors: r.errors,
  };
}

/** Two runs of equal duration as one: mean rate, mean percentiles, summed status counts. */
export function mergeLoads(a: LoadResult, b: LoadResult): LoadResult {
  const statuses: Record<string, number> = { ...a.statuses };
  for (const [k, v] of Object.entries(b.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    reqPerSec: (a.reqPerSec + b.reqPerSec) / 2,
    p50Ms: (a.p50Ms + b.p50Ms) / 2,
    p99Ms: (a.p99Ms + b.p99Ms) / 2,
    statuses,
    errors: a.errors + b.errors,
  };
}
