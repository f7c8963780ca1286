import { describe, it, expect } from 'vitest';
import { retentionEveryMs, RETENTION_MAX_EVERY_MS, RETENTION_MIN_EVERY_MS } from './retention.ts';

describe('retentionEveryMs', () => {
  it('sweeps every tenth of maxAge, so the indexes overshoot retention by ~10 % at most', () => {
    expect(retentionEveryMs(2 * 60_000)).toBe(12_000);
    expect(retentionEveryMs(60 * 60_000)).toBe(6 * 60_000);
  });
  it('keeps the 10-min pause for long maxAge (the default 30 d)', () => {
    expect(retentionEveryMs(30 * 86_400_000)).toBe(RETENTION_MAX_EVERY_MS);
    expect(RETENTION_MAX_EVERY_MS).toBe(10 * 60_000);
  });
  it('never sweeps more often than every 5 s', () => {
    expect(retentionEveryMs(1_000)).toBe(RETENTION_MIN_EVERY_MS);
    expect(retentionEveryMs(0)).toBe(RETENTION_MIN_EVERY_MS);
  });
});
