/**
 * E-mail by SMTP (issue 16), real parts: a real SMTP server (smtp-server) on loopback receives what
 * nodemailer sends through the hub's outbox. The person verifies their work e-mail from the console with
 * the code the server received; a concern alert then arrives with the reference, time and link only.
 * A 550 rejection is final and tells the ladder's listeners; a 451 is retried.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contactsModule } from '../../app/contacts/contacts-module.ts';
import { messageIdFor } from '../../bots/email/smtp-transport.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { addStudent, seedSchool } from '../data-protection/seed.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { expectNoChildDetails } from '../support/no-child-details.ts';

interface Received {
  to: string[];
  raw: string;
}

let server: SMTPServer;
let port = 0;
const received: Received[] = [];
/** Addresses the server refuses at RCPT TO, with the reply code. */
const refuse = new Map<string, number>();

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      const code = refuse.get(address.address);
      if (!code) return cb();
      const err = Object.assign(new Error(code >= 500 ? 'no such mailbox' : 'try again later'), {
        responseCode: code,
      });
      return cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The header block and the body (quoted-printable soft breaks undone) of a received message. */
function parse(raw: string): { headers: string; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
  const body = raw
    .slice(at + 4)
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  return { headers, body };
}

describe.each(providers)('e-mail by SMTP on %s', (provider) => {
  let t: TestHub;
  let orgId: string;
  let staff: Awaited<ReturnType<typeof seedSchool>>['staff'];
  const undeliverable: { outcome: string; key: string }[] = [];

  beforeEach(async () => {
    received.length = 0;
    refuse.clear();
    undeliverable.length = 0;
    t = await startTestHub(provider, {
      now: '2026-07-06T08:40:00Z',
      modules: [contactsModule()],
      env: {
        MAIL_TRANSPORT: 'smtp',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(port),
        MAIL_FROM: 'alerts@school.example',
      },
    });
    ({ orgId, staff } = await seedSchool(t.hub));
    await addStudent(t.hub, orgId, { givenName: 'Jamie', familyName: 'Smith' });
    t.hub.deliverer.onUndeliverable(async (outcome, m) => {
      undeliverable.push({ outcome, key: m.idempotencyKey });
    });
  });
  afterEach(async () => {
    await t.close();
  });

  const alert = (key: string) =>
    t.hub.outbox.enqueue({
      idempotencyKey: key,
      orgId,
      to: { staffId: staff.dsl },
      via: 'EMAIL',
      priority: 0,
      // Everything a careless builder might put in: none of it may leave the organisation.
      message: message({
        kind: 'concern_alert_external',
        audience: 'private',
        urgent: true,
        title: 'Safeguarding concern C-1A2B3C for J.S. (Y6) Jamie Smith',
        text: 'Neglect: Jamie Smith came in hungry again',
        facts: [
          { label: 'Reference', value: 'C-1A2B3C' },
          { label: 'Raised at', value: '2026-07-06T08:40:00.000Z' },
          { label: 'Pupil', value: 'J.S. (Y6)' },
          { label: 'Category', value: 'Neglect' },
        ],
        link: { label: 'Acknowledge', url: 'https://hub.school.example/ack/tok.sig' },
      }),
    });

  async function verifyWorkEmail(): Promise<void> {
    await t.tickAndDeliver(); // seeds the unverified work e-mails from the staff import
    await t.console.handleLine('as dsl@test.example');
    await t.console.handleLine('settings contact');
    expect(t.consoleOut.text()).toMatch(/e-mail: d•••@test\.example \(unverified\)/);
    expect(t.consoleOut.text()).not.toContain('dsl@test.example (');
    await t.console.handleLine('settings contact resend email');
    await t.hub.deliverer.drainAll();
    expect(received).toHaveLength(1);
    const { body } = parse(received[0]!.raw);
    const code = /verification code is (\d{6})/.exec(body)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    await t.console.handleLine('settings contact verify 000000');
    await t.console.handleLine(`settings contact verify ${code}`);
    expect(t.consoleOut.text()).toContain('Verified d•••@test.example');
    received.length = 0;
    // One mailbox sends at most 30 a minute (Exchange Online): the next slot is 2 s on.
    t.clock.advance(3_000);
  }

  it('a concern alert reaches the verified work e-mail with reference, time and link only', async () => {
    await verifyWorkEmail();
    await alert('concern:c1:step:0:EMAIL');
    const r = await t.hub.deliverer.drainAll();
    expect(r.sent).toBe(1);
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(['dsl@test.example']);
    const { headers, body } = parse(received[0]!.raw);
    expect(headers).toMatch(/^From: alerts@school\.example$/m);
    expect(headers).toMatch(/^To: dsl@test\.example$/m);
    expect(headers).toMatch(/^Subject: Safeguarding concern C-1A2B3C needs you$/m);
    expect(headers).toContain(
      `Message-ID: ${messageIdFor('concern:c1:step:0:EMAIL', 'alerts@school.example')}`,
    );
    expect(headers).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(body).toContain('Reference: C-1A2B3C');
    expect(body).toContain('Raised at: 06 Jul 2026 09:40');
    expect(body).toContain('Acknowledge: https://hub.school.example/ack/tok.sig');
    expectNoChildDetails(received[0]!.raw, ['Jamie', 'Smith', 'J.S.', 'Y6', 'Neglect', 'hungry']);
    const row = await t.hub.dbh.db.outboxMessage.findUniqueOrThrow({
      where: { idempotencyKey: 'concern:c1:step:0:EMAIL' },
    });
    expect(row.state).toBe('SENT');
    expect(row.platform).toBe('EMAIL');
    expect(row.platformRef).toMatch(/^smtp:sendhub\.[0-9a-f]{32}@school\.example$/);
    // The audit trail has the verification, never the address.
    const audit = await t.hub.dbh.db.auditEvent.findMany({ where: { subjectType: 'contact_method' } });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['contact.code_sent', 'contact.verified']),
    );
    expect(JSON.stringify(audit)).not.toContain('dsl@test.example');
  });

  it('with no verified method the alert is not_found at once: final, and the ladder is told', async () => {
    await t.tickAndDeliver(); // an unverified work e-mail exists: it does not count
    await alert('concern:c2:step:0:EMAIL');
    const r = await t.hub.deliverer.drainAll();
    expect(r.failed).toBe(1);
    expect(received).toHaveLength(0);
    expect(undeliverable).toEqual([{ outcome: 'not_found', key: 'concern:c2:step:0:EMAIL' }]);
    const row = await t.hub.dbh.db.outboxMessage.findUniqueOrThrow({
      where: { idempotencyKey: 'concern:c2:step:0:EMAIL' },
      include: { deliveries: true },
    });
    expect(row.state).toBe('FAILED');
    expect(row.lastError).toBe('no verified e-mail contact method');
    expect(row.deliveries.map((d) => d.outcome)).toEqual(['NOT_FOUND']);
  });

  it('an SMTP 550 is a permanent failure (ladder told, method marked); a 451 is retried', async () => {
    await verifyWorkEmail();
    refuse.set('dsl@test.example', 451);
    await alert('concern:c3:step:0:EMAIL');
    await t.hub.deliverer.drainOnce();
    let row = await t.hub.dbh.db.outboxMessage.findUniqueOrThrow({
      where: { idempotencyKey: 'concern:c3:step:0:EMAIL' },
    });
    expect(row.state).toBe('RETRYING');
    expect(row.lastError).toMatch(/^smtp 451/);
    expect(undeliverable).toHaveLength(0);

    refuse.set('dsl@test.example', 550);
    t.clock.advance(10 * 60_000);
    await t.hub.deliverer.drainAll();
    row = await t.hub.dbh.db.outboxMessage.findUniqueOrThrow({
      where: { idempotencyKey: 'concern:c3:step:0:EMAIL' },
    });
    expect(row.state).toBe('FAILED');
    expect(row.lastError).toMatch(/^smtp 550/);
    expect(row.lastError).not.toContain('dsl@test.example');
    expect(undeliverable).toEqual([{ outcome: 'not_found', key: 'concern:c3:step:0:EMAIL' }]);
    await t.console.handleLine('settings contact');
    expect(t.consoleOut.text()).toMatch(/d•••@test\.example \(verified, last failure: smtp 550/);
    expect(received).toHaveLength(0);
  });

  it('refuses at enqueue a kind that may not leave the chat, naming it', async () => {
    await expect(
      t.hub.outbox.enqueue({
        idempotencyKey: 'x:1',
        orgId,
        to: { staffId: staff.dsl },
        via: 'EMAIL',
        message: message({ kind: 'concern_escalation', audience: 'private', title: 'J.S. (Y6)' }),
      }),
    ).rejects.toThrow(/message kind 'concern_escalation' may not be sent via EMAIL/);
  });

  it('settings contact: bad values and codes get a clear answer; SMS is off on this hub', async () => {
    await t.console.handleLine('as dsl@test.example');
    await t.console.handleLine('settings contact add sms 07700 900123');
    await t.console.handleLine('settings contact add email not-an-address');
    await t.console.handleLine('settings contact verify 12');
    await t.console.handleLine('settings contact remove fax');
    const out = t.consoleOut.text();
    expect(out).toContain('this hub sends no SMS (set SMS_TRANSPORT): ask your admin');
    expect(out).toContain('an e-mail address looks like name@school.org.uk');
    expect(out).toContain('the code is the 6 digits sent to you');
    expect(out).toContain('"fax" is not a contact kind: use email or sms');
    await t.console.handleLine('settings contact add email dee.sell@home.example');
    // One code a minute: add/resend cannot be used to flood someone's inbox or phone.
    await t.console.handleLine('settings contact resend email');
    expect(t.consoleOut.text()).toContain('a code was sent to your e-mail less than a minute ago');
    await t.hub.deliverer.drainAll();
    expect(received.map((m) => m.to)).toEqual([['dee.sell@home.example']]);
    await t.console.handleLine('settings');
    expect(t.consoleOut.text()).toMatch(
      /Outside the chat \(safeguarding\): d•••@home\.example \(unverified\)/,
    );
    await t.console.handleLine('settings contact remove email');
    expect(t.consoleOut.text()).toContain('Removed your e-mail');
    expect(await t.hub.dbh.db.contactMethod.count({ where: { staffId: staff.dsl } })).toBe(0);
  });
});
