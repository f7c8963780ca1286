// Per-test isolation on the shared test Redis: every caller gets a unique key prefix.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

export function testRedisUrl(): string {
  return inject('redisUrl');
}

export function uniquePrefix(name = 't'): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}
