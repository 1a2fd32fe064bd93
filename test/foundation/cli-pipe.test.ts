/**
 * `send-hub … | head`: a reader that stops early must not turn the command into a crash (it printed an
 * EPIPE stack trace and exited 1), and the command's work must go on. Found by an audit from the SENDCo's
 * seat (`send-hub import … | head`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function pipedToHead(args: string[]): Promise<{ code: number | null; first: string; err: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-pipe-'));
  const child = spawn(process.execPath, ['bin/send-hub.mjs', ...args], {
    env: {
      PATH: process.env.PATH,
      DATA_DIR: dir,
      DATABASE_URL: `file:${path.join(dir, 'send-hub.db')}`,
      SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
      LOG_LEVEL: 'silent',
      SEND_HUB_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += String(d);
  });
  return new Promise((resolve) => {
    let first = '';
    // As `head -1`: read until the first line, then close the pipe.
    child.stdout.on('data', (d) => {
      first += String(d);
      if (first.includes('\n')) child.stdout.destroy();
    });
    child.on('close', (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, first: first.split('\n')[0]!, err });
    });
  });
}

describe('send-hub piped to a reader that stops early', () => {
  it('rules | head -1: one line read, exit 0, no stack trace', async () => {
    const r = await pipedToHead(['rules']);
    expect(r.first.length).toBeGreaterThan(0);
    expect(r.err).not.toMatch(/EPIPE/);
    expect(r.code).toBe(0);
  }, 120_000);
});
