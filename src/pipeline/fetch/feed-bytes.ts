// The fetch/parse boundary: response bytes (Content-Encoding already undone) to feed text.
// Some servers send a gzip file as the body without saying `Content-Encoding: gzip`; a reader
// that sniffs the magic bytes still reads it. We do too, under the same size cap, and say so.
import { constants, gunzipSync } from 'node:zlib';
import { decodeBody } from './charset.ts';
import { tooLarge } from './read-body.ts';

export const REPAIR_GZIP = 'gzip-sniffed: gzip body served without Content-Encoding, gunzipped';

export interface FeedText {
  text: string;
  charset: string;
  /** Bytes after every decompression. */
  bytes: number;
  /** What had to be undone or fixed to read the body (empty when nothing). */
  repairs: string[];
}

const isGzip = (b: Uint8Array) => b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 8;

export function decodeFeedBytes(
  bytes: Uint8Array,
  contentType: string | null,
  maxBytes = 64 * 1024 * 1024,
  /** A source's `fetch.charset`: wins over HTTP, BOM and the document's declaration. */
  charsetOverride: string | null = null,
): FeedText {
  const repairs: string[] = [];
  let body = bytes;
  if (isGzip(body)) {
    try {
      body = gunzipSync(body, {
        maxOutputLength: maxBytes,
        finishFlush: constants.Z_SYNC_FLUSH,
      });
      repairs.push(REPAIR_GZIP);
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw tooLarge(maxBytes, 'after sniffed gzip decompression');
      // Not gzip after all (or corrupt): leave the bytes to the charset decoder and the parser.
    }
  }
  const decoded = decodeBody(body, contentType, charsetOverride);
  return { text: decoded.text, charset: decoded.charset, bytes: body.byteLength, repairs };
}
