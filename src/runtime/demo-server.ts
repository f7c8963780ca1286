// A loopback HTTP server for the bundled demo feeds (demo/feeds), with ETag and Last-Modified so
// the demo exercises conditional polling too. Also used by tests as a fixture server.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.rss': 'application/rss+xml',
  '.xml': 'application/xml',
  '.atom': 'application/atom+xml',
  '.json': 'application/feed+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};

export interface FixtureServer {
  port: number;
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * The demo's fixture port: stable across restarts, because every stored article's links and
 * images carry it (a port that moved on restart left every stored image pointing nowhere).
 * When it is taken, a free port is used (and the demo says so).
 */
export const DEMO_FIXTURE_PORT = 8079;

/**
 * Serves `dir/feeds` under /feeds/ and `dir/img` under /img/; `${DEMO_PORT}` inside feeds is
 * replaced. `port` is tried first; with `fallbackToFree`, a port in use falls back to a free one.
 */
export async function startFixtureServer(
  dir: string,
  opts: {
    port?: number;
    fallbackToFree?: boolean;
    charsetFor?: (file: string) => string | null;
  } = {},
): Promise<FixtureServer> {
  try {
    return await listenFixtureServer(dir, opts.port ?? 0, opts.charsetFor);
  } catch (err) {
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    if (!inUse || !opts.fallbackToFree || !opts.port) throw err;
    return listenFixtureServer(dir, 0, opts.charsetFor);
  }
}

function listenFixtureServer(
  dir: string,
  listenPort: number,
  charsetFor?: (file: string) => string | null,
): Promise<FixtureServer> {
  let port = 0;
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const m = /^\/(feeds|img)\/(.+)$/.exec(url.pathname);
      const rel = m ? normalize(decodeURIComponent(m[2]!)) : null;
      if (!rel || rel.startsWith('..') || rel.includes('\0')) {
        res.writeHead(404).end('not found');
        return;
      }
      const file = join(dir, m![1]!, rel);
      const st = await stat(file).catch(() => null);
      if (!st?.isFile()) {
        res.writeHead(404).end('not found');
        return;
      }
      let body = await readFile(file);
      if (['.rss', '.xml', '.atom', '.json'].includes(extname(file))) {
        body = Buffer.from(
          body.toString('latin1').replaceAll('${DEMO_PORT}', String(port)),
          'latin1',
        );
      }
      const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
      const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString();
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ETag: etag, 'Last-Modified': lastModified }).end();
        return;
      }
      const charset = charsetFor?.(rel);
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, {
        'Content-Type': charset ? `${type}; charset=${charset}` : type,
        ETag: etag,
        'Last-Modified': lastModified,
        'Content-Length': body.length,
      });
      res.end(body);
    } catch {
      res.writeHead(500).end('error');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        server,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
