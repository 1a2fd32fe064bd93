/**
 * A terminal that reads like a conversation (issue 19): `send-hub start` on a real pseudo-terminal
 * (util-linux `script`), as a newcomer runs `npm start`. No JSON log line reaches the terminal; the log
 * lines are in the file the hub names once at start. `LOG_FORMAT=json` keeps JSON for production.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hasScript = fs.existsSync('/usr/bin/script');

/** Run `send-hub start` on a pseudo-terminal; `session` types into it and waits on what it shows. */
async function onTerminal(
  env: Record<string, string>,
  session: (t: {
    type(s: string): void;
    waitFor(re: RegExp): Promise<void>;
    screen(): string;
  }) => Promise<void>,
): Promise<string> {
  const child = spawn('script', ['-qfec', `${process.execPath} bin/send-hub.mjs start`, '/dev/null'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', TERM: 'dumb', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    screen += d.toString();
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const t = {
    type: (s: string) => child.stdin.write(s),
    screen: () => screen,
    async waitFor(re: RegExp) {
      const end = Date.now() + 120_000;
      while (!re.test(screen)) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${re} on the terminal:\n${screen}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  try {
    await session(t);
  } finally {
    t.type('\x03'); // Ctrl-C: a graceful stop
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    child.kill('SIGKILL');
  }
  return screen;
}

describe.runIf(hasScript)('send-hub start at a terminal', () => {
  it(
    'shows the conversation, not JSON, and names the log file that holds the log lines',
    { timeout: 240_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-tty-'));
      try {
        const screen = await onTerminal({ DATA_DIR: dir }, async (t) => {
          await t.waitFor(/SEND Hub listening/);
          t.type('help\r');
          // A line only `help` prints: the hub has logged its start by then. (A bare /concern/ matched the
          // key notice above, so Ctrl-C could land before the signal handlers and kill the hub mid-start.)
          await t.waitFor(/case reassign <case reference>/);
        });
        expect(screen).toContain(
          `Log lines go to ${path.join(dir, 'send-hub.log')}; warnings and errors also show here.`,
        );
        expect(screen).toContain('Loaded the demo school');
        expect(screen.split(/\r?\n/).filter((l) => l.trimStart().startsWith('{"level"'))).toEqual([]);
        const logged = fs.readFileSync(path.join(dir, 'send-hub.log'), 'utf8');
        expect(logged).toMatch(/"msg":"send-hub started"/);
        expect(fs.statSync(path.join(dir, 'send-hub.log')).mode & 0o777).toBe(0o600);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    'LOG_FORMAT=json keeps the JSON log on the terminal (production tooling)',
    { timeout: 240_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-tty-'));
      try {
        const screen = await onTerminal({ DATA_DIR: dir, LOG_FORMAT: 'json', DEMO: 'off' }, async (t) => {
          await t.waitFor(/"msg":"send-hub started"/);
        });
        expect(screen).not.toContain('Log lines go to');
        expect(fs.existsSync(path.join(dir, 'send-hub.log'))).toBe(false);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
