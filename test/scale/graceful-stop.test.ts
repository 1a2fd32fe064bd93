/**
 * A graceful stop never resends a message (issue 18). The real hub (start.ts's SIGTERM handler) delivers
 * to a loopback chat stand-in that cannot look a send up afterwards; the stand-in holds one person's first
 * message open and the hub gets SIGTERM meanwhile. The stop gives back at once the messages claimed behind
 * it (not yet sent), waits for the open send, and exits 0 well inside SHUTDOWN_GRACE_MS; after a restart
 * each person has each message exactly once and none is marked as a repeat. Before, the claims were left
 * to their lease: the grace ran out and the restart resent them, marked "Sent again after an interruption".
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../app/clock.ts';
import { loadDemoSchool } from '../../app/demo/demo-school.ts';
import { message, RESEND_NOTICE } from '../../core/messages/outgoing-message.ts';
import { FieldCipher, parseKeyRing } from '../../store/crypto/field-cipher.ts';
import { createDb } from '../../store/db.ts';
import { OutboxRepository } from '../../store/outbox-repository.ts';
import { freshDatabaseUrl, providers } from '../support/db.ts';
import { startLoopbackServer } from '../support/loopback-server.ts';
import { until } from '../support/until.ts';

const KEY = 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const GRACE_MS = 10_000;
const here = path.dirname(fileURLToPath(import.meta.url));

interface Hub {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

async function startHubProcess(url: string, dir: string, standIn: string): Promise<Hub> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'fixtures/hub-with-chat-standin.ts'), url, KEY, dir, standIn],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TZ: 'UTC', SHUTDOWN_GRACE_MS: `${GRACE_MS}` },
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await until('the hub to start', () => out.includes('ready\n') || child.exitCode !== null, 120_000);
  if (!out.includes('ready\n')) throw new Error(`the hub did not start: ${out.slice(-500)}`);
  return { child, out: () => out, exited };
}

describe.each(providers)('a graceful stop on %s', (provider) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  it(
    'gives back the claims not yet sent, waits for the send in flight, and nothing is resent',
    { timeout: 240_000 },
    async () => {
      const { url, drop } = await freshDatabaseUrl(provider);
      cleanups.push(drop);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-stop-'));
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));

      // Three people: the first has three messages (one claimed run), the others one each.
      const dbh = createDb(url);
      cleanups.push(() => dbh.close());
      const { orgId } = await loadDemoSchool(dbh.db, new Date());
      const people = await dbh.db.staff.findMany({ where: { orgId }, orderBy: { email: 'asc' }, take: 3 });
      expect(people).toHaveLength(3);
      const outbox = new OutboxRepository(
        dbh.db,
        new FieldCipher(parseKeyRing(KEY)),
        systemClock,
        dbh.provider,
      );
      const sent: { key: string; staffId: string; title: string; text?: string }[] = [];
      const want = [
        { key: 'stop:a1', who: 0 },
        { key: 'stop:a2', who: 0 },
        { key: 'stop:a3', who: 0 },
        { key: 'stop:b1', who: 1 },
        { key: 'stop:c1', who: 2 },
      ];
      for (const w of want)
        await outbox.enqueue({
          idempotencyKey: w.key,
          orgId,
          to: { staffId: people[w.who]!.id },
          notBefore: new Date(Date.now() - 1000),
          message: message({ kind: 'admin_notice', audience: 'private', title: `Stop check ${w.key}` }),
        });

      // The chat stand-in: holds the first person's first message open until told; answers the rest at once.
      let held: http.ServerResponse | undefined;
      let holding = true;
      const standIn = await startLoopbackServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => {
          body += d.toString();
        });
        req.on('end', () => {
          const m = JSON.parse(body) as (typeof sent)[number];
          sent.push(m);
          if (m.key === 'stop:a1' && holding) held = res;
          else res.writeHead(201).end();
        });
      });
      cleanups.push(() => standIn.close());

      const first = await startHubProcess(url, dir, standIn.origin);
      cleanups.push(async () => {
        first.child.kill('SIGKILL');
        await first.exited;
      });
      await until('the first message to be held open', () => held !== undefined);
      const rest = await dbh.db.outboxMessage.findMany({
        where: { idempotencyKey: { in: ['stop:a2', 'stop:a3'] } },
      });
      expect(rest.map((r) => r.state)).toEqual(['SENDING', 'SENDING']); // claimed behind it, not sent

      // SIGTERM while the send is open.
      const stopAt = Date.now();
      first.child.kill('SIGTERM');
      let exitCode: number | null | undefined;
      void first.exited.then((c) => {
        exitCode = c;
      });
      // The messages claimed behind the open send are given back at once, with no lease left (the old code
      // left them claimed until the grace ran out and the process exited).
      const givenBack = async () =>
        (
          await dbh.db.outboxMessage.findMany({
            where: { idempotencyKey: { in: ['stop:a2', 'stop:a3'] }, state: 'RETRYING', leaseOwner: null },
          })
        ).length === 2;
      await until(
        'the unsent claims to be given back (or the hub to exit)',
        async () => exitCode !== undefined || (await givenBack()),
      );
      // The stand-in answers the open send.
      holding = false;
      held?.writeHead(201).end();
      await first.exited;
      const stoppedIn = Date.now() - stopAt;

      // The restart sends what was given back: at once, not after a lease, and not as a repeat.
      const second = await startHubProcess(url, dir, standIn.origin);
      cleanups.push(async () => {
        second.child.kill('SIGTERM');
        await second.exited;
      });
      await until(
        'every message to be sent',
        async () => (await dbh.db.outboxMessage.count({ where: { state: 'SENT' } })) === want.length,
      );
      for (const w of want) {
        const got = sent.filter((s) => s.key === w.key);
        expect(
          got.map((s) => s.staffId),
          w.key,
        ).toEqual([people[w.who]!.id]);
      }
      expect(sent.filter((s) => (s.text ?? '').includes(RESEND_NOTICE))).toEqual([]);
      expect(sent).toHaveLength(want.length);
      // The stop did not hang: it exited by itself, inside the grace, and said what it gave back.
      expect(exitCode).toBe(0);
      expect(stoppedIn).toBeLessThan(GRACE_MS);
      expect(first.out()).toContain('stopping: gave back the claims not yet sent');
      expect(first.out()).toContain('"msg":"stopped"');
    },
  );
});
