import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { createFetcher, FEED_ACCEPT } from './fetcher.ts';
import type { Fetcher } from './fetcher.ts';
import { FeedError } from '../../domain/errors.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  base: string;
  port: number;
  routes: Map<string, Handler>;
  requests: IncomingMessage[];
  connections: number;
  server: Server;
}

async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const state: TestServer = {
    base: '',
    port: 0,
    routes,
    requests: [],
    connections: 0,
    server: null as unknown as Server,
  };
  const server = createServer((req, res) => {
    state.requests.push(req);
    const h = routes.get(req.url ?? '/');
    if (h) h(req, res);
    else {
      res.statusCode = 404;
      res.end('no route');
    }
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as AddressInfo).port;
  state.base = `http://127.0.0.1:${state.port}`;
  state.server = server;
  return state;
}

const RSS = (title: string, encoding = 'UTF-8') =>
  `<?xml version="1.0" encoding="${encoding}"?><rss version="2.0"><channel><title>${title}</title><item><title>${title}</title></item></channel></rss>`;

async function failure(p: Promise<unknown>): Promise<FeedError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FeedError) return e;
    throw e;
  }
  throw new Error('expected the fetch to fail');
}

let srv: TestServer;
let fetcher: Fetcher;
const MAX = 1024 * 1024;

beforeAll(async () => {
  srv = await startServer();
  fetcher = createFetcher({
    timeoutMs: 1500,
    maxBytes: MAX,
    userAgent: 'Tributary-test/1.0 (+https://example.org/bot)',
    allowPrivateNetworks: false,
    maxRedirects: 5,
    addressPolicy: (ip) => ip === '127.0.0.1',
  });
});

afterAll(async () => {
  await fetcher.close();
  srv.server.closeAllConnections();
  await new Promise((r) => srv.server.close(r));
});

const route = (path: string, h: Handler) => {
  srv.routes.set(path, h);
  return `${srv.base}${path}`;
};

describe('fetcher: basics and conditional GET', () => {
  it('sends a clear User-Agent, the feed Accept header and Accept-Encoding; returns the decoded body', async () => {
    let seen: IncomingMessage | null = null;
    const url = route('/basic', (req, res) => {
      seen = req;
      res.setHeader('content-type', 'application/rss+xml; charset=utf-8');
      res.setHeader('cache-control', 'public, max-age=600');
      res.setHeader('etag', '"v1"');
      res.end(RSS('Hello ☕'));
    });
    const r = await fetcher.fetch({ url });
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.body).toContain('<title>Hello ☕</title>');
    expect(r.charset).toBe('utf-8');
    expect(r.maxAge).toBe(600);
    expect(r.etag).toBe('"v1"');
    expect(r.finalUrl).toBe(url);
    expect(r.permanentUrl).toBeNull();
    expect(r.bytes).toBe(Buffer.byteLength(RSS('Hello ☕')));
    expect(seen!.headers['user-agent']).toBe('Tributary-test/1.0 (+https://example.org/bot)');
    expect(seen!.headers.accept).toBe(FEED_ACCEPT);
    expect(seen!.headers['accept-encoding']).toBe('gzip, deflate, br');
    expect(seen!.headers['if-none-match']).toBeUndefined();
  });

  it('accept: any sends */*', async () => {
    let accept = '';
    const url = route('/any', (req, res) => {
      accept = String(req.headers.accept);
      res.end('x');
    });
    await fetcher.fetch({ url }, { accept: 'any' });
    expect(accept).toBe('*/*');
  });

  it('ETag: If-None-Match -> 304 -> not-modified keeping the validators', async () => {
    const url = route('/etag', (req, res) => {
      if (req.headers['if-none-match'] === '"abc"') {
        res.statusCode = 304;
        return res.end();
      }
      res.setHeader('etag', '"abc"');
      res.end(RSS('x'));
    });
    const first = await fetcher.fetch({ url });
    expect(first.kind).toBe('ok');
    const second = await fetcher.fetch({ url, etag: first.etag });
    expect(second).toMatchObject({
      kind: 'not-modified',
      etag: '"abc"',
      lastModified: null,
      finalUrl: url,
    });
  });

  it('Last-Modified: If-Modified-Since -> 304 -> not-modified keeping the validators', async () => {
    const lm = 'Wed, 21 Oct 2015 07:28:00 GMT';
    const url = route('/lm', (req, res) => {
      if (req.headers['if-modified-since'] === lm) {
        res.statusCode = 304;
        return res.end();
      }
      res.setHeader('last-modified', lm);
      res.end(RSS('x'));
    });
    const first = await fetcher.fetch({ url });
    expect(first.lastModified).toBe(lm);
    const second = await fetcher.fetch({ url, etag: null, lastModified: first.lastModified });
    expect(second).toMatchObject({ kind: 'not-modified', lastModified: lm, etag: null });
  });
});

describe('fetcher: compression and size cap', () => {
  const body = RSS('Compressed العربية '.repeat(50));
  const cases: [string, string, Buffer][] = [
    ['gzip', 'gzip', gzipSync(body)],
    ['deflate (zlib)', 'deflate', deflateSync(body)],
    ['deflate (raw)', 'deflate', deflateRawSync(body)],
    ['br', 'br', brotliCompressSync(body)],
  ];
  for (const [name, coding, bytes] of cases) {
    it(`decompresses ${name}`, async () => {
      const url = route(`/enc-${name.replace(/\W/g, '')}`, (_req, res) => {
        res.setHeader('content-encoding', coding);
        res.setHeader('content-type', 'application/xml');
        res.end(bytes);
      });
      const r = await fetcher.fetch({ url });
      expect(r.kind === 'ok' && r.body).toBe(body.replace(' encoding="UTF-8"', ''));
      expect(r.kind === 'ok' && r.bytes).toBe(Buffer.byteLength(body));
    });
  }

  it('stops a gzip bomb (256 MB of zeros in 256 KB) at the cap, quickly and with bounded memory', async () => {
    const member = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(new Array(16).fill(member)); // multi-member gzip: 256 MB inflated
    const url = route('/gzip-bomb', (_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(bomb);
    });
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const t0 = Date.now();
    const e = await failure(fetcher.fetch({ url }));
    clearInterval(sampler);
    expect(e.kind).toBe('too-large');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('stops a brotli bomb (256 MB of zeros in a few hundred bytes) at the cap', async () => {
    const bomb = brotliCompressSync(Buffer.alloc(256 * 1024 * 1024), {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5 },
    });
    expect(bomb.length).toBeLessThan(4096);
    const url = route('/br-bomb', (_req, res) => {
      res.setHeader('content-encoding', 'br');
      res.end(bomb);
    });
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const t0 = Date.now();
    const e = await failure(fetcher.fetch({ url }));
    clearInterval(sampler);
    expect(e.kind).toBe('too-large');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses an oversized body announced by Content-Length without reading it', async () => {
    let finished = false;
    const url = route('/big-cl', (_req, res) => {
      res.setHeader('content-length', String(50 * MAX));
      res.write(Buffer.alloc(1024));
      // never sends the rest; the fetcher must decide from the header alone
      res.on('close', () => (finished = true));
    });
    const t0 = Date.now();
    const e = await failure(fetcher.fetch({ url }));
    expect(e.kind).toBe('too-large');
    expect(e.message).toContain('Content-Length');
    expect(Date.now() - t0).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 50));
    expect(finished).toBe(true);
  });

  it('stops an oversized chunked body (no Content-Length) while streaming', async () => {
    let sent = 0;
    const url = route('/big-chunked', (_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (sent < 100 * MAX && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const e = await failure(fetcher.fetch({ url }));
    expect(e.kind).toBe('too-large');
    expect(sent).toBeLessThan(20 * MAX); // aborted long before the server was done
  });

  it('a slow body (slowloris) hits the total timeout', async () => {
    const url = route('/slow', (_req, res) => {
      res.setHeader('content-type', 'application/xml');
      res.write('<rss>');
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 100);
      res.on('close', () => clearInterval(t));
    });
    const t0 = Date.now();
    const e = await failure(fetcher.fetch({ url }));
    expect(e.kind).toBe('timeout');
    expect(e.permanent).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it("a caller's abort signal ends the fetch with the caller's reason", async () => {
    const url = route('/hang', () => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('shutting down')), 100);
    await expect(fetcher.fetch({ url }, { signal: ac.signal })).rejects.toThrow('shutting down');
  });
});

describe('fetcher: redirects', () => {
  const chain = (prefix: string, n: number, status: number) => {
    for (let i = 0; i < n; i++) {
      route(`/${prefix}${i}`, (_req, res) => {
        res.statusCode = status;
        res.setHeader('location', `/${prefix}${i + 1}`); // relative Location
        res.end();
      });
    }
    route(`/${prefix}${n}`, (_req, res) => res.end(RSS('end of chain')));
    return `${srv.base}/${prefix}0`;
  };

  it('follows 5 redirects (relative Location) but refuses 6', async () => {
    const ok = await fetcher.fetch({ url: chain('five', 5, 302) });
    expect(ok.kind === 'ok' && ok.body).toContain('end of chain');
    expect(ok.finalUrl).toBe(`${srv.base}/five5`);
    const e = await failure(fetcher.fetch({ url: chain('six', 6, 302) }));
    expect(e.kind).toBe('http');
    expect(e.message).toMatch(/more than 5 redirects/);
  });

  it('detects a redirect loop', async () => {
    route('/loop-a', (_req, res) => res.writeHead(301, { location: '/loop-b' }).end());
    route('/loop-b', (_req, res) => res.writeHead(301, { location: `${srv.base}/loop-a` }).end());
    const e = await failure(fetcher.fetch({ url: `${srv.base}/loop-a` }));
    expect(e.kind).toBe('http');
    expect(e.message).toMatch(/loop/);
  });

  it('refuses a redirect to a non-http scheme', async () => {
    for (const target of ['file:///etc/passwd', 'ftp://example.org/feed', 'javascript:alert(1)']) {
      const url = route('/to-other-scheme', (_req, res) =>
        res.writeHead(302, { location: target }).end(),
      );
      const e = await failure(fetcher.fetch({ url }));
      expect(e.kind).toBe('http');
      expect(e.permanent).toBe(true);
      expect(e.message).toMatch(/refused/);
    }
  });

  it('refuses non-http(s) URLs outright', async () => {
    const e = await failure(fetcher.fetch({ url: 'file:///etc/passwd' }));
    expect(e.kind).toBe('http');
  });

  it('sets permanentUrl only when every hop was 301/308', async () => {
    route('/p0', (_req, res) => res.writeHead(301, { location: '/p1' }).end());
    route('/p1', (_req, res) => res.writeHead(308, { location: '/p2' }).end());
    route('/p2', (_req, res) => res.end(RSS('moved')));
    const perm = await fetcher.fetch({ url: `${srv.base}/p0` });
    expect(perm.permanentUrl).toBe(`${srv.base}/p2`);
    expect(perm.finalUrl).toBe(`${srv.base}/p2`);
    expect(perm.requestedUrl).toBe(`${srv.base}/p0`);

    route('/m0', (_req, res) => res.writeHead(301, { location: '/m1' }).end());
    route('/m1', (_req, res) => res.writeHead(307, { location: '/p2' }).end());
    const mixed = await fetcher.fetch({ url: `${srv.base}/m0` });
    expect(mixed.permanentUrl).toBeNull();
    expect(mixed.finalUrl).toBe(`${srv.base}/p2`);
  });
});

describe('fetcher: HTTP errors', () => {
  it('404 and 410 are permanent http errors, 500 transient', async () => {
    for (const [status, permanent] of [
      [404, true],
      [410, true],
      [403, true],
      [500, false],
      [502, false],
    ] as const) {
      const url = route(`/status-${status}`, (_req, res) => res.writeHead(status).end('nope'));
      const e = await failure(fetcher.fetch({ url }));
      expect([e.kind, e.status, e.permanent]).toEqual(['http', status, permanent]);
    }
  });

  it('429 with Retry-After seconds and 503 with an HTTP date are rate-limited with retryAfterMs', async () => {
    const secs = route('/429', (_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    const e1 = await failure(fetcher.fetch({ url: secs }));
    expect([e1.kind, e1.status, e1.permanent, e1.retryAfterMs]).toEqual([
      'rate-limited',
      429,
      false,
      120_000,
    ]);

    const when = new Date(Date.now() + 3600_000).toUTCString();
    const date = route('/503', (_req, res) => res.writeHead(503, { 'retry-after': when }).end());
    const e2 = await failure(fetcher.fetch({ url: date }));
    expect([e2.kind, e2.status, e2.permanent]).toEqual(['rate-limited', 503, false]);
    expect(e2.retryAfterMs).toBeGreaterThan(3590_000);
    expect(e2.retryAfterMs).toBeLessThanOrEqual(3600_000);

    const dateFor429 = route('/429d', (_req, res) =>
      res.writeHead(429, { 'retry-after': when }).end(),
    );
    expect((await failure(fetcher.fetch({ url: dateFor429 }))).retryAfterMs).toBeGreaterThan(
      3590_000,
    );
  });
});

describe('fetcher: network errors', () => {
  it('a refused connection is a transient network error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await failure(fetcher.fetch({ url: `http://127.0.0.1:${port}/` }));
    expect([e.kind, e.permanent]).toEqual(['network', false]);
    expect(e.message).toContain('ECONNREFUSED');
  });

  it("names the error code once (Node's message already carries it: not 'ECONNREFUSED connect ECONNREFUSED')", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await failure(fetcher.fetch({ url: `http://127.0.0.1:${port}/` }));
    expect(e.message).toBe(
      `cannot fetch http://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('a server that never answers hits the timeout', async () => {
    const url = route('/silent', () => undefined);
    const e = await failure(fetcher.fetch({ url }));
    expect(e.kind).toBe('timeout');
  });

  it('a corrupt gzip body is a network error', async () => {
    const url = route('/bad-gzip', (_req, res) =>
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(Buffer.from('not gzip at all')),
    );
    const e = await failure(fetcher.fetch({ url }));
    expect(e.kind).toBe('network');
    expect(e.message).toMatch(/corrupt compressed body/);
  });
});

describe('fetcher: charsets', () => {
  const cases: {
    name: string;
    encoding: string;
    title: string;
    contentType: string;
    decl?: string;
    bom?: boolean;
    expect: string;
  }[] = [
    {
      name: 'windows-1256 Arabic (XML decl)',
      encoding: 'windows-1256',
      title: 'عنب بلدي: أخبار سوريا اليوم',
      contentType: 'application/rss+xml',
      expect: 'windows-1256',
    },
    {
      name: 'windows-1256 Arabic (HTTP ISO-8859-1 default, XML decl 1256)',
      encoding: 'windows-1256',
      title: 'مجلس الأمن يناقش الوضع في إدلب',
      contentType: 'text/xml; charset=ISO-8859-1',
      expect: 'windows-1256',
    },
    {
      name: 'ISO-8859-6 Arabic (HTTP charset)',
      encoding: 'iso-8859-6',
      title: 'أخبار العالم العربي',
      contentType: 'text/xml; charset=ISO-8859-6',
      decl: 'ISO-8859-6',
      expect: 'iso-8859-6',
    },
    {
      name: 'windows-1251 Russian',
      encoding: 'windows-1251',
      title: 'Новости дня: Карабах',
      contentType: 'application/xml',
      expect: 'windows-1251',
    },
    {
      name: 'KOI8-R Russian',
      encoding: 'koi8-r',
      title: 'Последние известия',
      contentType: 'application/xml; charset=koi8-r',
      expect: 'koi8-r',
    },
    {
      name: 'GBK Chinese',
      encoding: 'gbk',
      title: '中文新闻标题',
      contentType: 'application/xml',
      expect: 'gbk',
    },
    {
      name: 'Big5 Chinese',
      encoding: 'big5',
      title: '繁體中文新聞',
      contentType: 'application/xml; charset=big5',
      expect: 'big5',
    },
    {
      name: 'Shift_JIS Japanese',
      encoding: 'shift_jis',
      title: '日本語のニュース',
      contentType: 'application/xml',
      expect: 'shift_jis',
    },
    {
      name: 'EUC-KR Korean',
      encoding: 'euc-kr',
      title: '한국어 뉴스 제목',
      contentType: 'application/xml',
      expect: 'euc-kr',
    },
    {
      name: 'UTF-16LE with BOM',
      encoding: 'utf-16le',
      title: 'مرحبا UTF-16 ☕',
      contentType: 'application/xml',
      bom: true,
      decl: 'UTF-16',
      expect: 'utf-16le',
    },
    {
      name: 'UTF-16BE with BOM',
      encoding: 'utf-16be',
      title: 'مرحبا UTF-16BE',
      contentType: 'application/xml',
      bom: true,
      decl: 'UTF-16',
      expect: 'utf-16be',
    },
    {
      name: 'UTF-32LE with BOM',
      encoding: 'utf-32le',
      title: 'مرحبا UTF-32 𝄞',
      contentType: 'application/xml',
      bom: true,
      decl: 'UTF-32',
      expect: 'utf-32le',
    },
    {
      name: 'UTF-8 declared ISO-8859-1',
      encoding: 'utf-8',
      title: 'قره باغ — Café',
      contentType: 'text/xml; charset=ISO-8859-1',
      decl: 'ISO-8859-1',
      expect: 'utf-8',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const xml = RSS(c.title, c.decl ?? c.encoding);
      const bytes = iconv.encode(xml, c.encoding, { addBOM: c.bom ?? false });
      if (c.bom) expect(bytes[0] === 0xff || bytes[0] === 0xfe || bytes[0] === 0xef).toBe(true);
      const url = route(`/cs-${c.name.replace(/\W/g, '')}`, (_req, res) => {
        res.setHeader('content-type', c.contentType);
        res.end(bytes);
      });
      const r = await fetcher.fetch({ url });
      if (r.kind !== 'ok') throw new Error('expected ok');
      expect(r.charset).toBe(c.expect);
      expect(r.body).toContain(`<title>${c.title}</title>`);
      expect(r.body).not.toContain('\ufffd');
      expect(r.body.charCodeAt(0)).not.toBe(0xfeff);
      expect(r.body.startsWith('<?xml version="1.0"?>')).toBe(true); // encoding pseudo-attribute gone
    });
  }
});

describe('fetcher: SSRF guard with the default policy', () => {
  let guarded: Fetcher;
  beforeAll(() => {
    guarded = createFetcher({
      timeoutMs: 1500,
      maxBytes: MAX,
      userAgent: 't',
      allowPrivateNetworks: false,
      maxRedirects: 5,
    });
  });
  afterAll(() => guarded.close());

  it('refuses loopback, private, link-local, CGNAT and unspecified targets without connecting', async () => {
    const p = srv.port;
    const targets = [
      `http://127.0.0.1:${p}/`,
      `http://localhost:${p}/`,
      `http://[::1]:${p}/`,
      `http://0.0.0.0:${p}/`,
      `http://2130706433:${p}/`,
      `http://0x7f.1:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://169.254.169.254/latest/meta-data/`,
      `http://10.0.0.1/`,
      `http://100.64.0.1/`,
      `http://[fd00::1]/`,
    ];
    const before = srv.connections;
    for (const url of targets) {
      const e = await failure(guarded.fetch({ url }));
      expect([url, e.kind, e.permanent]).toEqual([url, 'blocked-address', true]);
    }
    expect(srv.connections).toBe(before);
  });

  it('allowPrivateNetworks: true reaches loopback', async () => {
    const open = createFetcher({
      timeoutMs: 1500,
      maxBytes: MAX,
      userAgent: 't',
      allowPrivateNetworks: true,
      maxRedirects: 5,
    });
    try {
      const url = route('/private-ok', (_req, res) => res.end('ok'));
      const r = await open.fetch({ url: url.replace('127.0.0.1', 'localhost') });
      expect(r.kind === 'ok' && r.body).toBe('ok');
    } finally {
      await open.close();
    }
  });

  it('checks names at connect time: a name resolving only to refused addresses fails in lookup', async () => {
    const none = createFetcher({
      timeoutMs: 1500,
      maxBytes: MAX,
      userAgent: 't',
      allowPrivateNetworks: false,
      maxRedirects: 5,
      addressPolicy: () => false,
    });
    try {
      const before = srv.connections;
      const e = await failure(none.fetch({ url: `http://localhost:${srv.port}/basic` }));
      expect(e.kind).toBe('blocked-address');
      expect(srv.connections).toBe(before);
    } finally {
      await none.close();
    }
    // the same name passes when the policy allows what it resolves to
    const r = await fetcher.fetch({ url: `http://localhost:${srv.port}/basic` });
    expect(r.kind).toBe('ok');
  });

  it('a redirect from an allowed host to a blocked one fails with blocked-address', async () => {
    let reached = 0;
    const other = createServer((_req, res) => {
      reached++;
      res.end('internal');
    });
    await new Promise<void>((r) => other.listen(srv.port, '127.0.0.2', r));
    try {
      const url = route('/to-internal', (_req, res) =>
        res.writeHead(302, { location: `http://127.0.0.2:${srv.port}/` }).end(),
      );
      const e = await failure(fetcher.fetch({ url }));
      expect(e.kind).toBe('blocked-address');
      expect(reached).toBe(0);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });
});
