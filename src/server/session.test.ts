import { describe, it, expect } from 'vitest';
import { createSessions } from './session.ts';

describe('signed sessions', () => {
  it('accepts its own cookie until it expires, and refuses forged, tampered or re-keyed ones', () => {
    let t = 1_000_000;
    const s = createSessions({ secret: 'token-a', secure: false, ttlMs: 60_000, now: () => t });
    const v = s.encode({ sub: 'admin', exp: t + 60_000, sid: 'sid-1' });
    expect(v).not.toContain('token-a');
    expect(s.decode(v)).toEqual({ sub: 'admin', exp: t + 60_000, sid: 'sid-1' });
    const [payload, sig] = v.split('.') as [string, string];
    const longer = Buffer.from(JSON.stringify({ sub: 'admin', exp: t + 1e12 })).toString(
      'base64url',
    );
    expect(s.decode(`${longer}.${sig}`)).toBeNull();
    expect(s.decode(`${payload}.${sig.slice(1)}`)).toBeNull();
    expect(s.decode('token-a')).toBeNull();
    expect(s.decode('')).toBeNull();
    // Another ADMIN_TOKEN, another key: old sessions end.
    const other = createSessions({ secret: 'token-b', secure: false, now: () => t });
    expect(other.decode(v)).toBeNull();
    t += 60_000;
    expect(s.decode(v)).toBeNull();
  });
});
