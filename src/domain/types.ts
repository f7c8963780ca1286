// Plain data that flows through Tributary. Imports nothing; every stage speaks these types.

/** A language tag such as `ar` or `en` (BCP 47, lower-case primary subtag). */
export type Lang = string;

export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json';
export type OutputFormat = 'rss' | 'atom' | 'json';

// ---------------------------------------------------------------- configuration

export interface SiteConfig {
  title: string;
  baseUrl: string;
  description: string;
}

export interface FetchConfig {
  /** Total request timeout, ms (also bounds connect). */
  timeout: number;
  /** Body size cap in bytes, enforced while streaming and after decompression. */
  maxBytes: number;
  userAgent: string;
  allowPrivateNetworks: boolean;
  /** Poll interval for sources without their own, ms. */
  defaultInterval: number;
  /** Bounds for adaptive polling, ms. */
  minInterval: number;
  maxInterval: number;
  /** At most this many concurrent requests per host, across all workers. */
  perHostConcurrency: number;
  maxRedirects: number;
  /** Consecutive failures after which a source is reported unhealthy. */
  unhealthyAfter: number;
}

export interface RetentionConfig {
  /** ms */
  maxAge: number;
  maxPerSection: number;
}

export interface DedupeConfig {
  /** Jaccard similarity above which two articles are one story. */
  threshold: number;
  /** Only articles published within this window (ms) of each other cluster. */
  window: number;
}

export interface WorkerConfig {
  /** Jobs one worker process runs at once. */
  concurrency: number;
  /** Grace for active jobs on shutdown, ms. */
  shutdownGrace: number;
}

/** Per-source request settings (`sources[].fetch`); headers and auth go to the feed's origin only. */
export interface SourceFetchSettings {
  userAgent?: string | null;
  headers?: Record<string, string>;
  /** Overrides HTTP, BOM and the document's declared charset. */
  charset?: string | null;
  /** Names environment variables; the secrets themselves are never stored or shown. */
  auth?: { basic: { user: string; passwordEnv: string } } | { bearerEnv: string } | null;
}

export type FullTextMode = 'auto' | 'always' | 'never';

export interface SourceConfig {
  id: string;
  url: string;
  title: string | null;
  lang: Lang | null;
  /** ms; null = fetch.defaultInterval */
  interval: number | null;
  tags: string[];
  /** Higher wins when choosing a cluster's representative. */
  priority: number;
  enabled: boolean;
  /** Sections this source is explicitly placed in (OPML import --section), besides their criteria. */
  sections?: string[];
  /** Where the source came from: the config file (read-only at runtime) or the admin API. */
  origin: 'config' | 'runtime';
  fetch?: SourceFetchSettings;
  /** Items must match one of these keywords to be stored (keyword rules of tags). */
  include?: { keywords: string[] };
  /** Items matching one of these keywords are not stored. */
  exclude?: { keywords: string[] };
  /** `false`: never subscribe to the hub this source advertises (WebSub); default true. */
  push?: boolean;
  /** Fetch the linked page for teaser items (default `auto`). */
  fullText?: FullTextMode;
}

export interface TagConfig {
  id: string;
  label: string;
  keywords: string[];
  /** Feed categories (matched like keywords against whole category names) that imply this tag. */
  categories: string[];
}

export interface SectionCriteria {
  tags: string[];
  sources: string[];
  langs: Lang[];
}

export interface SectionConfig {
  id: string;
  title: string;
  description: string;
  lang: Lang;
  include: SectionCriteria;
  exclude: SectionCriteria & { keywords: string[] };
  collapseDuplicates: boolean;
  limit: number;
  /** IANA time zone for digests. */
  timezone: string;
  /**
   * Item ids in this section's feeds: `article` (default) is the same in every section, so a
   * reader keeps one copy across overlapping sections; `section` prefixes the section id.
   */
  guid?: 'article' | 'section';
}

export interface FileConfig {
  site: SiteConfig;
  fetch: FetchConfig;
  retention: RetentionConfig;
  dedupe: DedupeConfig;
  worker: WorkerConfig;
  sources: SourceConfig[];
  tags: TagConfig[];
  sections: SectionConfig[];
  push: PushConfig;
  webhooks: WebhookConfig[];
}

/** `push:` — our WebSub hub and the subscriber for sources that advertise a hub. */
export interface PushConfig {
  hub: boolean;
  subscribe: boolean;
  /** Lease asked for / granted when a subscriber names none (s). */
  leaseSeconds: number;
  /** Most hub subscriptions at once; a new one beyond gets 503. */
  maxSubscriptions: number;
}

/** `webhooks[]`: signed POSTs of the items new to a section. */
export interface WebhookConfig {
  id: string;
  url: string;
  /** null = every section. */
  sections: string[] | null;
  /** The environment variable holding the secret; null for a runtime hook given its secret. */
  secretEnv: string | null;
  /** `whsec_<base64>` read from `secretEnv` by the config loader (null before it ran), or the
   *  secret a runtime hook was given or generated. */
  secret: string | null;
  /** The config file's (read-only at runtime) or added through the admin API (kept in Redis). */
  origin?: 'config' | 'runtime';
}

export type Role = 'all' | 'server' | 'worker';

export interface EnvConfig {
  redisUrl: string | null;
  port: number;
  host: string;
  configPath: string;
  adminToken: string | null;
  dataDir: string;
  logLevel: string;
  redisServerBin: string | null;
  autoRedis: boolean;
  /** Prefix of every Redis key and BullMQ queue (lets several deployments or tests share one Redis). */
  redisPrefix: string;
}

export interface Config extends FileConfig {
  env: EnvConfig;
}

// ---------------------------------------------------------------- fetch

export interface FetchRequest {
  url: string;
  etag?: string | null;
  lastModified?: string | null;
  /** Replaces fetch.userAgent for this request. */
  userAgent?: string | null;
  /** Extra headers and `authorization`: sent only to URLs of `credentialsOrigin`, redirects included. */
  headers?: Record<string, string>;
  authorization?: string | null;
  credentialsOrigin?: string | null;
  /** Decode the body with this charset whatever HTTP, a BOM or the document say. */
  charset?: string | null;
}

interface FetchCommon {
  /** The URL we were asked to fetch. */
  requestedUrl: string;
  /** The URL the body came from, after redirects. */
  finalUrl: string;
  /** Set when every redirect on the way was permanent (301/308): the source should move here. */
  permanentUrl: string | null;
  etag: string | null;
  lastModified: string | null;
  /** Seconds from `Cache-Control: max-age`, if any. */
  maxAge: number | null;
  fetchedAt: string;
  /** WebSub links of the response's HTTP `Link` header (rel=hub, rel=self), when it had any. */
  links?: FeedLinks;
}

/** WebSub discovery links: the hubs a document names and its own (self) URL. */
export interface FeedLinks {
  hubs: string[];
  self: string | null;
}

export interface FetchOk extends FetchCommon {
  kind: 'ok';
  status: number;
  contentType: string | null;
  /** WHATWG encoding label the body was decoded with. */
  charset: string;
  /** Decoded body. */
  body: string;
  /** Bytes received after decompression. */
  bytes: number;
  /** What had to be undone to read the body (a gzip body without Content-Encoding), if anything. */
  repairs?: string[];
}

export interface FetchNotModified extends FetchCommon {
  kind: 'not-modified';
}

export type FetchResult = FetchOk | FetchNotModified;

// ---------------------------------------------------------------- parse

export interface RawMedia {
  url: string;
  type: string | null;
  /** `image`, `video`, `audio` … when known */
  medium: string | null;
  width: number | null;
  height: number | null;
  length: number | null;
  /** Seconds (media:content `duration`, itunes:duration, JSON Feed `duration_in_seconds`), when known. */
  duration?: number | null;
}

export interface RawItem {
  guid: string | null;
  link: string | null;
  title: string | null;
  /** Date strings as found in the feed; normalize parses them. */
  published: string | null;
  updated: string | null;
  author: string | null;
  /** Summary/description, HTML or text as found. */
  summary: string | null;
  /** Full content (content:encoded, atom:content, content_html), HTML. */
  contentHtml: string | null;
  /** Base URL in effect for this item's content (xml:base), absolute, or null. */
  baseUrl: string | null;
  categories: string[];
  /**
   * Every enclosure in document order: RSS `enclosure`, Atom `link rel=enclosure`, `media:content`
   * (also inside `media:group`), JSON Feed `attachments`. Not thumbnails.
   */
  enclosures: RawMedia[];
  /** media:content / media:thumbnail / itunes:image etc. (lead image candidates) */
  media: RawMedia[];
  lang: Lang | null;
}

export interface RawFeed {
  format: FeedFormat;
  title: string | null;
  link: string | null;
  description: string | null;
  lang: Lang | null;
  baseUrl: string | null;
  image: string | null;
  /** RSS <ttl>, minutes */
  ttlMinutes: number | null;
  /** sy:updatePeriod / sy:updateFrequency as minutes between updates */
  updatePeriodMinutes: number | null;
  items: RawItem[];
  /** True when the XML had to be repaired before it parsed. */
  repaired: boolean;
  /** What was repaired, `kind: detail` (kind is the metric label); empty or absent when nothing. */
  repairs?: string[];
  /** WebSub links in the document (Atom `link rel=hub|self`, RSS `atom:link`), when it had any. */
  links?: FeedLinks;
}

// ---------------------------------------------------------------- articles

export interface ArticleImage {
  url: string;
  type: string | null;
  width: number | null;
  height: number | null;
}

/** One enclosure of an item (audio, video, image, other), as the source gave it. */
export interface Enclosure {
  /** Absolute http(s) URL. */
  url: string;
  /** MIME type, when known. */
  type: string | null;
  /** Bytes (RSS `length`, MRSS `fileSize`), when known. */
  length: number | null;
  durationSeconds: number | null;
}

/** One normalized item, as `preview --json` prints it (plus bookkeeping fields). */
export interface Article {
  /** Stable id: the same item keeps it across polls, reorderings and URL noise. */
  id: string;
  sourceId: string;
  /** The item's own guid, or null. */
  guid: string | null;
  /** Canonical link, or null when the item has none. */
  url: string | null;
  title: string;
  /** ISO 8601 UTC */
  published: string;
  /** ISO 8601 UTC */
  updated: string;
  author: string | null;
  /** Plain text, at most 300 characters. */
  summary: string;
  /** Sanitized HTML with absolute URLs. */
  contentHtml: string;
  image: ArticleImage | null;
  /** Every enclosure, in source order, one per URL (absent on articles stored before they were kept). */
  enclosures?: Enclosure[];
  lang: Lang;
  tags: string[];
  sourceCategories: string[];
  /** Hash of title + content; a change means the article was edited. */
  contentHash: string;
}

export interface RelatedLink {
  sourceId: string;
  url: string;
  title: string;
  articleId: string;
}

/** An article as stored: the item plus what dedupe learned about it. */
export interface StoredArticle extends Article {
  /** Every source that carried this exact article (same canonical URL). */
  sources: string[];
  /** Story cluster; equals `id` when the article stands alone. */
  clusterId: string;
  /** When Tributary first saw it, ISO. */
  firstSeen: string;
}

/** What publishing needs of one item: the article plus its cluster siblings. */
export interface PublishedItem extends StoredArticle {
  related: RelatedLink[];
  /** All sources of the story (cluster-wide when collapsed). */
  storySources: string[];
  /**
   * Where the item sits in its section's index (score and member), for paging cursors. Differs
   * from the item's own publish time when a collapsed story is shown by an older representative.
   */
  position?: { ms: number; id: string };
}

// ---------------------------------------------------------------- sources at runtime

export type SourceStatus = 'new' | 'ok' | 'not-modified' | 'error' | 'paused';

export interface SourceState {
  sourceId: string;
  /** The URL polled now (differs from the configured one after a permanent redirect). */
  url: string;
  /** The configured URL that permanently redirected to `url`, or null. */
  movedFrom: string | null;
  status: SourceStatus;
  healthy: boolean;
  lastFetch: string | null;
  lastSuccess: string | null;
  lastError: string | null;
  lastErrorKind: string | null;
  /** The last error will not pass by retrying (404/410, not a feed, blocked address): unhealthy at once. */
  lastErrorPermanent: boolean;
  consecutiveFailures: number;
  nextPoll: string | null;
  etag: string | null;
  lastModified: string | null;
  /** Items of the last fetched feed whose date could not be read (dated by first-seen time). */
  undatedItems: number;
  articleCount: number;
  lastNewItems: number;
  /** Items of the last read poll that repeated another item's guid with a different link or title (a source error; kept as separate articles). */
  duplicateGuids?: number;
  /** Items of the last poll older than retention.maxAge, so not stored (0 when none or unknown). */
  skippedTooOld: number;
  /** The Redis life (run id) the last successful poll started in; see Store.epoch(). */
  epoch: string | null;
  /** What the last parsed body needed repaired to be read (`kind: detail`); empty when nothing. */
  repairs?: string[];
  /** HTTP status of the last fetch (null when no response came back). */
  lastHttpStatus?: number | null;
  /** Why full-text pages of the last poll that tried some left items as the feed gave them; null when none did. */
  fullTextNote?: string | null;
}

// ---------------------------------------------------------------- full text

/** What fetching one linked page gave: its extracted article, or why there is none (page cache entry). */
export interface CachedPage {
  /** `ok`, or why the page gave nothing (`http-error`, `not-html`, `too-large`, `unreadable`, …). */
  outcome: string;
  /** Detail of a failure (`HTTP 404`, the Content-Type that is not HTML), empty when none. */
  detail: string;
  /** When the page was last fetched or revalidated, ms since epoch. */
  fetchedAt: number;
  etag: string | null;
  lastModified: string | null;
  /** Sanitized article HTML with absolute URLs (ok only). */
  html?: string;
  /** Its plain text, one line (ok only). */
  text?: string;
  image?: { url: string; width: number | null; height: number | null } | null;
}

export interface IngestReport {
  sourceId: string;
  outcome: 'ok' | 'not-modified' | 'error' | 'skipped';
  fetched: number;
  /** New articles stored with their first-seen time because their date could not be read. */
  undated?: number;
  inserted: number;
  updated: number;
  unchanged: number;
  clustered: number;
  /** Items older than `retention.maxAge`, not stored (absent when the poll read no feed). */
  skippedTooOld?: number;
  durationMs: number;
  error: { kind: string; message: string; permanent: boolean } | null;
  /** When the source should be polled next, ms since epoch. */
  nextPollAt: number;
  /** What the fetched body needed repaired to be read (`kind: detail`), if anything. */
  repairs?: string[];
  /** Full-text pages of this poll by outcome (`extracted`, `http-error`, …), if any were tried. */
  fullText?: Record<string, number>;
  /** How long after its scheduler tick was due the poll started (ms); absent for forced polls. */
  lateMs?: number;
}
