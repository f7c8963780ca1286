// The one error vocabulary of the fetch/parse boundary (DESIGN.md rule 4).

export type FeedErrorKind =
  | 'timeout'
  | 'network'
  | 'http'
  | 'rate-limited'
  | 'too-large'
  | 'blocked-address'
  | 'parse'
  | 'not-a-feed';

const PERMANENT_BY_DEFAULT: ReadonlySet<FeedErrorKind> = new Set(['blocked-address', 'not-a-feed']);

export interface FeedErrorOptions {
  /** Permanent errors end the job without retries. Defaults by kind. */
  permanent?: boolean;
  /** HTTP status, when there was one. */
  status?: number;
  /** From Retry-After, ms. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class FeedError extends Error {
  override readonly name = 'FeedError';
  readonly kind: FeedErrorKind;
  readonly permanent: boolean;
  readonly status: number | null;
  readonly retryAfterMs: number | null;

  constructor(kind: FeedErrorKind, message: string, options: FeedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.permanent = options.permanent ?? PERMANENT_BY_DEFAULT.has(kind);
    this.status = options.status ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

export function isFeedError(e: unknown): e is FeedError {
  return e instanceof FeedError;
}

/** A config file that does not validate: names file, key path and problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: { path: string; message: string; line: number | null }[],
    /** Replaces the list of problems: the file could not be read at all. */
    unreadable?: string,
  ) {
    super(
      unreadable !== undefined
        ? `${file}: cannot read the config file: ${unreadable}`
        : `${file}: invalid config\n` +
            problems
              .map(
                (p) => `  ${p.line ? `line ${p.line}: ` : ''}${p.path || '(root)'}: ${p.message}`,
              )
              .join('\n'),
    );
  }
}
