// Loads a YAML config file, validates it, and merges the environment: the only place that reads
// process.env. Errors name the file, the key path and the line.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, isMap, isScalar } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import type { Config, EnvConfig, FileConfig } from '../domain/types.ts';
import { ConfigError } from '../domain/errors.ts';
import { fileConfigSchema, referenceIssues } from './schema.ts';
import { webhookSecretProblem } from './secrets.ts';

export const DEFAULT_CONFIG_PATH = 'config/default.yaml';

type Env = Record<string, string | undefined>;

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

type Path = (string | number)[];
type Problem = { path: string; message: string; line: number | null };

/** The line of the value at path, or of the deepest part of the path that exists. */
function lineOf(doc: Document, lc: LineCounter, path: Path): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return null;
}

/** The line of a key itself (a block mapping's value may start on the next line). */
function keyLine(doc: Document, lc: LineCounter, path: Path, key: string): number | null {
  const map = path.length ? doc.getIn(path, true) : doc.contents;
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isScalar(pair.key) && pair.key.value === key && pair.key.range)
        return lc.linePos(pair.key.range[0]).line;
    }
  }
  return lineOf(doc, lc, path);
}

/** The keys the schema allows in the object at path (for "did you mean"). */
function keysAt(schema: z.ZodType, path: Path): string[] {
  let s = schema as unknown as { _zod: { def: Record<string, unknown> } };
  const unwrap = () => {
    for (;;) {
      const def = s._zod.def;
      if (def.innerType) s = def.innerType as typeof s;
      else if (def.type === 'pipe') s = def.in as typeof s;
      else return;
    }
  };
  unwrap();
  for (const p of path) {
    const def = s._zod.def;
    if (typeof p === 'number' && def.type === 'array') s = def.element as typeof s;
    else if (typeof p === 'string' && def.type === 'object')
      s = (def.shape as Record<string, typeof s>)[p] ?? s;
    else return [];
    unwrap();
  }
  const def = s._zod.def;
  return def.type === 'object' ? Object.keys(def.shape as object) : [];
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** The allowed key closest to a misspelt one, if close enough to be a typo. */
export function didYouMean(key: string, allowed: readonly string[]): string | null {
  let best: { k: string; d: number } | null = null;
  for (const k of allowed) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { k, d };
  }
  if (!best) return null;
  const limit = best.k.length <= 3 ? 1 : Math.max(2, Math.floor(best.k.length / 3));
  return best.d <= limit ? best.k : null;
}

/**
 * Every problem of a config that does not validate, each at its own line: schema issues (one per
 * unknown key, with "did you mean"), then duplicate ids and unknown references (checked on the raw
 * data, since the schema's own cross-checks run only once everything else parses).
 */
function configProblems(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  doc: Document,
  lc: LineCounter,
): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  const add = (path: Path, message: string, line: number | null) => {
    const p = formatPath(path);
    if (seen.has(`${p}\0${message}`)) return;
    seen.add(`${p}\0${message}`);
    out.push({ path: p, message, line });
  };
  for (const issue of issues) {
    const path = issue.path as Path;
    if (issue.code === 'unrecognized_keys') {
      const allowed = keysAt(fileConfigSchema, path);
      for (const key of issue.keys) {
        const hint = didYouMean(key, allowed);
        add(
          [...path, key],
          `unknown key${hint ? ` (did you mean "${hint}"?)` : allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`,
          keyLine(doc, lc, path, key),
        );
      }
    } else add(path, issue.message, lineOf(doc, lc, path));
  }
  for (const r of referenceIssues(data)) add(r.path, r.message, lineOf(doc, lc, r.path));
  return out.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
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
    throw new ConfigError(file, configProblems(result.error.issues, data, doc, lineCounter));
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
    if (h.secretEnv === null) return h;
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
    const problem = webhookSecretProblem(v, `${h.secretEnv} must hold`);
    if (problem) {
      issues.push({ path: key, message: problem, line: null });
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
    const err = e as NodeJS.ErrnoException;
    // "no such file or directory", not "ENOENT: no such file or directory, open '…'" (the path
    // is already at the start of the line).
    const reason =
      err.code && err.syscall
        ? (/^\w+: ([^,]+)/.exec(err.message)?.[1] ?? err.message)
        : err.message;
    const message = `cannot read file: ${reason}`;
    throw new ConfigError(path, [{ path: '', message, line: null }], reason);
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
  logLevel: string | null;
} {
  return {
    logLevel: env.LOG_LEVEL || null,
    configPath: env.TRIBUTARY_CONFIG || null,
    dataDir: env.DATA_DIR ? resolve(env.DATA_DIR) : null,
    debug: env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace',
  };
}

/** Whether we are in a terminal (for pretty logs and progress bars). */
export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY) && process.env.CI !== 'true';
}
