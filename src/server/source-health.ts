// One source's health as the HTTP API reports it (/api/sources and the admin API).
import type { SourceConfig, SourceState } from '../domain/types.ts';

export function sourceHealth(s: SourceConfig, st: SourceState) {
  return {
    status: st.status,
    healthy: st.healthy,
    pollingUrl: st.url || s.url,
    movedFrom: st.movedFrom,
    lastFetch: st.lastFetch,
    lastSuccess: st.lastSuccess,
    lastError: st.lastError,
    lastErrorKind: st.lastErrorKind,
    consecutiveFailures: st.consecutiveFailures,
    nextPoll: st.nextPoll,
    undatedItems: st.undatedItems,
    undatedNote: st.undatedItems
      ? `${st.undatedItems} item(s) in the last fetch carry a date Tributary cannot read; they are dated by when it first saw them`
      : null,
    articleCount: st.articleCount,
    lastNewItems: st.lastNewItems,
    duplicateGuids: st.duplicateGuids ?? 0,
    skippedTooOld: st.skippedTooOld ?? 0,
    /** The feed needed repairs to be read (mismatched tags, an entity bomb, …): entries may be missing. */
    warnings: (st.repairs ?? []).map((r) => `repaired ${r}`),
  };
}
