/**
 * kill -9 in the middle of a send, then a restart on the same host (issue 15, point 18): the message the
 * dead process had claimed (in doubt: it may have reached the platform) is taken back at start and
 * delivered at once, marked as a possible repeat, instead of after its one-minute lease runs out.
 * A real process is SIGKILLed holding a real claim; the hub is the real `startHub`. Both providers.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../app/clock.ts';
import { loadConfig } from '../../app/config/index.ts';
import { loadDemoSchool } from '../../app/demo/demo-school.ts';
import { createLogger } from '../../app/logger.ts';
import { type RunningHub, startHub } from '../../app/start.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { FieldCipher, parseKeyRing } from '../../store/crypto/field-cipher.ts';
import { createDb } from '../../store/db.ts';
import { OutboxRepository } from '../../store/outbox-repository.ts';
import { freshDatabaseUrl, providers } from '../support/db.ts';
import { CaptureStream } from '../support/hub.ts';
import { until } from '../support/until.ts';

const KEY = 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const here = path.dirname(fileURLToPath(import.meta.url));

describe.each(providers)('restart after kill -9 on %s', (provider) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  it(
    "the dead process's in-doubt message is taken back at start and delivered, not after its lease",
    { timeout: 180_000 },
    async () => {
      const { url, drop } = await freshDatabaseUrl(provider);
      cleanups.push(drop);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-kill9-'));
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));

      // The school, and one urgent message for its DSL waiting in the outbox.
      const dbh = createDb(url);
      const { orgId } = await loadDemoSchool(dbh.db, new Date());
      const dsl = await dbh.db.staff.findFirstOrThrow({ where: { orgId, email: 'dsl@elmfield.example' } });
      const outbox = new OutboxRepository(
        dbh.db,
        new FieldCipher(parseKeyRing(KEY)),
        systemClock,
        dbh.provider,
      );
      await outbox.enqueue({
        idempotencyKey: 'kill9:1',
        orgId,
        to: { staffId: dsl.id },
        priority: 0,
        message: message({
          kind: 'admin_notice',
          audience: 'private',
          title: 'Reconcile check: message one',
        }),
      });
      await dbh.close();

      // A process claims it, opens the attempt, and is killed with SIGKILL.
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(here, 'fixtures/claim-and-hang.ts'), url, KEY],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
          env: { ...process.env, TZ: 'UTC' },
        },
      );
      let childOut = '';
      child.stdout.on('data', (d: Buffer) => {
        childOut += d.toString();
      });
      await until('the claim', () => childOut.includes('claimed 1'), 120_000);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;

      const check = createDb(url);
      cleanups.push(() => check.close());
      const held = await check.db.outboxMessage.findFirstOrThrow({ where: { idempotencyKey: 'kill9:1' } });
      expect(held.state).toBe('SENDING');
      expect(held.leaseUntil!.getTime()).toBeGreaterThan(Date.now() + 30_000); // it would wait that long

      // The restart.
      const out = new CaptureStream();
      const logs = new CaptureStream();
      const config = loadConfig(
        {
          SEND_HUB_ENV: 'test',
          DATABASE_URL: url,
          DATA_DIR: dir,
          SEND_HUB_ENCRYPTION_KEY: KEY,
          PORT: '0',
          HOST: '127.0.0.1',
          CONSOLE_CHANNEL: 'on',
          DEMO: 'off',
          DELIVERY_INTERVAL_MS: '1000',
        },
        dir,
      );
      const running: RunningHub = await startHub(config, createLogger('info', logs), {
        stdout: out,
        stdin: new PassThrough(),
        modules: [],
      });
      cleanups.push(() => running.stop());
      expect(logs.text()).toMatch(
        /"messages":1.*took back the claims of a process that stopped on this host/,
      );
      // Well inside the dead claim's lease (60 s): the old code could only send it after that.
      await until(
        'the DSL to get the message',
        () => out.text().includes('Reconcile check: message one'),
        30_000,
      );
      let state = '';
      const deadline = Date.now() + 30_000;
      while (state !== 'SENT' && Date.now() < deadline) {
        state = (await check.db.outboxMessage.findFirstOrThrow({ where: { idempotencyKey: 'kill9:1' } }))
          .state;
        if (state !== 'SENT') await new Promise((r) => setTimeout(r, 100));
      }
      expect(state).toBe('SENT');
      // Two attempts: the dead process's (in doubt) and the one after the restart.
      expect(await check.db.deliveryAttempt.count({ where: { messageId: held.id } })).toBe(2);
    },
  );
});
