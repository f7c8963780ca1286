// A source's own request settings (`sources[].fetch`) applied to a fetch, and the HTTP status of
// every poll remembered on the source (`lastHttpStatus`). Credentials are read from the
// environment variables the config names, at the moment of the request; they live only in the
// request's headers, sent to the configured feed URL's origin only (fetcher.ts enforces it on
// every redirect hop).
import type { FetchRequest, FetchResult, SourceConfig } from '../domain/types.ts';
import { FeedError, isFeedError } from '../domain/errors.ts';
import { secretFromEnv } from '../config/secrets.ts';
import type { Store } from '../store/index.ts';
import { fetchPolitely } from './polite-fetch.ts';
import type { Fetcher } from './fetch/fetcher.ts';
import type { HostLimiter } from '../store/host-limiter.ts';

function missing(source: SourceConfig, key: string, name: string): FeedError {
  return new FeedError(
    'http',
    `source "${source.id}": environment variable ${name} (fetch.auth.${key}) is not set; not fetching without its credentials`,
    { permanent: true },
  );
}

/** The `Authorization` value a source's `fetch.auth` asks for, or null; throws when its variable is unset. */
export function authorizationFor(source: SourceConfig): string | null {
  const auth = source.fetch?.auth;
  if (!auth) return null;
  if ('basic' in auth) {
    const password = secretFromEnv(auth.basic.passwordEnv);
    if (password === null) throw missing(source, 'basic.passwordEnv', auth.basic.passwordEnv);
    return `Basic ${Buffer.from(`${auth.basic.user}:${password}`, 'utf8').toString('base64')}`;
  }
  const token = secretFromEnv(auth.bearerEnv);
  if (token === null) throw missing(source, 'bearerEnv', auth.bearerEnv);
  return `Bearer ${token}`;
}

/** The origin a source's headers and credentials may go to: its configured feed URL's. */
export function credentialsOrigin(source: SourceConfig): string | null {
  return URL.canParse(source.url) ? new URL(source.url).origin : null;
}

/** `req` with the source's user agent, headers, credentials and charset (for `url` on its origin only). */
export function withSourceSettings(req: FetchRequest, source: SourceConfig): FetchRequest {
  const f = source.fetch;
  if (!f) return req;
  return {
    ...req,
    userAgent: f.userAgent ?? null,
    headers: f.headers ?? {},
    authorization: authorizationFor(source),
    credentialsOrigin: credentialsOrigin(source),
    charset: f.charset ?? null,
  };
}

/** A poll's fetch: the source's settings, the host's politeness slot, and its HTTP status remembered. */
export async function fetchForSource(
  deps: { fetcher: Fetcher; hostLimiter: HostLimiter | null; store: Store },
  source: SourceConfig,
  target: FetchRequest,
  signal?: AbortSignal,
): ReturnType<typeof fetchPolitely> {
  let result: FetchResult | { hostBusy: FeedError };
  try {
    result = await fetchPolitely(deps, withSourceSettings(target, source), signal);
  } catch (e) {
    if (isFeedError(e))
      await deps.store.sources.patchState(source.id, { lastHttpStatus: e.status ?? null });
    throw e;
  }
  if (!('hostBusy' in result))
    await deps.store.sources.patchState(source.id, {
      lastHttpStatus: result.kind === 'ok' ? result.status : 304,
    });
  return result;
}
