// pino: pretty in a terminal, JSON otherwise.
import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export function createLogger(opts: {
  level: string;
  pretty: boolean;
  name?: string;
  destination?: number;
}): Logger {
  const transport = opts.pretty
    ? {
        target: 'pino-pretty',
        options: {
          colorize: true,
          translateTime: 'HH:MM:ss',
          ignore: 'pid,hostname',
          // In a terminal one line per event (the message says it all); the fields stay in the
          // JSON written when not a terminal, and show again at LOG_LEVEL=debug.
          hideObject: !['debug', 'trace'].includes(opts.level),
          destination: opts.destination ?? 1,
        },
      }
    : undefined;
  return pino(
    { level: opts.level, name: opts.name, transport },
    opts.pretty ? undefined : pino.destination({ dest: opts.destination ?? 1, sync: false }),
  );
}
