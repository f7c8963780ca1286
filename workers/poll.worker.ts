// Thin BullMQ adapter: a poll job runs the ingest orchestrator for one source.
import { UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import type { Config, IngestReport, SourceConfig } from '../src/domain/types.ts';
import type { PollJobData } from '../src/queues/queues.ts';
import { pollJobDueAt } from '../src/queues/queues.ts';
import { emptyReport, ingestSource } from '../src/pipeline/ingest.ts';
import type { IngestDeps } from '../src/pipeline/ingest.ts';
import { findSource } from '../src/catalog/sources.ts';
import type { Logger } from '../src/runtime/logger.ts';
import { formatDuration } from '../src/config/units.ts';
import type { RulesView } from '../src/catalog/rules.ts';

/** ", 25 items older than retention.maxAge (30d) skipped", or nothing. */
const tooOldNote = (r: IngestReport, maxAge: number) =>
  r.skippedTooOld
    ? `, ${r.skippedTooOld} item${r.skippedTooOld === 1 ? '' : 's'} older than retention.maxAge (${formatDuration(maxAge)}) skipped`
    : '';

export interface PollWorkerDeps extends IngestDeps {
  log: Logger;
  /** WebSub upkeep on every tick, due or not: lease renewal, expiry, unsubscribing. */
  maintainPush?(source: SourceConfig): Promise<void>;
  onReport?(report: IngestReport): void;
  /** The effective tag and section rules (config + rules saved at runtime), read per poll. */
  rules?: RulesView<IngestDeps['config'] & Pick<Config, 'tags' | 'sections'>>;
}

/** The deps with the rules saved from the desk since the last poll (one GET when unchanged). */
export async function withSavedRules(deps: PollWorkerDeps): Promise<PollWorkerDeps> {
  const rules = await deps.rules?.current();
  return rules
    ? { ...deps, config: rules.config, tagger: rules.tagger, curator: rules.curator }
    : deps;
}

export function createPollProcessor(deps: PollWorkerDeps) {
  return async function processPoll(
    job: Job<PollJobData>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<IngestReport> {
    const startedAt = Date.now();
    const source = await findSource(deps.config, deps.store, job.data.sourceId);
    if (!source) throw new UnrecoverableError(`unknown source ${job.data.sourceId}`);
    if (!source.enabled && !job.data.force) {
      return { ...emptyReport(source.id), outcome: 'skipped' };
    }
    await deps
      .maintainPush?.(source)
      .catch((err: Error) =>
        deps.log.warn({ err, source: source.id }, `websub upkeep of ${source.id}: ${err.message}`),
      );
    const report = await ingestSource(await withSavedRules(deps), source, {
      force: job.data.force ?? false,
      signal,
    });
    // Lateness (due -> started) of the polls that ran; a skipped tick started nothing.
    const dueAt = pollJobDueAt(job);
    if (dueAt !== null && report.outcome !== 'skipped')
      report.lateMs = Math.max(0, startedAt - dueAt);
    if (report.outcome !== 'skipped') {
      const level = report.error ? 'warn' : 'info';
      deps.log[level](
        {
          source: source.id,
          outcome: report.outcome,
          new: report.inserted,
          updated: report.updated,
          ms: report.durationMs,
          skippedTooOld: report.skippedTooOld,
          error: report.error?.message,
        },
        report.error
          ? `poll ${source.id}: ${report.error.kind}: ${report.error.message}`
          : `poll ${source.id}: ${report.outcome}, ${report.inserted} new, ${report.updated} updated` +
              tooOldNote(report, deps.config.retention.maxAge),
      );
    }
    // After the poll's line: the first-round summary this report may complete is logged after
    // it (from the ingest thread both travel as messages, in this order).
    deps.onReport?.(report);
    if (report.error?.permanent)
      throw new UnrecoverableError(`${report.error.kind}: ${report.error.message}`);
    return report;
  };
}
