import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startFixtureServer } from './demo-server.ts';

const DEMO = join(import.meta.dirname, '..', '..', 'demo');

describe('demo fixture server', () => {
  it('serves on the port asked for, so stored links survive a restart, and falls back to a free one when it is taken', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const a = await startFixtureServer(DEMO, { port, fallbackToFree: true });
    expect(a.port).toBe(port);
    await a.close();
    // Restarted: the same port again.
    const b = await startFixtureServer(DEMO, { port, fallbackToFree: true });
    expect(b.port).toBe(port);
    // Taken (b holds it): a free port instead, or an error without the fallback.
    const c = await startFixtureServer(DEMO, { port, fallbackToFree: true });
    expect(c.port).not.toBe(port);
    await expect(startFixtureServer(DEMO, { port })).rejects.toThrow(/EADDRINUSE/);
    await Promise.all([b.close(), c.close()]);
  });
});
