// One source's health as the HTTP API reports it (/api/sources and the admin API). `healthy` is
// false at once for a permanent error (404/410, not a feed, blocked address) and after
// fetch.unhealthyAfter consecutive failures for a transient one (see store/sources.ts).
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
    lastErrorPermanent: st.lastErrorPermanent,
    consecutiveFailures: st.consecutiveFailures,
    nextPoll: st.nextPoll,
    undatedItems: st.undatedItems,
    undatedNote: st.undatedItems
      ? `${st.undatedItems} item(s) in the last fetch carry a date Tributary cannot read; they are dated by when it first saw them`
      : null,
    articleCount: st.articleCount,
    lastNewItems: st.lastNewItems,
    duplicateGuids: st.duplicateGuids ?? 0,
    skippedTooOld: st.skippedTooOld,
    /** The feed needed repairs to be read (mismatched tags, an entity bomb, …): entries may be missing. */
    warnings: (st.repairs ?? []).map((r) => `repaired ${r}`),
    /** Why full-text pages of the last poll that tried some left items as the feed gave them. */
    fullTextNote: st.fullTextNote ?? null,
  };
}

/** Counts of what the rows say, so a summary can never disagree with them. */
export function healthSummary(
  rows: readonly { status: string; healthy: boolean; lastFetch: string | null }[],
) {
  return {
    total: rows.length,
    unhealthy: rows.filter((r) => !r.healthy).length,
    failing: rows.filter((r) => r.status === 'error').length,
    neverFetched: rows.filter((r) => !r.lastFetch).length,
  };
}
