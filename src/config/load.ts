// Loads a YAML config file, validates it, and merges the environment: the only place that reads
// process.env. Errors name the file, the key path and the line.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { Config, EnvConfig, FileConfig } from '../domain/types.ts';
import { ConfigError } from '../domain/errors.ts';
import { fileConfigSchema } from './schema.ts';

export const DEFAULT_CONFIG_PATH = 'config/default.yaml';

type Env = Record<string, string | undefined>;

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/** Parses and validates config text; `file` is only used in messages. */
export function parseConfigText(
  text: string,
  file: string,
  vars: Record<string, string> = {},
): FileConfig {
  const substituted = text.replace(
    /\$\{([A-Z0-9_]+)\}/g,
    (whole, name: string) => vars[name] ?? whole,
  );
  const lineCounter = new LineCounter();
  const doc = parseDocument(substituted, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
        line: lineCounter.linePos(e.pos[0]).line,
      })),
    );
  }
  const data: unknown = doc.toJS() ?? {};
  const result = fileConfigSchema.safeParse(data);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => {
        // Find the deepest node that exists on the path, for a line number.
        let line: number | null = null;
        for (let n = issue.path.length; n >= 0 && line === null; n--) {
          const node = doc.getIn(issue.path.slice(0, n) as (string | number)[], true);
          if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
        }
        return { path: formatPath(issue.path), message: issue.message, line };
      }),
    );
  }
  const cfg = result.data;
  return {
    ...cfg,
    sources: cfg.sources.map((s) => ({ ...s, origin: 'config' as const })),
    webhooks: cfg.webhooks.map((h) => ({ ...h, secret: null })),
  };
}

/**
 * Reads each webhook's signing secret from the environment variable its `secretEnv` names: a
 * Standard Webhooks secret `whsec_<base64 of 24–64 bytes>`. Anything else is a config error
 * naming the file and key (the value itself is never shown).
 */
export function resolveWebhookSecrets(file: FileConfig, env: Env, path: string): FileConfig {
  const issues: { path: string; message: string; line: null }[] = [];
  const webhooks = file.webhooks.map((h, i) => {
    const key = `webhooks[${i}].secretEnv`;
    const v = env[h.secretEnv];
    if (v === undefined || v === '') {
      issues.push({
        path: key,
        message: `environment variable ${h.secretEnv} is not set`,
        line: null,
      });
      return h;
    }
    const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(v.trim());
    const bytes = m ? Buffer.from(m[1]!, 'base64').length : 0;
    if (!m || bytes < 24 || bytes > 64) {
      issues.push({
        path: key,
        message: `${h.secretEnv} must hold whsec_<base64 of 24 to 64 random bytes>${
          m
            ? ` (it decodes to ${bytes} bytes)`
            : v.startsWith('whsec_')
              ? ''
              : ' (no whsec_ prefix)'
        }`,
        line: null,
      });
      return h;
    }
    return { ...h, secret: v.trim() };
  });
  if (issues.length > 0) throw new ConfigError(path, issues);
  return { ...file, webhooks };
}

export function loadConfigFile(path: string, vars: Record<string, string> = {}): FileConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [
      { path: '', message: `cannot read file: ${(e as Error).message}`, line: null },
    ]);
  }
  return parseConfigText(text, path, vars);
}

function envBool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined || v === '') return dflt;
  return !/^(0|false|no|off)$/i.test(v.trim());
}

export function readEnv(env: Env = process.env, overrides: Partial<EnvConfig> = {}): EnvConfig {
  const port = env.PORT ? Number(env.PORT) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('environment', [
      { path: 'PORT', message: `not a port number: ${env.PORT}`, line: null },
    ]);
  }
  return {
    redisUrl: env.REDIS_URL || null,
    port,
    host: env.HOST || '127.0.0.1',
    configPath: env.TRIBUTARY_CONFIG || DEFAULT_CONFIG_PATH,
    adminToken: env.ADMIN_TOKEN || null,
    dataDir: resolve(env.DATA_DIR || './data'),
    logLevel: env.LOG_LEVEL || 'info',
    redisServerBin: env.REDIS_SERVER_BIN || null,
    autoRedis: envBool(env.TRIBUTARY_AUTO_REDIS, true),
    redisPrefix: env.TRIBUTARY_REDIS_PREFIX || 'trib',
    ...overrides,
  };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** The entry point's one call: env + file -> frozen Config. */
export function loadConfig(
  opts: {
    path?: string | null;
    env?: Env;
    envOverrides?: Partial<EnvConfig>;
    vars?: Record<string, string>;
  } = {},
): Config {
  const envCfg = readEnv(opts.env ?? process.env, opts.envOverrides);
  const path = opts.path ?? envCfg.configPath;
  const file = resolveWebhookSecrets(
    loadConfigFile(path, opts.vars),
    opts.env ?? process.env,
    path,
  );
  return deepFreeze({ ...file, env: { ...envCfg, configPath: path } });
}

/** Which settings the user gave explicitly (the demo picks its own defaults otherwise). */
export function explicitEnv(env: Env = process.env): {
  configPath: string | null;
  dataDir: string | null;
  debug: boolean;
} {
  return {
    configPath: env.TRIBUTARY_CONFIG || null,
    dataDir: env.DATA_DIR ? resolve(env.DATA_DIR) : null,
    debug: env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace',
  };
}

/** Whether we are in a terminal (for pretty logs and progress bars). */
export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY) && process.env.CI !== 'true';
}
