/**
 * `send-hub contact …` as an admin runs it: the real CLI as a child process on the demo school's database.
 * Who on the rota has no verified method (contact missing, doctor), adding a mobile for the DSL (a code is
 * queued for it, by SMS), verifying, listing masked, removing; every step audited as admin-cli.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contactsModule } from '../../app/contacts/contacts-module.ts';
import { loadDemoSchool } from '../../app/demo/demo-school.ts';
import type { OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import { cliFor } from '../safeguarding/scenario-support.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const NOTIFY_ENV = {
  SMS_TRANSPORT: 'notify',
  NOTIFY_API_KEY: 'sendhub_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0',
  NOTIFY_SMS_TEMPLATE_ID: 'f33517ff-2a88-4f6e-b855-c550268ce08a',
};

describe.each(providers)('send-hub contact (CLI child process) on %s', (provider) => {
  let t: TestHub;
  beforeEach(async () => {
    t = await startTestHub(provider, {
      now: '2026-12-07T09:00:00Z',
      modules: [contactsModule()],
      env: NOTIFY_ENV,
    });
    await loadDemoSchool(t.hub.dbh.db, t.clock.now());
  });
  afterEach(async () => t.close());

  it('lists who on the rota has no verified method, adds and verifies a mobile for the DSL, removes it', async () => {
    const cli = cliFor(t, { ...NOTIFY_ENV, LOG_LEVEL: 'silent' });
    const missing = await cli('contact', 'missing');
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('Tom Reed (dsl): no verified e-mail or mobile');
    expect(missing.out).toMatch(/Grace Okafor \(deputy[^)]*\): no verified/);

    const bad = await cli('contact', 'add', 'dsl@elmfield.example', 'sms', '12345');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('a mobile number is 07… (UK) or +<country code><number> (E.164)');
    const nobody = await cli('contact', 'add', 'nobody@elmfield.example', 'sms', '07700900123');
    expect(nobody.err).toContain('no member of staff has the e-mail nobody@elmfield.example');

    const added = await cli('contact', 'add', 'dsl@elmfield.example', 'sms', '07700 900123');
    expect(added.code).toBe(0);
    expect(added.out).toContain('Tom Reed: sms •••• ••• 123 added, unverified; a code is on its way');
    // The code waits in the outbox, for the SMS channel, as the person's phone will receive it.
    const queued = await t.hub.dbh.db.outboxMessage.findFirstOrThrow({ where: { platform: 'SMS' } });
    const sms = t.hub.cipher.decryptJson<OutgoingMessage>(queued.payloadEnc, 'OutboxMessage.payloadEnc');
    expect(sms.kind).toBe('contact_verification');
    const code = sms.facts.find((f) => f.label === 'Code')!.value;

    expect((await cli('contact', 'verify', 'dsl@elmfield.example', '999999')).err).toMatch(
      /that code is not right/,
    );
    const verified = await cli('contact', 'verify', 'dsl@elmfield.example', code);
    expect(verified.out).toContain('Tom Reed: sms •••• ••• 123 verified');
    const list = await cli('contact', 'list', 'dsl@elmfield.example');
    expect(list.out).toContain('Tom Reed  sms  •••• ••• 123  verified  (admin)');
    expect(list.out).not.toContain('900123');

    const after = await cli('contact', 'missing');
    expect(after.out).not.toContain('Tom Reed');
    const doctor = await cli('doctor');
    expect(doctor.out).toMatch(
      /WARN contacts \(e-mail off, SMS on\): \d+ on the safeguarding rota with no verified e-mail or mobile: .*Grace Okafor/,
    );
    expect(doctor.out).not.toMatch(/contacts.*Tom Reed/);

    expect((await cli('contact', 'remove', 'dsl@elmfield.example', 'sms')).out).toContain(
      'Tom Reed: sms removed',
    );
    const audit = await t.hub.dbh.db.auditEvent.findMany({
      where: { subjectType: 'contact_method' },
      orderBy: { seq: 'asc' },
    });
    expect(audit.map((a) => [a.action, a.actorKind, a.channel])).toEqual([
      ['contact.added', 'admin-cli', 'CLI'],
      ['contact.verified', 'admin-cli', 'CLI'],
      ['contact.removed', 'admin-cli', 'CLI'],
    ]);
    expect(JSON.stringify(audit)).not.toContain('900123');
  }, 300_000);
});
