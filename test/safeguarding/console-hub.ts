/**
 * The hub as a person runs it at a terminal: `send-hub start` as a child process on a fresh database of
 * the given provider (the demo school loaded), its console on standard input and output. `type` writes a
 * line as a person would; `waitFor` waits until the hub has printed something (a condition, never a
 * sleep), from where the last wait left off, so each answer is read in order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { Provider } from '../../store/db.ts';
import { type CliSession, cliSession } from '../support/cli.ts';

export interface ConsoleHub {
  session: CliSession;
  /** Everything printed on standard output so far. */
  out(): string;
  /** Type one line at the console. */
  type(line: string): void;
  /** Wait until `re` appears after the cursor; returns the text from the cursor to the end of the match and moves the cursor past it. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

const bin = path.resolve('bin/send-hub.mjs');

export async function startConsoleHub(provider: Provider, env: NodeJS.ProcessEnv = {}): Promise<ConsoleHub> {
  const session = await cliSession(provider, { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env });
  const child: ChildProcess = spawn(process.execPath, [bin, 'start'], {
    env: session.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let cursor = 0;
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (b) => {
    out += b;
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (b) => {
    err += b;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const hub: ConsoleHub = {
    session,
    out: () => out,
    type(line) {
      child.stdin!.write(`${line}\n`);
    },
    waitFor(re, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const rest = out.slice(cursor);
          const m = re.exec(rest);
          if (!m) return false;
          const upTo = m.index + m[0].length;
          cursor += upTo;
          waiters.delete(onData);
          clearTimeout(timer);
          resolve(rest.slice(0, upTo));
          return true;
        };
        const onData = () => {
          check();
        };
        const timer = setTimeout(() => {
          waiters.delete(onData);
          reject(
            new Error(
              `the console never printed ${re}; after the cursor:\n${out.slice(cursor)}\nstderr tail:\n${err.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(onData);
        if (child.exitCode !== null) onData();
      });
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(killer);
      }
      await session.close();
    },
  };
  await hub.waitFor(/listening on http:\/\/localhost:\d+/, 120_000);
  return hub;
}
