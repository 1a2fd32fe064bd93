/**
 * Where the hub's log goes when a person is at the terminal. With the console channel on and stdout a
 * terminal, the terminal is a conversation: the JSON log lines go to a file in the data folder
 * (`send-hub.log`, owner-only) and only warnings and errors appear, each as one readable line.
 * `LOG_FORMAT=json`, or any stdout that is not a terminal (a service manager, a container, a pipe),
 * keeps the JSON log on stderr for production tooling.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Config } from './config/index.ts';
import { ensureDataDir } from './database.ts';
import { createLogger, type Logger } from './logger.ts';
import { consoleEnabled } from './start.ts';

const LEVEL_WORD: Record<number, string> = { 40: 'warning', 50: 'error', 60: 'fatal' };

/** JSON log lines in, one readable line out: "[07:01:02] warning: <message>". */
export class ReadableLogLines extends Writable {
  constructor(private readonly out: NodeJS.WritableStream) {
    super();
  }

  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      try {
        const o = JSON.parse(line) as {
          level?: number;
          time?: string;
          msg?: string;
          err?: { message?: string };
        };
        const at = typeof o.time === 'string' ? o.time.slice(11, 19) : '';
        const why = o.err?.message ? `: ${o.err.message.split('\n').find((l) => l.trim()) ?? ''}` : '';
        this.out.write(`[${at}] ${LEVEL_WORD[o.level ?? 40] ?? 'warning'}: ${o.msg ?? ''}${why}\n`);
      } catch {
        this.out.write(`${line}\n`);
      }
    }
    cb();
  }
}

export interface HubLogging {
  log: Logger;
  /** The log file, when the log goes to one (terminal mode). */
  file?: string;
}

export function hubLogger(config: Config, stdout: { isTTY?: boolean } = process.stdout): HubLogging {
  const level = config.env.LOG_LEVEL;
  const terminal = config.raw.LOG_FORMAT !== 'json' && stdout.isTTY === true && consoleEnabled(config);
  if (!terminal) return { log: createLogger(level) };
  ensureDataDir(config.dataDir);
  const file = path.join(config.dataDir, 'send-hub.log');
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const streams = pino.multistream([
    {
      level: level === 'silent' ? 'fatal' : (level as pino.Level),
      // Written at once: a terminal hub logs little, and a Ctrl-C must not lose the last lines in a buffer.
      stream: pino.destination({ dest: file, sync: true }),
    },
    { level: 'warn', stream: new ReadableLogLines(process.stderr) },
  ]);
  return { log: createLogger(level, streams), file };
}
