// Every Redis key Tributary uses, and nowhere else. Keys that belong to one article, source,
// section or host carry that id as a hash tag `{…}` so multi-key operations on one of them stay
// in one slot and the store runs on Redis Cluster unchanged.

export type Keys = ReturnType<typeof createKeys>;

export function createKeys(prefix: string) {
  const p = prefix;
  return {
    prefix: p,
    /** Hash: poll counters every worker adds to and every server exports (runtime/metrics.ts). */
    pollMetrics: () => `${p}:metrics:{polls}`,
    /** String: one stored article, its only key (format 4: MinHash signature, small fields —
     *  version, sources, first seen, published, cluster, sections — and the compressed article;
     *  see article-codec.ts). Its TTL is the article's life. */
    article: (articleId: string) => `${p}:art:{${articleId}}:z`,
    /** LEGACY hash: the small fields of an article stored before body format 4 (beside a body of
     *  format 2 or 3 under `article`). Read for such articles only; the first write to one moves
     *  its fields into the string and deletes this hash (same hash tag, same slot). Never written. */
    articleLegacyHash: (articleId: string) => `${p}:art:{${articleId}}`,
    /** Hash: one bucket of canonical-URL claims (level-2 dedupe), 4,096 buckets keyed by the
     *  first 12 bits of the URL's digest (`bucket`: 3 hex chars), each its own hash tag so they
     *  spread over a Cluster's slots. Field = the digest's next 10 bytes, value = the claim's
     *  expiry (4 bytes, seconds) + the holder's packed id, binary; see url-claims.ts. */
    urlClaims: (bucket: string) => `${p}:urlb:{u${bucket}}`,
    /** String: canonical-URL hash -> article id, the older layout of URL claims: no longer
     *  written, read (and moved into its bucket) until the last of them expired with retention. */
    urlIndex: (urlHash: string) => `${p}:url:{${urlHash}}`,
    /** Sorted set: every article id by published time (retention sweeps, retag). */
    allArticles: () => `${p}:arts:{all}`,
    /** Hash: fetch state and health of one source. */
    sourceState: (sourceId: string) => `${p}:src:{${sourceId}}:state`,
    /** Hash: item key -> item hash of the source's last poll (unchanged items are skipped). */
    sourceSeen: (sourceId: string) => `${p}:src:{${sourceId}}:seen`,
    /** Sorted set: article ids of one source by published time. */
    sourceArticles: (sourceId: string) => `${p}:src:{${sourceId}}:arts`,
    /** Hash: sources added at runtime through the admin API or OPML import (id -> JSON). */
    runtimeSources: () => `${p}:sources:{runtime}`,
    /** Sorted set: article (or cluster representative) ids of one section by published time. */
    sectionItems: (sectionId: string) => `${p}:sec:{${sectionId}}:items`,
    /** Pub/sub channel: "<section> <version>" on every version bump (servers cache versions). */
    sectionVersionChannel: () => `${p}:sec-versions`,
    /** String counter: bumped whenever a section's content changes (render cache key). */
    sectionVersion: (sectionId: string) => `${p}:sec:{${sectionId}}:ver`,
    /** Sorted set: article ids pinned to the top of one section (score = pin time, ms; newest pin first). */
    sectionPins: (sectionId: string) => `${p}:sec:{${sectionId}}:pins`,
    /** Hash: pinned article id -> pin expiry (ms since epoch), or 0 for "until unpinned". */
    sectionPinUntil: (sectionId: string) => `${p}:sec:{${sectionId}}:pinuntil`,
    /** Hash: article ids hidden from one section -> hide time (ISO). */
    sectionHides: (sectionId: string) => `${p}:sec:{${sectionId}}:hides`,
    /** Hash: article ids hidden from every section -> hide time (ISO). */
    globalHides: () => `${p}:hides:{all}`,
    /** Hash: manual tags of one article (tag -> "+" added / "-" removed); expires with the article. */
    manualTags: (articleId: string) => `${p}:art:{${articleId}}:mtags`,
    /** Hash: config sources paused through the admin API (source id -> pause time, ISO). */
    pausedSources: () => `${p}:sources:{paused}`,
    /** Sorted set: lease holders of one host's fetch slots (score = lease expiry, ms). */
    hostSlots: (host: string) => `${p}:host:{${host}}:slots`,
    /** Sorted set: one group of LSH band buckets (near-duplicate candidates): members are a
     *  3-byte tag of the band value and the packed article id, binary (see clusters.ts), scored
     *  by the entry's candidacy deadline (seconds); `group` is the band value's first 2 hex chars
     *  (256 groups per band). All buckets share one hash tag so one script reads and writes an
     *  article's 20 bands at once (on Cluster they sit in one slot: they hold only the dedupe
     *  window's articles, a few MB). Keys of the older formats (`lshg:`, then `lsh:` with text
     *  members) are not read and expire by themselves, within the dedupe window. */
    lshBucket: (band: number, group: string) => `${p}:lshb:{lsh}:${band}:${group}`,
    /** Sorted set: member article ids of one story cluster, by published time. */
    cluster: (clusterId: string) => `${p}:clu:{${clusterId}}`,
    /** String: one linked page's full-text extraction or failure (JSON), keyed by a hash of its
     *  canonical URL; always written with a TTL (see page-cache.ts). */
    fullTextPage: (urlHash: string) => `${p}:page:{${urlHash}}`,
    /** Sorted set: worker heartbeats (member = worker id, score = last beat, ms). */
    workers: () => `${p}:workers`,
    /** String: a short lease held by one process doing singleton work. */
    lock: (name: string) => `${p}:lock:{${name}}`,
    /** Hash: our WebSub subscription to one source's hub (hub, topic, state, token, secret,
     *  pending mode, lease end, renew time, last error); see push/subscriber/. */
    websubSubscription: (sourceId: string) => `${p}:src:{${sourceId}}:websub`,
    /** Hash: callback token -> source id (the unguessable last segment of our callback URL). */
    websubTokens: () => `${p}:websub:{callbacks}`,
    /** Hash: WebSub hub subscriptions, subscription id -> JSON (callback, topic, secret, lease end). */
    hubSubscriptions: () => `${p}:websub:{hub}:subs`,
    /** Hash: hub subscription id -> sha256 of the last document delivered to it. */
    hubLastSent: () => `${p}:websub:{hub}:sent`,
    /** Sorted set: hub subscription ids by lease end (ms): expired ones are dropped from the front. */
    hubLeases: () => `${p}:websub:{hub}:leases`,
    /** Set: ids of the hub subscriptions to one section's topics. */
    hubSectionSubs: (sectionId: string) => `${p}:websub:{hub}:sec:${sectionId}`,
    /** Hash: webhooks added at runtime through the admin API (id -> JSON: url, sections, secret
     *  or secretEnv, createdAt); the config file's hooks are not here. */
    runtimeWebhooks: () => `${p}:webhooks:{runtime}`,
    /** Hash: webhook id -> JSON state (first seen, last status, last error, counters). */
    webhookState: () => `${p}:webhooks:{state}`,
    /** Sorted set: item ids already handed to one webhook, whatever the section (score = claim
     *  time, ms): no item goes to one hook twice. Trimmed to the retention age. */
    webhookClaimed: (hookId: string) => `${p}:wh:{${hookId}}:claimed`,
    /** Hash: one webhook's deliveries not yet delivered, delivery id -> JSON (section, items). */
    webhookPending: (hookId: string) => `${p}:wh:{${hookId}}:pending`,
    /** Sorted set: one webhook's failed delivery ids by creation time (the oldest go first). */
    webhookFailedOrder: (hookId: string) => `${p}:wh:{${hookId}}:failed:order`,
    /** Hash: one webhook's deliveries that used every attempt, delivery id -> JSON (+ last error). */
    webhookFailed: (hookId: string) => `${p}:wh:{${hookId}}:failed`,
    /** Hash: section id -> JSON include/exclude rules saved from the desk or admin API, overriding
     *  the config file's (see catalog/rules.ts). All rule keys share one hash tag (one MULTI). */
    rulesSections: () => `${p}:rules:{rules}:sections`,
    /** Hash: tag id -> JSON keywords saved from the desk or admin API, overriding the config's. */
    rulesTags: () => `${p}:rules:{rules}:tags`,
    /** String counter: bumped on every rule save or reset; processes rebuild their tagger and
     *  curator when it moved (one GET per poll). */
    rulesVersion: () => `${p}:rules:{rules}:ver`,
    /** Hash: state of the background retag after a save (`section:<id>` or `tag:<id>`). */
    rulesRetag: (target: string) => `${p}:rules:{rules}:retag:${target}`,
    /** Hash: desk session id -> expiry (ms since epoch); a session is valid only while listed. */
    deskSessions: () => `${p}:desk:{sessions}`,
    /** BullMQ queue prefix (hash-tagged so a queue's keys share a slot on Cluster). */
    queuePrefix: () => `{${p}:q}`,
  };
}
