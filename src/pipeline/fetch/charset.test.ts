import { describe, it, expect } from 'vitest';
import iconv from 'iconv-lite';
import { readFileSync, readdirSync } from 'node:fs';
import { canonicalCharset, decodeBody, httpCharset } from './charset.ts';

const xml = (encoding: string | null, title: string) =>
  `<?xml version="1.0"${encoding ? ` encoding="${encoding}"` : ''}?>\n<rss><channel><title>${title}</title></channel></rss>`;

// Copies of ../shared (the seed article, the real-world corpus) live in tests/fixtures.
const fixtures = new URL('../../../tests/fixtures/', import.meta.url);
const arabic = readFileSync(new URL('seed-article-ar.txt', fixtures), 'utf8')
  .split('\n')
  .find((l) => l.trim().length > 20)!
  .trim();

describe('decodeBody', () => {
  it('decodes the Arabic seed article from windows-1256 declared in the XML declaration', () => {
    const r = decodeBody(
      iconv.encode(xml('windows-1256', arabic.slice(0, 200)), 'windows-1256'),
      'application/rss+xml',
    );
    expect(r.charset).toBe('windows-1256');
    expect(r.text).toContain(arabic.slice(0, 200));
    expect(r.text).not.toContain('\ufffd');
    // the declaration no longer claims windows-1256 for a decoded string
    expect(r.text.startsWith('<?xml version="1.0"?>')).toBe(true);
  });

  it('HTTP charset wins over the XML declaration when both are specific', () => {
    const bytes = iconv.encode(xml('windows-1251', 'Привет'), 'koi8-r');
    expect(decodeBody(bytes, 'text/xml; charset="KOI8-R"')).toMatchObject({ charset: 'koi8-r' });
    expect(decodeBody(bytes, 'text/xml; charset="KOI8-R"').text).toContain('<title>Привет</title>');
  });

  it('valid multi-byte UTF-8 declared windows-1252 / ISO-8859-1 is decoded as UTF-8', () => {
    const bytes = Buffer.from(xml('windows-1252', 'Café — قره باغ'), 'utf8');
    const r = decodeBody(bytes, 'text/xml; charset=iso-8859-1');
    expect(r).toMatchObject({ charset: 'utf-8' });
    expect(r.text).toContain('Café — قره باغ');
  });

  it('UTF-8 declared but bytes are not UTF-8: the XML declaration is used instead', () => {
    const bytes = iconv.encode(xml('windows-1256', 'أخبار اليوم'), 'windows-1256');
    const r = decodeBody(bytes, 'application/xml; charset=utf-8');
    expect(r.charset).toBe('windows-1256');
    expect(r.text).toContain('أخبار اليوم');
  });

  it('a declared multi-byte encoding that yields U+FFFD loses to valid UTF-8', () => {
    const bytes = Buffer.from(xml('shift_jis', 'نص عربي'), 'utf8');
    const r = decodeBody(bytes, null);
    expect(r.charset).toBe('utf-8');
    expect(r.text).toContain('نص عربي');
  });

  it('undeclared bytes: UTF-8 if valid, Arabic / Cyrillic legacy guessed, else windows-1252', () => {
    expect(decodeBody(Buffer.from(xml(null, 'مرحبا'), 'utf8'), null).charset).toBe('utf-8');
    const ar = decodeBody(
      iconv.encode(xml(null, arabic.slice(0, 120)), 'windows-1256'),
      'text/xml',
    );
    expect(ar.charset).toBe('windows-1256');
    expect(ar.text).toContain(arabic.slice(0, 120));
    const ru = decodeBody(
      iconv.encode(xml(null, 'Новости дня и последние события в мире'), 'windows-1251'),
      null,
    );
    expect(ru).toMatchObject({ charset: 'windows-1251' });
    const koi = decodeBody(
      iconv.encode(xml(null, 'Новости дня и последние события в мире'), 'koi8-r'),
      null,
    );
    expect(koi).toMatchObject({ charset: 'koi8-r' });
    const fr = decodeBody(
      iconv.encode(xml(null, 'Les élèves à l’école, déjà été'), 'windows-1252'),
      null,
    );
    expect(fr.charset).toBe('windows-1252');
    expect(fr.text).toContain('Les élèves à l’école, déjà été');
  });

  it('honours BOMs over every declaration and strips them', () => {
    const r8 = decodeBody(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml('iso-8859-1', 'é'), 'utf8')]),
      'text/xml; charset=iso-8859-1',
    );
    expect(r8.charset).toBe('utf-8');
    expect(r8.text.startsWith('<?xml')).toBe(true);
    const r32be = decodeBody(
      iconv.encode(xml('UTF-32', 'ok 𝄞'), 'utf-32be', { addBOM: true }),
      null,
    );
    expect(r32be.charset).toBe('utf-32be');
    expect(r32be.text).toContain('ok 𝄞');
  });

  it('reads UTF-16 without a BOM from the layout of "<?"', () => {
    const r = decodeBody(iconv.encode(xml('UTF-16', 'عربي'), 'utf-16le'), null);
    expect(r.charset).toBe('utf-16le');
    expect(r.text).toContain('<title>عربي</title>');
  });

  it('uses an HTML meta charset when there is no XML declaration', () => {
    const html =
      '<!doctype html><html><head><meta charset="windows-1256"><title>صفحة</title></head></html>';
    const r = decodeBody(iconv.encode(html, 'windows-1256'), 'text/html');
    expect(r.charset).toBe('windows-1256');
    expect(r.text).toContain('<title>صفحة</title>');
  });

  it('an unknown declared label falls through to sniffing', () => {
    expect(decodeBody(Buffer.from(xml('x-no-such-charset', 'plain'), 'utf8'), null).charset).toBe(
      'utf-8',
    );
  });
});

describe('charset helpers', () => {
  it('canonicalCharset maps labels to WHATWG names', () => {
    expect(canonicalCharset('ISO-8859-1')).toBe('windows-1252');
    expect(canonicalCharset('cp1256')).toBe('windows-1256');
    expect(canonicalCharset('GB2312')).toBe('gbk');
    expect(canonicalCharset('UTF-32')).toBe('utf-32le');
    expect(canonicalCharset('nope-nope')).toBeNull();
  });
  it('httpCharset reads quoted and unquoted parameters', () => {
    expect(httpCharset('text/xml; charset="UTF-8"')).toBe('UTF-8');
    expect(httpCharset('text/xml;charset=windows-1256; foo=bar')).toBe('windows-1256');
    expect(httpCharset('text/xml')).toBeNull();
    expect(httpCharset(null)).toBeNull();
  });
});

describe('decodeBody on real feeds', () => {
  it('decodes every real-world corpus feed without U+FFFD, declared Latin-1 ones as windows-1252', () => {
    const dir = new URL('corpus/', fixtures);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const r = decodeBody(readFileSync(new URL(f, dir)), null);
      expect([f, r.text.includes('\ufffd')]).toEqual([f, false]);
      expect(r.text).not.toMatch(/^\s*<\?xml[^>]*encoding=/);
    }
    expect(decodeBody(readFileSync(new URL('encoding.rss', dir)), null).charset).toBe(
      'windows-1252',
    );
    // no declaration at all, Latin-1 bytes: sniffed
    const uol = decodeBody(readFileSync(new URL('uolNoticias.rss', dir)), null);
    expect(uol.text).toContain('Últimas Notícias');
  });

  it('decodes the bundled windows-1256 demo feed', () => {
    const r = decodeBody(
      readFileSync(new URL('../../../demo/feeds/almashriq-cp1256.rss', import.meta.url)),
      'application/rss+xml',
    );
    expect(r.charset).toBe('windows-1256');
    expect(r.text).toContain('<title>صحيفة المشرق</title>');
  });
});
