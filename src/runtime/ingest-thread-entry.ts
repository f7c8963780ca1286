// The ingest thread (see ingest-thread.ts): runs the worker role with its own Redis connections,
// sends its log lines and poll reports to the main thread, and stops when told to.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { INGEST_NICE, startIngest } from './ingest-thread.ts';
import type { FromIngestThread, IngestThreadData, ToIngestThread } from './ingest-thread.ts';

const port = parentPort;
if (!port) throw new Error('ingest-thread-entry runs inside a worker thread only');
const send = (m: FromIngestThread) => port.postMessage(m);
const data = workerData as IngestThreadData;

// JSON lines to the main thread, which writes them with its own logger (pretty or JSON).
const log = pino(
  { level: data.logLevel, base: undefined },
  { write: (line: string) => send({ t: 'log', line }) },
);

/**
 * Linux gives each thread its own nice value: this one yields the CPU to the HTTP thread when
 * both want it (ingest is background work; a reader waits on the server). Elsewhere, or when
 * it fails, ingest runs at the process's priority.
 */
function yieldToServer(): { tid: number; nice: number } | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    // Relative to the process's own nice value (which the thread starts with); 19 is the lowest.
    const nice = Math.min(19, getPriority(tid) + INGEST_NICE);
    setPriority(tid, nice);
    return { tid, nice };
  } catch {
    return null;
  }
}
const os = yieldToServer();

const ingest = await startIngest({
  config: data.config,
  redisUrl: data.redisUrl,
  log,
  onReport: (report) => send({ t: 'report', report }),
});
send({ t: 'ready', id: ingest.id, tid: os?.tid ?? null, nice: os?.nice ?? null });

port.on('message', (m: ToIngestThread) => {
  if (m.t !== 'stop') return;
  ingest.close(m.graceMs).then(
    () => send({ t: 'stopped' }),
    (err: Error) => {
      log.error({ err }, `ingest thread: stop failed: ${err.message}`);
      send({ t: 'stopped' });
    },
  );
});
