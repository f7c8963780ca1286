import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FeedError } from '../../domain/errors.ts';
import { REPAIR_GZIP, decodeFeedBytes } from './feed-bytes.ts';

const RSS =
  '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>ünï</title></channel></rss>';

describe('decodeFeedBytes: gzip sniffed at the fetch/parse boundary', () => {
  it('gunzips a gzip body that came without Content-Encoding, and says so', () => {
    const out = decodeFeedBytes(gzipSync(Buffer.from(RSS)), 'application/rss+xml');
    expect(out.text).toContain('<title>ünï</title>');
    expect(out.bytes).toBe(Buffer.byteLength(RSS));
    expect(out.repairs).toEqual([REPAIR_GZIP]);
  });

  it('leaves a plain body alone', () => {
    const out = decodeFeedBytes(Buffer.from(RSS), 'application/rss+xml');
    expect(out.text).toContain('<title>ünï</title>');
    expect(out.repairs).toEqual([]);
  });

  it('keeps the size cap: a sniffed gzip bomb is too-large, not unpacked', () => {
    const bomb = gzipSync(Buffer.alloc(5_000_000, 0x20));
    let err: unknown;
    try {
      decodeFeedBytes(bomb, null, 1_000_000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).kind).toBe('too-large');
  });
});
