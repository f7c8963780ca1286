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
 * Body formats (the first byte of a body).
 * - 2: deflate level 1 of the whole article JSON, BODY_DICTIONARY.
 * - 3: deflate level 6 of the article JSON without `id` (the key names the article; readers take
 *   the id from it), with BODY_DICTIONARY_V3: 1,650 -> 1,506 bytes on the bench mix (level 6 -58,
 *   no id -22, dictionary -63), for ~50 µs more per write. Written since 2026-12-02; format 2
 *   bodies are still read.
 */
const BODY_V2 = 0x02;
const BODY_V3 = 0x03;
/** The format every write uses. */
const BODY_FORMAT = BODY_V3;

/** The deflated article of the current format (no header). */
export function encodeArticle(a: Article): Buffer {
  const { id: _id, ...rest } = a;
  return deflateRawSync(Buffer.from(JSON.stringify(rest)), {
    level: 6,
    dictionary: BODY_DICTIONARY_V3,
  });
}

/** A deflated article of format `format` (2 or 3); `id` is the article's (format 3 omits it). */
export function decodeArticle(b: Buffer, id: string, format: number = BODY_FORMAT): Article {
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
 * and a digest of the tags (a tag change is a new version): 25 characters whatever the article,
 * so the hash stays a listpack. A change of any of them is a correction that must reach readers;
 * `updated` is compared on its own (hash field `u`), because the stored body may carry a later
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
 * An article body (its own string key): format byte, signature length (uint16 LE), the packed
 * MinHash signature (`packSignature`, may be empty), then the deflated article JSON. One string
 * of ~2 KB costs ~200 bytes of overhead; as a field of a hash that is also a hash table it cost
 * more than twice that, and pushed every small field into the hash table too.
 */
/** Enough of a body to hold its header and any signature written (8-bit form: 129 bytes). */
export const BODY_HEAD_BYTES = 3 + 129;

/** Format byte and signature length: the first 3 bytes of a body. */
export function bodyHeader(signatureLength: number): Buffer {
  const head = Buffer.alloc(3);
  head[0] = BODY_FORMAT;
  head.writeUInt16LE(signatureLength, 1);
  return head;
}

export function encodeBody(article: Article, signature: Buffer | null): Buffer {
  const sig = signature ?? Buffer.alloc(0);
  return Buffer.concat([bodyHeader(sig.length), sig, encodeArticle(article)]);
}

/** A body's format, signature and deflated article (`head` may be just the first BODY_HEAD_BYTES). */
export function bodyParts(body: Buffer): { format: number; signature: Buffer; article: Buffer } {
  const format = body[0] ?? -1;
  if ((format !== BODY_V2 && format !== BODY_V3) || body.length < 3)
    throw new Error(`article body: unknown format ${body[0]}`);
  const n = body.readUInt16LE(1);
  return { format, signature: body.subarray(3, 3 + n), article: body.subarray(3 + n) };
}

/** The whole stored article of a body of any format read: `decodeArticle` of its parts. */
export function decodeBody(body: Buffer, id: string): Article {
  const { format, article } = bodyParts(body);
  return decodeArticle(article, id, format);
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
