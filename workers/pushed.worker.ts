// Thin BullMQ adapter for pushed bodies (push in): a job carries one body a source's hub pushed
// to our callback (signature and size checked by the server); it runs through the pipeline here,
// where polls run, under the same per-source exclusion as a poll (pipeline/ingest.ts).
import type { Job } from 'bullmq';
import type { IngestReport } from '../src/domain/types.ts';
import type { PushedJobData } from '../src/queues/queues.ts';
import { emptyReport, ingestPushed } from '../src/pipeline/ingest.ts';
import { findSource } from '../src/catalog/sources.ts';
import { withSavedRules } from './poll.worker.ts';
import type { PollWorkerDeps } from './poll.worker.ts';

export function createPushedProcessor(deps: PollWorkerDeps) {
  return async function processPushed(job: Job<PushedJobData>): Promise<IngestReport> {
    const d = job.data;
    const source = await findSource(deps.config, deps.store, d.sourceId);
    // Removed since the callback took the body: nothing to store it under.
    if (!source) return { ...emptyReport(d.sourceId), outcome: 'skipped' };
    // Rules saved from the desk apply to pushed items as to polled ones.
    const report = await ingestPushed(await withSavedRules(deps), source, {
      bytes: Buffer.from(d.body, 'base64'),
      contentType: d.contentType,
      url: d.url,
      ...(d.overSize ? { overSize: true } : {}),
    });
    const level = report.error ? 'warn' : 'info';
    deps.log[level](
      {
        source: source.id,
        outcome: report.outcome,
        new: report.inserted,
        updated: report.updated,
        ms: report.durationMs,
        queuedMs: Date.now() - d.receivedAt,
        error: report.error?.message,
      },
      report.error
        ? `push ${source.id}: ${report.error.kind}: ${report.error.message}`
        : `push ${source.id}: ${report.inserted} new, ${report.updated} updated`,
    );
    return report;
  };
}
