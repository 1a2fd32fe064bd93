/**
 * The `send-hub` command as a person runs it: a real child process on a fresh database of the given
 * provider, with its own data directory. `cli(...args)` resolves with the exit code and what was printed.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { Provider } from '../../store/db.ts';
import { freshDatabaseUrl } from './db.ts';

const run = promisify(execFile);

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export interface CliSession {
  dir: string;
  env: NodeJS.ProcessEnv;
  cli(...args: string[]): Promise<CliResult>;
  /** As cli, with extra environment variables. */
  cliWith(extra: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

/**
 * A session on a fresh database of `provider`, or on `extra.DATABASE_URL` when given (a running test hub's:
 * the caller owns that database, so the session neither creates nor drops one).
 */
export async function cliSession(provider: Provider, extra: NodeJS.ProcessEnv = {}): Promise<CliSession> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-cli-'));
  const db = extra.DATABASE_URL
    ? { url: extra.DATABASE_URL, drop: async () => {} }
    : await freshDatabaseUrl(provider);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATABASE_URL: db.url,
    DATA_DIR: dir,
    SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
    LOG_LEVEL: 'silent',
    SEND_HUB_ENV: 'test',
    ...extra,
  };
  const cliWith = async (more: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> => {
    try {
      const r = await run(process.execPath, ['bin/send-hub.mjs', ...args], {
        env: { ...env, ...more },
        timeout: 120_000,
        maxBuffer: 32 * 1024 * 1024,
      });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout, err: x.stderr };
    }
  };
  return {
    dir,
    env,
    cli: (...args) => cliWith({}, ...args),
    cliWith,
    async close() {
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A `cli` that expects the command to succeed (exit 0; on failure the test reads what it printed on stderr)
 * and returns what it printed. `session` is read at each call: a describe-level helper may be made before
 * the test opens its session.
 */
export const okCli =
  (session: () => CliSession) =>
  async (...args: string[]): Promise<string> => {
    const r = await session().cli(...args);
    expect(r.code, r.err).toBe(0);
    return r.out;
  };
