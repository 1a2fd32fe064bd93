/**
 * The real `send-hub` binary, as `npm start` runs it: a child process on a fresh data folder.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/send-hub.mjs');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function baseEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
  };
  return env;
}

describe('the send-hub process', () => {
  it('stops with one clear line when the configuration is wrong', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-proc-'));
    const r = spawnSync(process.execPath, [bin, 'start'], {
      env: { ...baseEnv(dir), PORT: 'abc' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('config error: PORT is "abc": expected a port number');
  });

  it('starts on a fresh data folder (migrates, loads the demo), serves /healthz, and stops gracefully on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-proc-'));
    const child = spawn(process.execPath, [bin, 'start'], {
      env: baseEnv(dir),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (b) => {
      out += b;
    });
    child.stderr!.on('data', (b) => {
      err += b;
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no start line; stdout: ${out}\nstderr: ${err}`)),
        60_000,
      );
      const check = () => {
        const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        } else setTimeout(check, 100);
      };
      check();
    });
    expect(out).toContain('Loaded the demo school');
    expect(out).toContain('Generated an encryption key');
    expect(fs.existsSync(path.join(dir, 'send-hub.db'))).toBe(true);
    const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
    // Public: status and version only (details need METRICS_TOKEN; test/foundation/healthz.test.ts).
    expect(health).toEqual({ status: 'ok', version: expect.any(String) });

    // The console takes commands on standard input.
    child.stdin!.write('help\n');
    await new Promise((r) => setTimeout(r, 500));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toContain('SEND Hub: what I can do');
    expect(err).toContain('"msg":"stopped"');
    // Logs are JSON lines with no student names from the demo school.
    for (const line of err.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(err).not.toMatch(/Amelia|Jayden|Layla|Oscar|Ruby|Brook|Thorne|Winters|Kendrick|Marlowe/);
  });
});
