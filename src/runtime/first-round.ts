// After start, one summary line once every source has been polled: how many could not be
// reached, with a hint when none could (offline first run: "no network? try `npm run demo`").
import type { IngestReport } from '../domain/types.ts';

/** Error kinds that mean "could not reach the publisher" (DNS, refused, timed out). */
const UNREACHABLE = new Set(['network', 'timeout']);

export interface FirstRound {
  observe(report: IngestReport): void;
}

/**
 * Watches the first poll of each of `sourceIds` and calls `say` once with a summary when all
 * have reported: nothing when every source was reached; otherwise "N of M sources unreachable"
 * (+ the offline hint when N = M, + where to look otherwise).
 */
export function watchFirstRound(
  sourceIds: readonly string[],
  say: (level: 'info' | 'warn', message: string) => void,
): FirstRound {
  // Said on the next turn: after the last source's own poll line, which is logged after the report.
  const say_ = say;
  say = (level, message) => void setImmediate(() => say_(level, message));
  const pending = new Set(sourceIds);
  const unreachable: string[] = [];
  let failed = 0;
  let skipped = 0;
  return {
    observe(r) {
      if (!pending.delete(r.sourceId)) return;
      // A paused source reports 'skipped': it is not part of the round.
      if (r.outcome === 'skipped') skipped++;
      else if (r.error) {
        failed++;
        if (UNREACHABLE.has(r.error.kind)) unreachable.push(r.sourceId);
      }
      if (pending.size > 0) return;
      const total = sourceIds.length - skipped;
      if (total === 0) return;
      if (unreachable.length === total) {
        say(
          'warn',
          `${total} of ${total} sources unreachable: no network? try \`npm run demo\` (bundled feeds, works offline); per-source errors at /status`,
        );
      } else if (failed > 0) {
        say(
          'warn',
          `first poll done: ${total - failed} of ${total} sources ok, ${failed} failed${unreachable.length ? ` (${unreachable.length} unreachable)` : ''}; details at /status`,
        );
      } else say('info', `first poll done: all ${total} sources ok`);
    },
  };
}
