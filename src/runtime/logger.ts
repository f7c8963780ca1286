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
          destination: opts.destination ?? 1,
        },
      }
    : undefined;
  return pino(
    { level: opts.level, name: opts.name, transport },
    opts.pretty ? undefined : pino.destination({ dest: opts.destination ?? 1, sync: false }),
  );
}
