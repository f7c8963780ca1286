import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LabelHistogram } from './label-histogram.ts';

/** Samples of a text exposition as "name{sorted labels}" → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable sample: ${line}`);
    const labels = (m[2] ?? '').match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
    out.set(`${m[1]}{${labels.sort().join(',')}}`, Number(m[3]));
  }
  return out;
}

describe('LabelHistogram', () => {
  it('renders the same samples as prom-client for the same observations', async () => {
    const bounds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
    const ours = new LabelHistogram(
      't_http_seconds',
      'HTTP',
      ['route', 'method', 'status'],
      bounds,
    );
    const registry = new Registry();
    const theirs = new Histogram({
      name: 't_http_seconds',
      help: 'HTTP',
      labelNames: ['route', 'method', 'status'],
      buckets: bounds,
      registers: [registry],
    });
    const obs: [string, string, string, number][] = [
      ['/feeds/:file', 'GET', '304', 0.0004],
      ['/feeds/:file', 'GET', '304', 0.001], // on a bound: counted in that bucket (le)
      ['/feeds/:file', 'GET', '200', 0.03],
      ['/feeds/:file', 'HEAD', '200', 2.5], // above every bound: only +Inf
      ['/a "quoted"\\route\n', 'POST', '400', 0.2],
    ];
    for (const [route, method, status, v] of obs) {
      ours.observe([route, method, status], v);
      theirs.observe({ route, method, status }, v);
    }
    const mine = ours.render();
    expect(mine).toMatch(/^# TYPE t_http_seconds histogram$/m);
    expect(samples(mine)).toEqual(samples(await registry.metrics()));
  });
});
