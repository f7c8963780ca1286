// The serve baseline: a bare node:http server returning the exact bytes and headers the product
// served (plus the same 304 and gzip answers), with nothing in between — no router, no Redis
// version check, no cache lookup. Run as a child process:
//   node --import tsx bench/bare-server.ts <snapshot.json>    -> prints "port <n>" when listening
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Snapshot {
  headers: Record<string, string>;
  body: string; // base64
  gzip: string; // base64
}

const snap = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Snapshot;
const body = Buffer.from(snap.body, 'base64');
const gzip = Buffer.from(snap.gzip, 'base64');
const etag = snap.headers['etag'] ?? '';
const base = Object.fromEntries(
  Object.entries(snap.headers).filter(
    ([k]) =>
      ![
        'content-length',
        'content-encoding',
        'date',
        'connection',
        'keep-alive',
        'transfer-encoding',
      ].includes(k),
  ),
);

const server = createServer((req, res) => {
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === etag)) {
    res.writeHead(304, base).end();
    return;
  }
  const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const b = gz ? gzip : body;
  res.writeHead(200, {
    ...base,
    'Content-Length': String(b.length),
    ...(gz ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(b);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
