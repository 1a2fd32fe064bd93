/**
 * Deadline digests by e-mail (issue 16), opt-in: `settings digest email on` after verifying the work e-mail;
 * each chat digest is then copied by e-mail (a real SMTP server on loopback) with an unsubscribe link and
 * List-Unsubscribe headers; opening the link (GET, as mail scanners do) changes nothing; its button (POST)
 * turns it off at once, and a copy queued before that is not sent after it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { contactsModule, contactsOf } from '../../app/contacts/contacts-module.ts';
import { createApp, listen, type RunningServer } from '../../app/server.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { seedSchool } from '../data-protection/seed.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { parseMail, type SmtpSink, startSmtpSink } from './smtp-sink.ts';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

describe.each(providers)('deadline digests by e-mail on %s', (provider) => {
  let t: TestHub;
  let server: RunningServer;
  let orgId: string;
  let staff: Awaited<ReturnType<typeof seedSchool>>['staff'];

  beforeEach(async () => {
    sink.received.length = 0;
    t = await startTestHub(provider, {
      now: '2026-12-07T08:00:00Z',
      modules: [contactsModule()],
      env: {
        MAIL_TRANSPORT: 'smtp',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(sink.port),
        MAIL_FROM: 'hub@school.example',
        PUBLIC_URL: 'https://hub.school.example/',
      },
    });
    ({ orgId, staff } = await seedSchool(t.hub));
    server = await listen(createApp(t.hub), 0, '127.0.0.1');
  });
  afterEach(async () => {
    await server.close();
    await t.close();
  });

  const digest = (key: string) =>
    t.hub.outbox.enqueue({
      idempotencyKey: key,
      orgId,
      to: { staffId: staff.sendco },
      priority: 9,
      message: message({
        kind: 'digest',
        audience: 'private',
        title: 'Your deadlines this week',
        text: '2 due this week',
        sections: [{ heading: 'Due', lines: ['A.B. (Y6) EHC needs assessment: decision due Wed 9 Dec'] }],
      }),
    });

  const copies = (key: string) =>
    t.hub.dbh.db.outboxMessage.count({ where: { idempotencyKey: `${key}:email` } });

  it('opt in, a digest copied by e-mail with an unsubscribe that is honoured; GET changes nothing', async () => {
    await t.tickAndDeliver(); // the work e-mails, seeded unverified
    await t.console.handleLine('as sendco@test.example');
    await t.console.handleLine('settings digest email on');
    expect(t.consoleOut.text()).toContain('verify your e-mail first');
    await t.console.handleLine('settings contact resend email');
    await t.hub.deliverer.drainAll();
    const code = /verification code is (\d{6})/.exec(parseMail(sink.received[0]!.raw).body)?.[1];
    await t.console.handleLine(`settings contact verify ${code}`);
    await t.console.handleLine('settings digest email on');
    expect(t.consoleOut.text()).toContain('Deadline digests will come by e-mail too');
    sink.received.length = 0;
    t.clock.advance(3_000);

    await digest('deadline-digest:1');
    await t.hub.deliverer.drainAll();
    expect(t.console.transcript().some((s) => s.message.kind === 'digest')).toBe(true);
    await vi.waitFor(async () => expect(await copies('deadline-digest:1')).toBe(1));
    await t.hub.deliverer.drainAll();
    expect(sink.received).toHaveLength(1);
    const { headers, body } = parseMail(sink.received[0]!.raw);
    expect(headers).toMatch(/^Subject: Your deadlines this week$/m);
    expect(body).toContain('- A.B. (Y6) EHC needs assessment: decision due Wed 9 Dec');
    const url = /Unsubscribe: (https:\/\/hub\.school\.example\/unsubscribe\/\S+)/.exec(body)?.[1];
    expect(url).toBeDefined();
    expect(headers).toContain(`List-Unsubscribe: <${url}>`);
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);

    const local = `http://127.0.0.1:${server.port}${new URL(url!).pathname}`;
    const optIn = () =>
      t.hub.dbh.db.contactMethod.findFirstOrThrow({ where: { staffId: staff.sendco, kind: 'EMAIL' } });
    const shown = await fetch(local);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('<form method="post">');
    expect((await optIn()).digestOptIn).toBe(true);
    // A changed token is refused and changes nothing.
    const forged = await fetch(`${local.slice(0, -2)}xx`, { method: 'POST' });
    expect(forged.status).toBe(404);
    expect((await optIn()).digestOptIn).toBe(true);

    // A copy queued before the unsubscribe (as the hook queues it for a digest being sent)…
    const service = contactsOf(t.hub)!;
    t.clock.advance(3_000);
    await digest('deadline-digest:2');
    const [second] = await t.hub.outbox.claim('test-claim', 10, 60_000);
    await service.emailDigestCopy(second!);
    expect(await copies('deadline-digest:2')).toBe(1);
    // …then the one-click unsubscribe a mail client sends (RFC 8058).
    const done = await fetch(local, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(done.status).toBe(200);
    expect((await optIn()).digestOptIn).toBe(false);
    await t.hub.deliverer.drainAll();
    expect(sink.received).toHaveLength(1);
    const held = await t.hub.dbh.db.outboxMessage.findUniqueOrThrow({
      where: { idempotencyKey: 'deadline-digest:2:email' },
    });
    expect(held.state).toBe('FAILED');
    expect(held.lastError).toBe('unsubscribed from digests by e-mail');
    // And a later digest (as the hook hands it over) is not copied at all.
    await service.emailDigestCopy({ ...second!, idempotencyKey: 'deadline-digest:3' });
    expect(await copies('deadline-digest:3')).toBe(0);
    const audit = await t.hub.dbh.db.auditEvent.findMany({
      where: { action: { startsWith: 'contact.digest' } },
    });
    expect(audit.map((a) => a.action)).toEqual(['contact.digest_on', 'contact.digest_unsubscribed']);
  });
});
