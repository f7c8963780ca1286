// How an article is stored: the deflated article JSON (with a preset dictionary) behind a small
// header that carries the packed MinHash signature. Pure functions, no Redis.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { Article } from '../domain/types.ts';

/**
 * Preset deflate dictionary: what every stored article repeats (its JSON field names, common
 * markup). A small article repeats little of itself, so without it every field name and tag is
 * paid in full once per article: measured 1,746 -> 1,618 bytes on the bench mix and 589 -> 522
 * on the real-world fixture feeds. NEVER edit it: bodies written with it are only readable with
 * the same bytes (a new dictionary needs a new body format byte).
 */
const BODY_DICTIONARY = Buffer.from(
  '<p dir="rtl"></p>\n<p><strong></strong></p><figure><img src="https://" alt="" width="" height="" />' +
    '<figcaption></figcaption></figure><a href="https://www.">, <br /><em></em><ul><li></li></ul>' +
    '<blockquote></blockquote><h2></h2>.jpg.png.html?' +
    '{"id":"","sourceId":"","guid":"","url":"","title":"","published":"","updated":"","author":"",' +
    '"summary":"","contentHtml":"","image":"","lang":"","tags":"","sourceCategories":"","contentHash":""}',
);

/**
 * Format 3's dictionary: format 2's, plus what real news text and our own JSON repeat in every
 * article: the commonest English and Arabic words and the image/enclosure field names. -63 bytes
 * per article on the bench mix. NEVER edit it either (see BODY_DICTIONARY).
 */
const BODY_DICTIONARY_V3 = Buffer.concat([
  BODY_DICTIONARY,
  Buffer.from(
    ' of the and to in a is that for on with as was by at from it he said has have be are this an' +
      ' not but his they who which had been were their after its will more than one about also new' +
      ' would two we there when first over into her some could up out other year years people' +
      ' government president minister last told ' +
      ' في من على إلى أن عن مع التي الذي هذا هذه ما لا قد كان وقال قال بعد أو بين كما ذلك حيث إن عام' +
      ' وزير رئيس الرئيس الحكومة اليوم خلال أكثر ' +
      '"type":"image/jpeg","width":null,"height":null},"enclosures":[{"url":"https://",' +
      '"type":"image/jpeg","length":null,"durationSeconds":null}],"lang":"en","lang":"ar"' +
      '</a> </p>\n<p>',
  ),
]);

/**
 * Article encodings (the deflated article JSON; also the first byte of a whole body of formats 2
 * and 3, and the byte before the deflated article in a format-4 body).
 * - 2: deflate level 1 of the whole article JSON, BODY_DICTIONARY.
 * - 3: deflate level 6 of the article JSON without `id` (the key names the article; readers take
 *   the id from it), with BODY_DICTIONARY_V3: 1,650 -> 1,506 bytes on the bench mix (level 6 -58,
 *   no id -22, dictionary -63), for ~50 µs more per write. Written since 2026-12-02; format 2
 *   articles are still read.
 */
const BODY_V2 = 0x02;
const BODY_V3 = 0x03;
/** The article encoding every write uses. */
const ARTICLE_ENCODING = BODY_V3;
/** Body format 4: the small fields in the body string (see `encodeBody`). */
export const BODY_V4 = 0x04;

/** The deflated article of the current format (no header). */
export function encodeArticle(a: Article): Buffer {
  const { id: _id, ...rest } = a;
  return deflateRawSync(Buffer.from(JSON.stringify(rest)), {
    level: 6,
    dictionary: BODY_DICTIONARY_V3,
  });
}

/** A deflated article of format `format` (2 or 3); `id` is the article's (format 3 omits it). */
export function decodeArticle(b: Buffer, id: string, format: number = ARTICLE_ENCODING): Article {
  if (format !== BODY_V2 && format !== BODY_V3)
    throw new Error(`article body: unknown format ${format}`);
  const dictionary = format === BODY_V2 ? BODY_DICTIONARY : BODY_DICTIONARY_V3;
  const json = inflateRawSync(b, { dictionary }).toString('utf8');
  const a = JSON.parse(json) as Omit<Article, 'id'> & { id?: string };
  return { ...a, id: a.id ?? id } as Article;
}

/**
 * What the `ch` field holds: a digest of everything we publish about the item but its `updated`
 * (title, content, summary, link, guid, published date, author, image, categories, language,
 * enclosures),
 * and a digest of the tags (a tag change is a new version): 25 characters whatever the article.
 * A change of any of them is a correction that must reach readers;
 * `updated` is compared on its own (field `u`), because the stored body may carry a later
 * one than the source's (see lua/upsert-article.lua).
 */
export function storedVersion(a: Article): string {
  const published = JSON.stringify([
    a.title,
    a.contentHtml,
    a.summary,
    a.url,
    a.guid,
    a.published,
    a.author,
    a.image,
    a.sourceCategories,
    a.lang,
    // Enclosures only when there are some, so articles without any keep their stored version.
    ...(a.enclosures?.length ? [a.enclosures] : []),
  ]);
  const digest = createHash('sha1').update(published).digest('base64url').slice(0, 16);
  return `${digest}:${createHash('sha1').update(a.tags.join(',')).digest('base64url').slice(0, 8)}`;
}

/**
 * The small fields of a stored article, as stored (strings; '' when not set): `p` published ms,
 * `cl` cluster id (`OWN_STORY` for the article's own id), `srcs` source ids (comma-separated), `ch` stored version (`storedVersion`),
 * `u` the source's updated ms, `w` the updated in the body ms, `fs` first seen (ms digits; ISO
 * in an article migrated from the old layout), `secs` section ids (comma-separated; null when
 * never indexed: a write interrupted between the upsert and the indexing).
 */
export interface ArticleMeta {
  p: string;
  cl: string;
  srcs: string;
  ch: string;
  u: string;
  w: string;
  fs: string;
  secs: string | null;
}

/** `cl` of an article that is its own story (most are): 1 byte instead of its 24-char id. */
export const OWN_STORY = '=';

/** The story (cluster id) an article's `cl` names, or null when none is recorded yet. */
export function storyOf(cl: string, id: string): string | null {
  return cl === OWN_STORY ? id : cl || null;
}

/** The order of the fields in a format-4 body (lua/article.lua reads and writes the same). */
export const META_FIELDS = ['p', 'cl', 'srcs', 'ch', 'u', 'w', 'fs', 'secs'] as const;
/**
 * Separates the fields: none of them can hold it (digits, ids and section ids of [a-z0-9-],
 * base64url and `:`, ISO dates).
 */
const META_SEP = '|';

/**
 * A stored article is one string (format 4):
 *   0x04 | signature length (uint16 LE) | packed MinHash signature (`packSignature`, may be empty)
 *   | fields length (uint16 LE) | the small fields (`ArticleMeta`, META_FIELDS order, joined by
 *   `|`; `secs` left out when never set) | article encoding byte (2 or 3) | deflated article.
 * One key per article: a hash of the small fields beside the body (formats 2 and 3, the "old
 * layout") cost another ~110 B of key overhead plus the hash's own ~180 B. The signature and the
 * fields come first, so dedupe's candidate reads (`getSignatures`) are one GETRANGE of the first
 * `BODY_HEAD_BYTES`. Older bodies start with their article encoding byte (2 or 3), the signature
 * length and signature, then the deflated article; their small fields are in the legacy hash.
 */
/**
 * How much of a body the readers of the small fields GETRANGE at first: header and 8-bit
 * signature (3 + 129), fields length, and 250 bytes of fields (~110 in store-memory.test.ts:
 * 85 + sources + sections); a longer head is read with a GET of the whole body (`headLength`).
 */
export const BODY_HEAD_BYTES = 384;

/** Format byte, signature length and signature: the part of a body the Lua scripts keep. */
export function signatureHead(signature: Buffer | null): Buffer {
  const sig = signature ?? Buffer.alloc(0);
  const head = Buffer.alloc(3);
  head[0] = BODY_V4;
  head.writeUInt16LE(sig.length, 1);
  return Buffer.concat([head, sig]);
}

/** The article part of a format-4 body: its encoding byte, then the deflated article. */
export function articlePart(a: Article): Buffer {
  return Buffer.concat([Buffer.from([ARTICLE_ENCODING]), encodeArticle(a)]);
}

export function encodeMeta(meta: ArticleMeta): Buffer {
  const values = META_FIELDS.slice(0, meta.secs === null ? -1 : undefined).map((f) => meta[f]);
  return Buffer.from(values.join(META_SEP));
}

export function decodeMeta(b: Buffer): ArticleMeta {
  const v = b.toString('utf8').split(META_SEP);
  const [p = '', cl = '', srcs = '', ch = '', u = '', w = '', fs = ''] = v;
  return { p, cl, srcs, ch, u, w, fs, secs: v.length > 7 ? v[7]! : null };
}

/** A whole format-4 body (the Lua scripts build the same bytes; tests and tools use this one). */
export function encodeBody(article: Article, signature: Buffer | null, meta: ArticleMeta): Buffer {
  const m = encodeMeta(meta);
  const len = Buffer.alloc(2);
  len.writeUInt16LE(m.length);
  return Buffer.concat([signatureHead(signature), len, m, articlePart(article)]);
}

/** The parts of a body, of any format. */
export interface BodyParts {
  format: number;
  signature: Buffer;
  /** The small fields (format 4); null in an old-layout body (they are in the legacy hash). */
  meta: ArticleMeta | null;
  /** Article encoding byte (2 or 3) and deflated article; empty when `body` was a head only. */
  article: Buffer;
}

/**
 * How many bytes of a body hold its header, signature and small fields (what `bodyParts` needs
 * for the signature and fields); from a head of at least 5 bytes (or all of a shorter body).
 */
export function headLength(head: Buffer): number {
  const format = head[0];
  if (head.length < 3) return head.length;
  const n = 3 + head.readUInt16LE(1);
  if (format !== BODY_V4 || head.length < n + 2) return format === BODY_V4 ? n + 2 : n;
  return n + 2 + head.readUInt16LE(n);
}

/**
 * A body's format, signature, small fields and article part. `body` may be a head only (at least
 * `headLength` bytes of it): the article part is then short or empty.
 */
export function bodyParts(body: Buffer): BodyParts {
  const format = body[0] ?? -1;
  if ((format !== BODY_V2 && format !== BODY_V3 && format !== BODY_V4) || body.length < 3)
    throw new Error(`article body: unknown format ${body[0]}`);
  const n = body.readUInt16LE(1);
  const signature = body.subarray(3, 3 + n);
  if (format !== BODY_V4)
    return {
      format,
      signature,
      meta: null,
      article: Buffer.concat([Buffer.from([format]), body.subarray(3 + n)]),
    };
  const at = 3 + n;
  const m = body.readUInt16LE(at);
  return {
    format,
    signature,
    meta: decodeMeta(body.subarray(at + 2, at + 2 + m)),
    article: body.subarray(at + 2 + m),
  };
}

/** The whole stored article of a body of any format read: `decodeArticle` of its article part. */
export function decodeBody(body: Buffer, id: string): Article {
  const { article } = bodyParts(body);
  return decodeArticle(article.subarray(1), id, article[0]);
}

/** First seen as the API gives it (ISO) from the stored `fs` (ms digits, or ISO when migrated). */
export function firstSeenIso(fs: string): string {
  return /^\d+$/.test(fs) ? new Date(Number(fs)).toISOString() : fs;
}

/** SHA-1 of a URL without its scheme, so http/https flips of one URL meet (URL claims). */
export function urlDigest(url: string): Buffer {
  return createHash('sha1')
    .update(url.replace(/^https?:\/\//i, ''))
    .digest();
}

/** A URL's digest as 20 base64url chars: the key part of the older URL claims (`url:` keys). */
export function urlHash(url: string): string {
  return urlDigest(url).toString('base64url').slice(0, 20);
}
