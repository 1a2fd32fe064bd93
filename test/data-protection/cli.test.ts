/**
 * The data-protection commands are reachable from the real command line (bin/send-hub.mjs), on both
 * providers: `keys generate`, `audit verify`, `retention report`, `audit export`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freshDatabaseUrl, providers } from '../support/db.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEY = 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

async function cli(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, [path.join(root, 'bin/send-hub.mjs'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', TZ: 'UTC', LOG_LEVEL: 'error', ...env },
      timeout: 120_000,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('send-hub keys generate', () => {
  it('prints a key even where production config would refuse to start without one', async () => {
    const r = await cli(['keys', 'generate', '--id', 'k7'], { SEND_HUB_ENV: 'production' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^k7:[A-Za-z0-9+/]{43}=\n/);
  });
});

describe.each(providers)('send-hub data-protection commands on %s', (provider) => {
  // Each command starts a fresh process (TypeScript loader, migrations): slow, so only three of them.
  it(
    'audit verify, retention report and audit export run against the configured database',
    { timeout: 240_000 },
    async () => {
      const { url, drop } = await freshDatabaseUrl(provider);
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-cli-'));
      const env = {
        DATABASE_URL: url,
        DATA_DIR: dataDir,
        SEND_HUB_ENCRYPTION_KEY: KEY,
        SEND_HUB_ENV: 'test',
      };
      try {
        const verify = await cli(['audit', 'verify'], env);
        expect(verify).toMatchObject({ code: 0 });
        expect(verify.out).toMatch(/Audit trail intact: \d+ event\(s\), keyed hash chain verified/);
        const report = await cli(['retention', 'report'], env);
        expect(report.code).toBe(0);
        expect(report.out).toMatch(/Retention report \(dry run: nothing deleted\) for \d{4}-\d{2}-\d{2}/);
        const missing = await cli(['audit', 'export', '--student', 'no-such-id'], env);
        expect(missing).toMatchObject({ code: 2 });
        expect(missing.out).toContain('--student: no student has the id no-such-id');
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
        await drop();
      }
    },
  );
});
