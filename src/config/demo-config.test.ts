// The offline demo's promise (config/demo.yaml, README "Demo (offline)"): nothing reaches the
// internet. Two bundled real-world feeds advertise a public WebSub hub; subscribing to it would
// send requests to the internet (and a hub there could never reach our loopback callback).
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from './load.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function advertisedHubs(): string[] {
  const dir = join(ROOT, 'demo', 'feeds');
  const hubs: string[] = [];
  for (const f of readdirSync(dir)) {
    const text = readFileSync(join(dir, f), 'latin1');
    for (const m of text.matchAll(/<(?:[\w-]+:)?link\b[^>]*>/g)) {
      if (!/\brel=["']hub["']/.test(m[0])) continue;
      const href = /\bhref=["']([^"']+)["']/.exec(m[0])?.[1];
      if (href) hubs.push(href);
    }
  }
  return hubs;
}

describe('config/demo.yaml', () => {
  it('never subscribes to a WebSub hub on the internet that a bundled feed advertises', () => {
    const external = advertisedHubs().filter((h) => !/^https?:\/\/127\.0\.0\.1[:/]/.test(h));
    expect(external.length).toBeGreaterThan(0); // the case this test is about
    const cfg = loadConfigFile(join(ROOT, 'config', 'demo.yaml'), { DEMO_PORT: '8079' });
    const subscribes = cfg.sources.filter((s) => cfg.push.subscribe && s.push !== false);
    expect(subscribes.map((s) => s.id)).toEqual([]);
  });
});
