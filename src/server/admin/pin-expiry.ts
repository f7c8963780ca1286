// Pins with an end time must leave cached feeds when they expire. Rendered feeds are cached per
// section version, so something has to bump the version: this check runs before feed requests and
// looks at each section's next pin expiry at most every few seconds (one small Redis read), then
// drops due pins and bumps the version. Renders also skip expired pins on their own.
import type { MiddlewareHandler } from 'hono';
import type { Store } from '../../store/index.ts';

const RECHECK_MS = 5_000;

export type PinExpiryCheck = MiddlewareHandler & {
  /** True when the section's pin check is fresh and no pin is due: nothing to do before serving. */
  settled(sectionId: string, nowMs: number): boolean;
};

export function pinExpiryCheck(
  store: Store,
  sectionIds: readonly string[],
  now: () => Date,
): PinExpiryCheck {
  const curation = store.curation;
  const known = new Set(sectionIds);
  const memo = new Map<string, { checkedAt: number; next: number | null }>();

  const check = async (sectionId: string) => {
    const t = now().getTime();
    let m = memo.get(sectionId);
    if (!m || t - m.checkedAt >= RECHECK_MS) {
      m = { checkedAt: t, next: await curation.nextPinExpiry(sectionId) };
      memo.set(sectionId, m);
    }
    if (m.next !== null && m.next <= t) {
      if ((await curation.expirePins(sectionId, t)) > 0) await store.sections.bump([sectionId]);
      memo.delete(sectionId);
    }
  };

  const middleware: MiddlewareHandler = async (c, next) => {
    const m = /^\/feeds\/([a-z0-9-]+)[./]/.exec(c.req.path);
    if (m && known.has(m[1]!)) await check(m[1]!).catch(() => undefined);
    await next();
  };
  return Object.assign(middleware, {
    settled(sectionId: string, nowMs: number) {
      const m = memo.get(sectionId);
      return (
        m !== undefined && nowMs - m.checkedAt < RECHECK_MS && (m.next === null || m.next > nowMs)
      );
    },
  });
}
