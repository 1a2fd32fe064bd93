/**
 * `npm start` in development (app/start.ts startHub on a fresh data folder, the demo school loaded) prints
 * a one-time sign-in link for the demo admin; opened in a browser (here: fetch) it signs Daniel Hughes in
 * and the home page greets him. In production (the demo loaded on purpose) no link is printed and the
 * link's address does not exist. Each database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.ts';
import { prepareDatabase } from '../../app/database.ts';
import { createLogger } from '../../app/logger.ts';
import { type RunningHub, startHub } from '../../app/start.ts';
import { FakeClock } from '../support/clock.ts';
import { freshDatabaseUrl, providers } from '../support/db.ts';
import { CaptureStream, capturedLogLines } from '../support/hub.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(provider: 'sqlite' | 'postgres', env: Record<string, string>) {
  const fresh = await freshDatabaseUrl(provider);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-start-link-'));
  cleanups.push(async () => {
    await fresh.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const config = loadConfig(
    {
      DATABASE_URL: fresh.url,
      DATA_DIR: dataDir,
      SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
      PORT: '0',
      HOST: '127.0.0.1',
      CONSOLE_CHANNEL: 'off',
      DEMO: 'on',
      ...env,
    },
    dataDir,
  );
  if (config.production)
    await prepareDatabase(loadConfig({ ...config.raw, SEND_HUB_ENV: 'development' }, dataDir));
  const out = new CaptureStream();
  const running: RunningHub = await startHub(
    config,
    createLogger('info', new CaptureStream(capturedLogLines)),
    {
      clock: new FakeClock('2026-11-24T10:00:00Z'),
      stdin: new PassThrough(),
      stdout: out,
      manualTicks: true,
    },
  );
  cleanups.push(() => running.stop());
  return { running, out, base: `http://127.0.0.1:${running.server.port}` };
}

describe.each(providers)('npm start prints a web sign-in link on %s', (provider) => {
  it('in development: the printed link signs the demo admin in once', async () => {
    const { running, out, base } = await start(provider, {});
    const line = out
      .text()
      .match(/^Web pages: open http:\/\/localhost:(\d+)(\/sign-in\/link\/[A-Za-z0-9_-]{43}) .*$/m);
    expect(line, out.text()).not.toBeNull();
    expect(Number(line?.[1])).toBe(running.server.port);
    expect(line?.[0]).toContain('within 10 minutes to sign in as Daniel Hughes');
    const res = await fetch(`${base}${line?.[2]}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const home = await fetch(`${base}/app`, { headers: { cookie } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Hello, Daniel Hughes');
    expect((await fetch(`${base}${line?.[2]}`, { redirect: 'manual' })).status).toBe(410);
  });

  it('in production: no link is printed and the address does not exist', async () => {
    const { out, base } = await start(provider, { SEND_HUB_ENV: 'production' });
    expect(out.text()).toContain('SEND Hub listening');
    expect(out.text()).not.toContain('sign-in/link');
    expect((await fetch(`${base}/sign-in/link/${'a'.repeat(43)}`, { redirect: 'manual' })).status).toBe(404);
  });
});
