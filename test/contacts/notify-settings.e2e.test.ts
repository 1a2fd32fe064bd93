/**
 * Per-person notification times (issue 16, `settings notify`): the console round trip (show, set, a
 * refused value naming the field and the bound, reset, audited), and the ladder using the person's merged
 * rules when it queues their e-mail: a DSL who asks for e-mail after 1 minute has the step's e-mail due 1
 * minute after the chat message instead of the organisation's 5. A Teams-like fake for the chat; the
 * e-mail transport is configured (SMTP) but nothing becomes due while the test runs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contactsModule, contactsOf } from '../../app/contacts/contacts-module.ts';
import { safeguardingModule, safeguardingOf } from '../../app/safeguarding/module.ts';
import { cliFor } from '../safeguarding/scenario-support.ts';
import { CONCERN_TEXT, IdentityOnlyChannel, type School, seedSchool } from '../safeguarding/support.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

describe.each(providers)('settings notify (%s)', (provider) => {
  let t: TestHub;
  let s: School;
  const teams = new IdentityOnlyChannel('TEAMS');

  beforeEach(async () => {
    t = await startTestHub(provider, {
      now: '2026-12-07T10:00:00Z', // a Monday, in school hours
      channels: [teams],
      modules: [safeguardingModule(), contactsModule()],
      env: {
        PUBLIC_URL: 'https://hub.quarrydene.example',
        MAIL_TRANSPORT: 'smtp',
        MAIL_FROM: 'safeguarding@quarrydene.example',
        SMTP_URL: 'smtp://127.0.0.1:9',
      },
    });
    s = await seedSchool(t.hub.dbh.db);
    for (const key of ['teacher', 'dsl', 'deputy', 'deputy2', 'head', 'admin'] as const)
      await t.hub.staff.linkIdentity(s.staff[key], 'TEAMS', 'tenant', `aad-${key}`, { id: key });
    const repo = contactsOf(t.hub)!.repo;
    const { code } = await repo.setPending(
      s.orgId,
      s.staff.dsl,
      'EMAIL',
      'dana.lead@quarrydene.example',
      'admin',
    );
    expect((await repo.verify(s.staff.dsl, code)).ok).toBe(true);
  });
  afterEach(async () => {
    await t.close();
  });

  /** Type a line as the DSL and return what the console printed for it. */
  const say = (line: string) => t.say(line);

  it('shows, sets, refuses later than the organisation (naming the field and bound), resets; audited', async () => {
    await say('as dsl@quarrydene.example');
    const shown = await say('settings notify');
    expect(shown).toContain(
      'In school hours: chat at once, e-mail after 5 min (2 with immediate risk), SMS after 10 min (5 with immediate risk)',
    );
    expect(shown).toMatch(/e-mail d•••@quarrydene\.example: verified; mobile: none/);

    const late = await say('settings notify email 20');
    expect(late).toContain(
      "email in school hours: 20 minutes is not allowed; at most 5 minutes, your organisation's latest",
    );
    expect(late).toContain('email out of hours: 20 minutes is not allowed; at most 5 minutes');
    expect(await say('settings notify sms off')).toContain(
      'sms in school hours: off is not allowed; at most 10 minutes',
    );
    expect(await say('settings notify email soon')).toContain(
      'minutes: expected a whole number of minutes from 0 to 1440, or off, not "soon"',
    );
    expect(await say('settings notify fax 3')).toContain('method: expected email or sms, not "fax"');
    expect(await contactsOf(t.hub)!.notify.repo.get(s.staff.dsl)).toEqual({
      emailInHours: null,
      smsInHours: null,
      emailOutOfHours: null,
      smsOutOfHours: null,
    });

    const set = await say('settings notify email 1');
    expect(set).toContain('E-mail after 1 minute in and out of hours');
    expect(set).toContain(
      'In school hours: chat at once, e-mail after 1 min, your setting, SMS after 10 min',
    );
    // As Teams or a phone may send it: the "--" turned into an em dash.
    const ooh = await say('settings notify sms 8 \u2014out-of-hours');
    expect(ooh).toContain(
      'Out of hours: chat at once, e-mail after 1 min, your setting, SMS after 8 min (5 with immediate risk, your setting)',
    );
    expect(ooh).toContain(
      'In school hours: chat at once, e-mail after 1 min, your setting, SMS after 10 min (5 with immediate risk)',
    );

    const reset = await say('settings notify reset');
    expect(reset).toContain("Back to your organisation's notification times");
    expect(reset).toContain('In school hours: chat at once, e-mail after 5 min (2 with immediate risk)');
    expect(await say('settings notify reset')).toContain(
      "You already follow your organisation's notification times",
    );

    const audit = await t.hub.dbh.db.auditEvent.findMany({
      where: { subjectType: 'staff', subjectId: s.staff.dsl, action: { startsWith: 'contact.notify' } },
      orderBy: { seq: 'asc' },
    });
    expect(audit.map((a) => [a.action, a.actorKind, a.actorId, a.details])).toEqual([
      [
        'contact.notify_set',
        'staff',
        s.staff.dsl,
        { method: 'EMAIL', windows: ['inHours', 'outOfHours'], minutes: 1 },
      ],
      ['contact.notify_set', 'staff', s.staff.dsl, { method: 'SMS', windows: ['outOfHours'], minutes: 8 }],
      ['contact.notify_reset', 'staff', s.staff.dsl, {}],
    ]);
  });

  it("the ladder queues the DSL's e-mail by their own time: 5 minutes by the organisation, 1 by theirs", async () => {
    const service = safeguardingOf(t.hub).service;
    const raise = () =>
      service.raise({
        orgId: s.orgId,
        studentId: s.pupil,
        raisedById: s.staff.teacher,
        source: 'chat',
        externalId: null,
        category: 'Neglect',
        immediateRisk: false,
        text: CONCERN_TEXT,
        actionsTaken: '',
        occurredAt: t.clock.now(),
        via: 'TEAMS',
      });
    const emailDue = async (concernId: string) =>
      (
        await t.hub.dbh.db.outboxMessage.findUniqueOrThrow({
          where: { idempotencyKey: `concern:${concernId}:step:0:${s.staff.dsl}:email` },
        })
      ).nextAttemptAt.getTime() - t.clock.now().getTime();
    const stepAudit = async (concernId: string) =>
      (
        (await t.hub.audit.forSubject('concern', concernId)).find((e) => e.action === 'concern.sent_to_dsl')
          ?.details as { outOfChat?: Record<string, string[]> } | undefined
      )?.outOfChat;

    const before = await raise();
    expect(await emailDue(before.concern.id)).toBe(5 * 60_000);
    expect(await stepAudit(before.concern.id)).toEqual({ [s.staff.dsl]: ['EMAIL+5min'] });

    await contactsOf(t.hub)!.notify.set(s.orgId, s.staff.dsl, ['email', '1'], {
      actorId: s.staff.dsl,
      actorKind: 'staff',
      channel: 'TEAMS',
    });
    const after = await raise();
    expect(await emailDue(after.concern.id)).toBe(60_000);
    expect(await stepAudit(after.concern.id)).toEqual({ [s.staff.dsl]: ['EMAIL+1min'] });
    // The first concern's e-mail keeps the time it was queued with.
    expect(await emailDue(before.concern.id)).toBe(5 * 60_000);
  });

  it('send-hub contact notify (the real CLI, an admin): set, refused with the bound, show, reset; audited admin-cli', async () => {
    const cli = cliFor(t, {
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://hub.quarrydene.example',
      MAIL_TRANSPORT: 'smtp',
      MAIL_FROM: 'safeguarding@quarrydene.example',
      SMTP_URL: 'smtp://127.0.0.1:9',
    });
    const refused = await cli('contact', 'notify', 'dsl@quarrydene.example', 'email', '9', '--in-hours');
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain(
      "email in school hours: 9 minutes is not allowed; at most 5 minutes, your organisation's latest",
    );
    const set = await cli('contact', 'notify', 'dsl@quarrydene.example', 'sms', '3', '--out-of-hours');
    expect(set.code).toBe(0);
    expect(set.out).toContain('Dana Lead: SMS after 3 minutes out of hours');
    expect(set.out).toContain(
      'Dana Lead  Out of hours: chat at once, e-mail after 5 min (2 with immediate risk), SMS after 3 min, your setting',
    );
    expect(set.out).toContain('Dana Lead  methods: e-mail d•••@quarrydene.example: verified; mobile: none');
    const reset = await cli('contact', 'notify', 'dsl@quarrydene.example', 'reset');
    expect(reset.out).toContain("Dana Lead: back to the organisation's notification times");
    expect(await contactsOf(t.hub)!.notify.repo.get(s.staff.dsl)).toMatchObject({ smsOutOfHours: null });
    const audit = await t.hub.dbh.db.auditEvent.findMany({
      where: { subjectId: s.staff.dsl, action: { startsWith: 'contact.notify' } },
      orderBy: { seq: 'asc' },
    });
    expect(audit.map((a) => [a.action, a.actorKind, a.channel])).toEqual([
      ['contact.notify_set', 'admin-cli', 'CLI'],
      ['contact.notify_reset', 'admin-cli', 'CLI'],
    ]);
  }, 300_000);
});
