// site.baseUrl when the config does not set it: derived from where the server listens (HOST and
// PORT), so `PORT=8099 npm start` puts http://localhost:8099 in subscribe links and /opml. A set
// baseUrl that names this machine on another port gets a warning at start.
import { createServer } from 'node:net';
import type { Config } from '../domain/types.ts';

const LOOPBACK = new Set(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', '']);

/** The URL a local user reaches a server listening on host:port with. */
export function derivedBaseUrl(host: string, port: number): string {
  const h = LOOPBACK.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/**
 * Why a set baseUrl looks wrong for where we listen, or null. Only a baseUrl naming this machine
 * (localhost, a loopback address or HOST itself) is checked: behind a reverse proxy the public
 * address rightly differs from the listening one.
 */
export function baseUrlMismatch(baseUrl: string, host: string, port: number): string | null {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    return null;
  }
  const h = u.hostname.replace(/^\[|\]$/g, '');
  if (!LOOPBACK.has(h) && h !== host) return null;
  const p = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  if (p === port) return null;
  return `site.baseUrl ${baseUrl} does not match where the server listens (${derivedBaseUrl(host, port)}): subscribe links and /opml point to port ${p}. Unset site.baseUrl to derive it from HOST and PORT, or set it to the public address.`;
}

/** A free TCP port on host (to know the port, and so the baseUrl, before the app is built). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The config with site.baseUrl filled in from host:port when the file left it unset. */
export function withBaseUrl(config: Config, host: string, port: number): Config {
  if (config.site.baseUrl) return config;
  return { ...config, site: { ...config.site, baseUrl: derivedBaseUrl(host, port) } };
}
