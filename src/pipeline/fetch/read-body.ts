// Reads a response body with our own decompression, so the size cap counts decompressed bytes
// and is enforced while streaming: a gzip or brotli bomb stops at the cap, holding at most the
// cap plus one zlib chunk in memory.
import {
  constants,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
} from 'node:zlib';
import type { Readable, Transform } from 'node:stream';
import { FeedError } from '../../domain/errors.ts';

const ZLIB_OPTS = { finishFlush: constants.Z_SYNC_FLUSH }; // tolerate truncated streams, like browsers
const BROTLI_OPTS = { finishFlush: constants.BROTLI_OPERATION_FLUSH };

/** Content codings in the order they must be undone (last applied first). */
export function contentCodings(header: string | null): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s && s !== 'identity')
    .reverse();
}

/** `deflate` should be zlib-wrapped, but some servers send raw deflate: tell them apart. */
function looksZlibWrapped(first: Buffer): boolean {
  if (first.length < 2) return true;
  const cmf = first[0]!;
  const flg = first[1]!;
  return (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0;
}

function decoderFor(coding: string, first: Buffer | null): Transform {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip(ZLIB_OPTS);
    case 'deflate':
      return first === null || looksZlibWrapped(first)
        ? createInflate(ZLIB_OPTS)
        : createInflateRaw(ZLIB_OPTS);
    case 'br':
      return createBrotliDecompress(BROTLI_OPTS);
    default:
      throw new FeedError('network', `unsupported Content-Encoding "${coding}"`);
  }
}

export function tooLarge(maxBytes: number, detail: string): FeedError {
  return new FeedError('too-large', `response body exceeds ${maxBytes} bytes (${detail})`, {
    permanent: false,
  });
}

/**
 * Collects `body`, undoing `codings`, failing with `too-large` as soon as more than `maxBytes`
 * (compressed or decompressed) have arrived, and with `signal.reason` when the signal aborts.
 */
export function readBody(
  body: Readable,
  codings: string[],
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let raw = 0;
    let settled = false;
    let decoders: Transform[] | null = codings.length ? null : [];
    const all = (): Readable[] => [body, ...(decoders ?? [])];

    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      for (const s of all()) s.destroy();
      reject(err);
    };
    const succeed = () => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks, total));
    };
    const onAbort = () => fail(signal.reason);
    const onOutput = (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > maxBytes)
        return fail(tooLarge(maxBytes, codings.length ? 'after decompression' : 'while streaming'));
      chunks.push(chunk);
    };
    const corrupt = (err: unknown) =>
      fail(
        err instanceof FeedError
          ? err
          : new FeedError('network', `corrupt compressed body: ${(err as Error).message}`, {
              cause: err,
            }),
      );

    const buildDecoders = (first: Buffer | null): Transform[] => {
      const list = codings.map((c, i) => decoderFor(c, i === 0 ? first : null));
      for (let i = 0; i < list.length; i++) {
        const d = list[i]!;
        d.on('error', corrupt);
        const next = list[i + 1];
        if (next) d.pipe(next);
      }
      const last = list[list.length - 1]!;
      last.on('data', onOutput);
      last.on('end', succeed);
      return list;
    };

    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    body.on('error', (err) => fail(signal.aborted ? signal.reason : err));
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      raw += chunk.length;
      if (raw > maxBytes) return fail(tooLarge(maxBytes, 'while streaming'));
      if (decoders === null) {
        try {
          decoders = buildDecoders(chunk);
        } catch (e) {
          return fail(e);
        }
      }
      const head = decoders[0];
      if (!head) return onOutput(chunk);
      if (!head.write(chunk)) {
        body.pause();
        head.once('drain', () => body.resume());
      }
    });
    body.on('end', () => {
      if (settled) return;
      if (decoders === null) return succeed(); // empty compressed body
      const head = decoders[0];
      if (head) head.end();
      else succeed();
    });
  });
}
