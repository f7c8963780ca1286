// The ingest thread (see ingest-thread.ts): runs the worker role with its own Redis connections,
// sends its log lines and poll reports to the main thread, and stops when told to.
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { startIngest } from './ingest-thread.ts';
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

const ingest = await startIngest({
  config: data.config,
  redisUrl: data.redisUrl,
  log,
  onReport: (report) => send({ t: 'report', report }),
});
send({ t: 'ready', id: ingest.id });

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
