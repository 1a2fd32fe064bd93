/**
 * Issue 16: a person is unreachable only when every method failed. A DSL with no chat identity gets the
 * e-mail at once (the chat's place, not after 2 minutes); the SMTP server refuses her address (550), so
 * the SMS, due later, goes now; Notify refuses the number (400), so every method has failed: the admin is
 * told and the deputies have the concern at once, without waiting out the 5 minutes. A real SMTP server on
 * loopback; Notify via nock; a Teams-like fake channel for the others.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactsModule, contactsOf } from '../../app/contacts/contacts-module.ts';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import { raiseConcern } from '../support/concern.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { IdentityOnlyChannel, type School, seedSchool } from './support.ts';

interface SmtpServer {
  listen(port: number, host: string, cb: () => void): void;
  close(cb: () => void): void;
  server: { address(): AddressInfo };
}
type SmtpServerCtor = new (options: {
  authOptional: boolean;
  disabledCommands: string[];
  logger: boolean;
  onRcptTo(
    address: { address: string },
    session: unknown,
    cb: (err?: Error & { responseCode?: number }) => void,
  ): void;
}) => SmtpServer;
const { SMTPServer } = createRequire(import.meta.url)('smtp-server') as { SMTPServer: SmtpServerCtor };

const NOTIFY = 'https://api.notifications.service.gov.uk';

describe.each(providers)('every method of the DSL fails: the ladder moves on at once (%s)', (provider) => {
  let t: TestHub;
  let s: School;
  let smtp: SmtpServer;
  const refused: string[] = [];
  const texts: Record<string, unknown>[] = [];
  const teams = new IdentityOnlyChannel('TEAMS');

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, cb) {
        refused.push(address.address);
        const err: Error & { responseCode?: number } = new Error('5.1.1 mailbox unavailable');
        err.responseCode = 550;
        cb(err);
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    t = await startTestHub(provider, {
      now: '2026-12-07T10:00:00Z',
      channels: [teams],
      modules: [safeguardingModule(), contactsModule()],
      env: {
        CONSOLE_CHANNEL: 'off',
        PUBLIC_URL: 'https://hub.quarrydene.example',
        MAIL_TRANSPORT: 'smtp',
        MAIL_FROM: 'safeguarding@quarrydene.example',
        SMTP_URL: `smtp://127.0.0.1:${smtp.server.address().port}`,
        SMS_TRANSPORT: 'notify',
        NOTIFY_API_KEY:
          'quarrydene_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0',
        NOTIFY_SMS_TEMPLATE_ID: 'f33517ff-2a88-4f6e-b855-c550268ce08a',
      },
    });
    s = await seedSchool(t.hub.dbh.db);
    // Everyone but the DSL is in Teams.
    for (const key of ['teacher', 'deputy', 'deputy2', 'head', 'admin'] as const)
      await t.hub.staff.linkIdentity(s.staff[key], 'TEAMS', 'tenant', `aad-${key}`, { id: key });
    const repo = contactsOf(t.hub)?.repo;
    if (!repo) throw new Error('contacts module not loaded');
    for (const [kind, value] of [
      ['EMAIL', 'dana.lead@quarrydene.example'],
      ['SMS', '+447700900123'],
    ] as const) {
      const { code } = await repo.setPending(s.orgId, s.staff.dsl, kind, value, 'admin');
      expect((await repo.verify(s.staff.dsl, code)).ok).toBe(true);
    }
    nock(NOTIFY)
      .persist()
      .post('/v2/notifications/sms', (b: Record<string, unknown>) => {
        texts.push(b);
        return true;
      })
      .reply(400, {
        errors: [{ error: 'ValidationError', message: 'phone_number Not a UK mobile number' }],
        status_code: 400,
      });
  });
  afterAll(async () => {
    nock.cleanAll();
    await t?.close();
    await new Promise<void>((r) => smtp.close(r));
  });

  it('e-mail at once (no chat), refused; SMS brought forward, refused; admin told and deputies asked, at once', async () => {
    const { concern, sentTo } = await raiseConcern(t.hub, {
      orgId: s.orgId,
      studentId: s.pupil,
      raisedById: s.staff.teacher,
    });
    // She counts as reachable (by e-mail and SMS), so the first step is hers alone.
    expect(sentTo).toEqual(['Dana Lead (DSL)']);
    await t.tickAndDeliver();

    expect(refused).toEqual(['dana.lead@quarrydene.example']);
    expect(texts).toHaveLength(1);
    expect((texts[0] as { reference: string }).reference).toBe(
      `concern:${concern.id}:step:0:${s.staff.dsl}:sms`,
    );
    // No minute has passed: the deputies have step 1, the admin knows.
    const got = (id: string, kind: string) =>
      teams.sent.some((m) => m.staffId === id && m.message.kind === kind);
    expect(got(s.staff.deputy, 'concern_escalation')).toBe(true);
    expect(got(s.staff.deputy2, 'concern_escalation')).toBe(true);
    expect(got(s.staff.admin, 'admin_notice')).toBe(true);

    const events = await t.hub.audit.forSubject('concern', concern.id);
    const failed = events
      .filter((e) => e.action === 'concern.method_failed')
      .map((e) => e.details as { method: string; broughtForward: string | null });
    expect(failed).toEqual([{ ...failed[0], method: 'EMAIL', broughtForward: 'sms' }]);
    expect(events.filter((e) => e.action === 'concern.delivery_failed')).toHaveLength(1);
    const first = events.find((e) => e.action === 'concern.sent_to_dsl');
    expect((first?.details as { routes: Record<string, string> }).routes[s.staff.dsl]).toBe('EMAIL+SMS');
  });
});
