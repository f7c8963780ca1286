// The `tributary` command: start, demo, preview, check-config, import-opml, retag.
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config, Role } from './domain/types.ts';
import { ConfigError, FeedError } from './domain/errors.ts';
import { loadConfig, loadConfigFile, isInteractive, readEnv, explicitEnv } from './config/load.ts';
import { createLogger } from './runtime/logger.ts';
import type { Logger } from './runtime/logger.ts';
import type { Running } from './runtime/start.ts';
// Commands import what they need when they run, so `check-config` and `help` start fast.

/** The package root (config/, demo/): src/.. in the sources, dist/src/../.. in the build. */
const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

const USAGE = `Usage: tributary <command> [options]

Commands:
  start [--config FILE] [--role all|server|worker]   run the service (default role: all)
  demo                                              run the offline demo with bundled feeds
  preview URL [--config FILE] [--json] [--full-text]
                                                    fetch and process one feed, store nothing
                                                    (--full-text: extract each item's linked page)
  check-config [FILE]                               validate a config file
  import-opml FILE [--section ID] [--config FILE] [--no-verify]
                                                    add an OPML's feeds as runtime sources
                                                    (each checked like the admin API, unless --no-verify)
  retag [--dry-run] [--config FILE]                 re-apply tag rules and sections to stored articles
  --version                                         print the version
`;

class UsageError extends Error {}

function logger(config: { env: { logLevel: string } } | null, name?: string): Logger {
  return createLogger({
    level: config?.env.logLevel ?? 'info',
    pretty: isInteractive(),
    name,
    destination: 2,
  });
}

/** For one-shot commands (retag, import-opml): only warnings unless LOG_LEVEL asks for more, so
 * their human output is not mixed with log lines. */
function quietLogger(config: Config): Logger {
  return logger({ env: { logLevel: explicitEnv().logLevel ? config.env.logLevel : 'warn' } });
}

function banner(run: Running, config: Config, extra: string[] = [], runtimeSources = 0): string {
  const lines = [
    '',
    `  Tributary is running${run.server ? ` at ${run.server.url}` : ' (worker role)'}`,
    `  config    ${config.env.configPath}`,
    `  sections  ${config.sections.map((s) => `${s.id} (${s.title})`).join(', ') || '(none)'}`,
    `  sources   ${config.sources.length} in config${runtimeSources ? `, ${runtimeSources} added at run time (admin API, OPML)` : ''}`,
    run.embeddedRedis
      ? `  data      ${config.env.dataDir} (embedded redis-server on ${run.redisUrl}, AOF on)`
      : `  redis     ${run.redisUrl.replace(/\/\/[^@]*@/, '//***@')}`,
    ...extra,
    '  Ctrl-C to stop.',
    '',
  ];
  return lines.join('\n');
}

function onSignals(stop: () => Promise<void>, log: Logger) {
  let count = 0;
  const handler = (sig: string) => {
    count++;
    if (count > 1) {
      log.warn(`${sig} again: exiting now`);
      process.exit(1);
    }
    log.info(`${sig}: shutting down (finishing active jobs)…`);
    stop().then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (err: Error) => {
        log.error({ err }, `shutdown failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
  // The terminal closed: a clean stop like SIGTERM (the embedded Redis stopped, its lock released),
  // with stdout/stderr possibly gone (writes to them fail; that must not crash the stop).
  process.on('SIGHUP', () => {
    for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
    handler('SIGHUP');
  });
}

async function cmdStart(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, role: { type: 'string', default: 'all' } },
  });
  const role = values.role as Role;
  if (!['all', 'server', 'worker'].includes(role))
    throw new UsageError(`--role must be all, server or worker (got "${role}")`);
  const config = loadConfig({ path: values.config ?? null });
  const log = logger(config);
  const { startTributary } = await import('./runtime/start.ts');
  const run = await startTributary({ config, role, log });
  onSignals(() => run.stop(), log);
  const runtime = await run.store.sources.listRuntime().catch(() => []);
  process.stdout.write(banner(run, run.config, [], runtime.length));
}

async function cmdDemo(args: string[]) {
  parseArgs({ args, options: {} });
  const explicit = explicitEnv();
  const { startFixtureServer, DEMO_FIXTURE_PORT } = await import('./runtime/demo-server.ts');
  const { startTributary } = await import('./runtime/start.ts');
  const { enqueueRefresh } = await import('./queues/queues.ts');
  const { allSources } = await import('./catalog/sources.ts');
  const wantPort = DEMO_FIXTURE_PORT;
  const fixtures = await startFixtureServer(join(ROOT, 'demo'), {
    port: wantPort,
    fallbackToFree: true,
    charsetFor: (f) => (f.includes('1256') ? 'windows-1256' : null),
  });
  const config = loadConfig({
    path: explicit.configPath ?? join(ROOT, 'config', 'demo.yaml'),
    vars: { DEMO_PORT: String(fixtures.port) },
    envOverrides: { dataDir: explicit.dataDir ?? resolve('data', 'demo'), redisPrefix: 'demo' },
  });
  const log = logger(config);
  const run = await startTributary({ config, role: 'all', log });
  onSignals(async () => {
    await run.stop();
    await fixtures.close();
  }, log);
  const sources = await allSources(config, run.store);
  for (const s of sources) await enqueueRefresh(run.queue, s.id);
  process.stdout.write(
    banner(
      run,
      run.config,
      [
        `  demo      ${config.sources.length} bundled feeds served from ${fixtures.url}/feeds/`,
        ...(fixtures.port === wantPort
          ? []
          : [
              `  demo      port ${wantPort} was taken: fixtures moved to ${fixtures.port}, so links stored by an earlier run point elsewhere`,
            ]),
      ],
      sources.length - config.sources.length,
    ),
  );
  // Progress until every source has been polled once.
  const t0 = Date.now();
  for (;;) {
    const states = await Promise.all(config.sources.map((s) => run.store.sources.getState(s.id)));
    const done = states.filter((s) => s.lastFetch).length;
    if (done === states.length || Date.now() - t0 > 60_000) {
      const articles = states.reduce((n, s) => n + s.articleCount, 0);
      const counts = await Promise.all(
        config.sections.map(async (s) => `${s.id} ${await run.store.sections.count(s.id)}`),
      );
      process.stdout.write(
        `  demo ready: ${done}/${states.length} feeds polled, ${articles} articles; sections: ${counts.join(', ')}\n  open ${run.server?.url}/\n\n`,
      );
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function fullTextLine(f: {
  outcome: string;
  detail: string;
  feedChars: number;
  pageChars: number;
  autoUses: boolean;
}): string {
  if (f.outcome !== 'extracted')
    return `${f.outcome}${f.detail ? ` (${f.detail})` : ''}; the feed's ${f.feedChars} characters stay`;
  return `extracted ${f.pageChars} characters (feed: ${f.feedChars}); fullText: auto ${f.autoUses ? 'uses it' : 'keeps the feed text'}`;
}

async function cmdPreview(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      'full-text': { type: 'boolean', default: false },
    },
  });
  const url = positionals[0];
  if (!url) throw new UsageError('preview needs a URL');
  const config = loadConfig({ path: values.config ?? null });
  const { previewFeedWithSource } = await import('./catalog/preview.ts');
  const { formatDuration } = await import('./config/units.ts');
  const res = await previewFeedWithSource(config, url, new Date(), {
    fullText: values['full-text'],
  });
  const articles = res.articles;
  const found = res.discoveredFrom
    ? `${res.discoveredFrom} is an HTML page; using the feed it announces: ${res.feedUrl}\n`
    : '';
  if (values.json) {
    // stdout stays pure JSON; the discovery note goes to stderr.
    if (found) process.stderr.write(found);
    process.stdout.write(JSON.stringify(articles, null, 2) + '\n');
    return;
  }
  process.stdout.write(found);
  const maxAge = formatDuration(config.retention.maxAge);
  for (const a of articles) {
    const old = a.tooOld ? `  (older than retention.maxAge ${maxAge}: a poll skips it)` : '';
    process.stdout.write(
      `${a.published}  [${a.lang}] ${a.title}${old}\n    ${a.url ?? '(no link)'}\n    tags: ${a.tags.join(', ') || '-'}\n`,
    );
    if (a.fullText) process.stdout.write(`    full text: ${fullTextLine(a.fullText)}\n`);
  }
  const old = articles.filter((a) => a.tooOld).length;
  process.stdout.write(
    `${articles.length} articles${old ? `; ${old} older than retention.maxAge (${maxAge}) would be skipped` : ''}\n`,
  );
}

function cmdCheckConfig(args: string[]) {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const file = positionals[0] ?? readEnv().configPath;
  // demo.yaml names the fixture server's port as ${DEMO_PORT}; any port validates.
  const cfg = loadConfigFile(file, { DEMO_PORT: '8081' });
  process.stdout.write(
    `${file}: ok (${cfg.sources.length} sources, ${cfg.tags.length} tags, ${cfg.sections.length} sections)\n`,
  );
}

async function cmdImportOpml(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      section: { type: 'string' },
      'no-verify': { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (!file) throw new UsageError('import-opml needs an OPML file');
  const config = loadConfig({ path: values.config ?? null });
  if (values.section && !config.sections.some((s) => s.id === values.section)) {
    throw new UsageError(
      `unknown section "${values.section}" (config has: ${config.sections.map((s) => s.id).join(', ')})`,
    );
  }
  const log = quietLogger(config);
  const { withStore } = await import('./runtime/with-store.ts');
  const { importOpmlFile } = await import('./catalog/opml-import.ts');
  await withStore(config, log, async (store) => {
    const verify = !values['no-verify'];
    const res = await importOpmlFile(config, store, file, {
      section: values.section ?? null,
      verify,
    });
    process.stdout.write(formatImportReport(file, res, verify));
  });
}

function formatImportReport(
  file: string,
  res: {
    added: string[];
    skipped: unknown[];
    feeds: { url: string; outcome: string; id?: string; feedUrl?: string; reason?: string }[];
  },
  verify: boolean,
): string {
  if (res.feeds.length === 0) return `${file}: no feed outlines (xmlUrl) found; nothing imported\n`;
  const lines = [
    `imported ${res.added.length} of ${res.feeds.length} feeds${res.added.length === 0 ? ' (all skipped)' : ''}${verify ? '' : ' (not verified: --no-verify)'}`,
  ];
  for (const f of res.feeds) {
    lines.push(
      f.outcome === 'added'
        ? `  added    ${f.id}  ${f.feedUrl ?? f.url}${f.feedUrl ? ` (found on ${f.url})` : ''}`
        : `  skipped  ${f.url}: ${f.reason}`,
    );
  }
  return lines.join('\n') + '\n';
}

async function cmdRetag(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const config = loadConfig({ path: values.config ?? null });
  const log = quietLogger(config);
  const dryRun = values['dry-run'] ?? false;
  const { withStore } = await import('./runtime/with-store.ts');
  const { runRetag, formatRetagReport, progressBar } = await import('./curate/retag.ts');
  const { createRulesView } = await import('./catalog/rules.ts');
  await withStore(config, log, async (store) => {
    const bar = progressBar(process.stderr);
    // The rules every process applies: the config's with those saved from the desk on top.
    const effective = (await createRulesView(config, store).current()).config;
    // No log: the report below says everything (also when piped, where logs are JSON lines).
    const res = await runRetag({ config: effective, store }, { dryRun, onProgress: bar.update });
    bar.finish();
    process.stdout.write(formatRetagReport(res, dryRun));
  });
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'start':
        return await cmdStart(rest);
      case 'demo':
        return await cmdDemo(rest);
      case 'preview':
        return await cmdPreview(rest);
      case 'check-config':
        return cmdCheckConfig(rest);
      case 'import-opml':
        return await cmdImportOpml(rest);
      case 'retag':
        return await cmdRetag(rest);
      case undefined:
        // No command is a usage error (a script that forgot it must not pass): usage, exit 2.
        process.stderr.write(USAGE);
        process.exit(2);
        return;
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return;
      case 'version':
      case '--version':
      case '-v':
      case '-V': {
        const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
          version: string;
        };
        process.stdout.write(`tributary ${pkg.version}\n`);
        return;
      }
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(e.message + '\n');
    } else if (e instanceof UsageError) {
      process.stderr.write(`tributary: ${e.message}\n\n${USAGE}`);
    } else {
      const err = e instanceof Error ? e : new Error(String(e));
      const first = err.message.split('\n')[0];
      process.stderr.write(
        `tributary ${cmd}: ${e instanceof FeedError ? `${e.kind}: ` : ''}${first}\n`,
      );
      if (explicitEnv().debug) process.stderr.write(`${err.stack}\n`);
    }
    process.exit(
      cmd === 'check-config' || e instanceof ConfigError || e instanceof UsageError ? 1 : 2,
    );
  }
}
