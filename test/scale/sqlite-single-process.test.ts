/**
 * SQLite is single-process: a second hub on the same database file refuses to start with a clear
 * message; a lease left by a crashed process on this host is taken over; a clean stop frees the file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.ts';
import { createLogger } from '../../app/logger.ts';
import { type RunningHub, startHub } from '../../app/start.ts';
import { PROCESS_LEASE } from '../../scheduler/process-lock.ts';
import { createDb } from '../../store/db.ts';
import { CaptureStream } from '../support/hub.ts';

describe('SQLite single-process guard', () => {
  let dir: string;
  let running: RunningHub[] = [];
  const start = () => {
    const config = loadConfig(
      {
        SEND_HUB_ENV: 'test',
        DATABASE_URL: `file:${path.join(dir, 'hub.db')}`,
        DATA_DIR: dir,
        SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
        PORT: '0',
        HOST: '127.0.0.1',
        CONSOLE_CHANNEL: 'off',
        DEMO: 'off',
      },
      dir,
    );
    return startHub(config, createLogger('silent', new CaptureStream()), {
      manualTicks: true,
      stdout: new CaptureStream(),
      stdin: new PassThrough(),
      modules: [],
    }).then((h) => {
      running.push(h);
      return h;
    });
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-single-'));
  });
  afterEach(async () => {
    for (const h of running) await h.stop();
    running = [];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second hub on the same SQLite file, naming the other process and the way out', async () => {
    await start();
    await expect(start()).rejects.toThrow(
      new RegExp(
        `another send-hub process \\(pid ${process.pid} on ${os.hostname()}\\) is already using the SQLite database .*hub\\.db.*use PostgreSQL`,
      ),
    );
  });

  it('starts again once the first hub has stopped', async () => {
    const first = await start();
    await first.stop();
    running = [];
    const second = await start();
    expect(second.hub.dbh.provider).toBe('sqlite');
  });

  it('takes over the lease of a process that crashed on this host', async () => {
    const first = await start();
    await first.stop();
    running = [];
    // A hub killed with SIGKILL leaves its lease behind, owned by a pid that no longer exists.
    const dbh = createDb(`file:${path.join(dir, 'hub.db')}`);
    await dbh.db.lease.create({
      data: {
        name: PROCESS_LEASE,
        owner: `${os.hostname()}:999999999:dead`,
        until: new Date(Date.now() + 600_000),
      },
    });
    await dbh.close();
    const h = await start();
    const lease = await h.hub.dbh.db.lease.findUniqueOrThrow({ where: { name: PROCESS_LEASE } });
    expect(lease.owner).toBe(h.hub.workerId);
  });
});
