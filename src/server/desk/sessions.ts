// Desk sessions: the signed cookie of ../session.ts (Path=/desk), valid only while its session id
// is also listed in Redis (store/desk-sessions.ts). Logging out removes the id, so a copy of the
// cookie is refused from then on; "log out everywhere" removes every id. The cookie's signing
// key is derived from ADMIN_TOKEN, so a new token refuses every earlier cookie as well.
import type { Context } from 'hono';
import type { ServerDeps } from '../deps.ts';
import { createSessions } from '../session.ts';
import type { Session } from '../session.ts';

export function createDeskSessions(
  deps: Pick<ServerDeps, 'store' | 'now'>,
  opts: { token: string; secure: boolean },
) {
  const signed = createSessions({ secret: opts.token, secure: opts.secure, path: '/desk' });
  const store = deps.store.deskSessions;
  const now = () => deps.now().getTime();
  // One Redis look-up per request, however many times a request asks.
  const checked = new WeakMap<Context, Promise<Session | null>>();
  return {
    /** The request's session: a valid signed cookie whose id is still listed; else null. */
    read(c: Context): Promise<Session | null> {
      let p = checked.get(c);
      if (!p) {
        const s = signed.read(c);
        p = s?.sid
          ? store.valid(s.sid, now()).then((ok) => (ok ? s : null))
          : Promise.resolve(null);
        checked.set(c, p);
      }
      return p;
    },
    async start(c: Context): Promise<Session> {
      const s = signed.start(c, 'desk');
      await store.add(s.sid, s.exp, now());
      return s;
    },
    /** Ends this request's session (its id is removed, the cookie cleared). */
    async end(c: Context): Promise<void> {
      const s = signed.read(c);
      if (s?.sid) await store.remove(s.sid);
      signed.end(c);
    },
    /** Ends every desk session, this one included; returns how many were active. */
    async endAll(c: Context): Promise<number> {
      const n = await store.removeAll(now());
      signed.end(c);
      return n;
    },
    active: () => store.active(now()),
  };
}

export type DeskSessions = ReturnType<typeof createDeskSessions>;
