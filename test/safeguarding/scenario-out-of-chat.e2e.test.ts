/**
 * Issue 16, the proof scenario: Teams cannot reach the DSL (the Bot Connector answers 500 to every send to
 * her), so the concern goes to chat, then by e-mail at N minutes (a real SMTP server on loopback receiving
 * what nodemailer sends), then by SMS at M (GOV.UK Notify's API via nock), while the ladder climbs as ever;
 * the DSL opens the SMS link and acknowledges on the hub's real HTTP server; the deputies and the head are
 * told in Teams, nothing more is e-mailed or texted, and the audit shows every step. Immediate risk: the
 * defaults are e-mail at 2 minutes, SMS at 5, each ladder step 5 minutes.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactsModule, contactsOf } from '../../app/contacts/contacts-module.ts';
import { safeguardingModule, safeguardingOf } from '../../app/safeguarding/module.ts';
import { raiseConcern } from '../support/concern.ts';
import { providers } from '../support/db.ts';
import { expectNoChildDetails } from '../support/no-child-details.ts';
import {
  connector,
  SERVICE_URL,
  serveBotFrameworkKeys,
  serveEntraToken,
  startTeamsHub,
  TEAMS_ENV,
  TENANT,
  type TeamsTestHub,
} from '../teams/support.ts';
import { PUPIL, type School, seedSchool } from './support.ts';

/** smtp-server ships no types: the little of it this test uses. */
interface SmtpServer {
  listen(port: number, host: string, cb: () => void): void;
  close(cb: () => void): void;
  server: { address(): AddressInfo };
}
type SmtpServerCtor = new (options: {
  authOptional: boolean;
  disabledCommands: string[];
  logger: boolean;
  onData(
    stream: NodeJS.ReadableStream,
    session: { envelope: { rcptTo: { address: string }[] } },
    cb: (err?: Error) => void,
  ): void;
}) => SmtpServer;
const { SMTPServer } = createRequire(import.meta.url)('smtp-server') as { SMTPServer: SmtpServerCtor };

const PUBLIC_URL = 'https://hub.quarrydene.example';
const NOTIFY = 'https://api.notifications.service.gov.uk';
const NOTIFY_KEY =
  'quarrydene_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0';
const SMS_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
const DSL_EMAIL = 'dana.lead@quarrydene.example';
const DSL_MOBILE = '+447700900123';
/** Nothing about the child may leave the organisation's chat: not the name, initials, year, category or text. */
const CHILD = [PUPIL.givenName, PUPIL.familyName, 'Z.Q.', 'Y8', 'Neglect', 'stepdad', 'marigold'];

/** A received message's text with quoted-printable soft breaks and escapes undone. */
const unQp = (raw: string) =>
  raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));

describe.each(
  providers,
)('a DSL out of reach of Teams is e-mailed, then texted, and acknowledges by link (%s)', (provider) => {
  let t: TeamsTestHub;
  let s: School;
  let smtp: SmtpServer;
  const mails: { to: string[]; raw: string }[] = [];
  const sms: Record<string, unknown>[] = [];
  const teams: { conv: string; body: unknown }[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, cb) {
        let raw = '';
        stream.on('data', (c: Buffer) => {
          raw += c.toString();
        });
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    await serveBotFrameworkKeys();
    serveEntraToken();
    t = await startTeamsHub(provider, [safeguardingModule(), contactsModule()], {
      ...TEAMS_ENV,
      CONSOLE_CHANNEL: 'off',
      PUBLIC_URL,
      MAIL_TRANSPORT: 'smtp',
      MAIL_FROM: 'safeguarding@quarrydene.example',
      SMTP_URL: `smtp://127.0.0.1:${smtp.server.address().port}`,
      SMS_TRANSPORT: 'notify',
      NOTIFY_API_KEY: NOTIFY_KEY,
      NOTIFY_SMS_TEMPLATE_ID: SMS_TEMPLATE,
    });
    s = await seedSchool(t.hub.dbh.db);
    // Everyone on the ladder (and the raiser) has Teams; the DSL's Teams conversation fails.
    for (const key of ['teacher', 'dsl', 'deputy', 'deputy2', 'head'] as const) {
      await t.hub.staff.linkIdentity(s.staff[key], 'TEAMS', TENANT, `aad-${key}`, {
        channelId: 'msteams',
        serviceUrl: SERVICE_URL,
        conversation: { id: `a:personal-${key}`, conversationType: 'personal', tenantId: TENANT },
        user: { id: `29:${key}`, aadObjectId: `aad-${key}` },
        bot: { id: '28:bot', name: 'SEND Hub' },
      });
    }
    connector()
      .persist()
      .post(/^\/uk\/v3\/conversations\/([^/]+)\/activities(\/[^/]+)?$/)
      .reply((uri, body) => {
        const conv = decodeURIComponent(uri.split('/')[4] ?? '');
        teams.push({ conv, body });
        return conv === 'a:personal-dsl'
          ? [500, { error: { code: 'ServiceError', message: 'Unknown' } }]
          : [200, { id: `m-${teams.length}` }];
      });
    nock(NOTIFY)
      .persist()
      .post('/v2/notifications/sms', (b: Record<string, unknown>) => {
        sms.push(b);
        return true;
      })
      .reply(201, (_uri, b) => ({
        id: `9b2c6c6d-0000-4000-8000-${String(sms.length).padStart(12, '0')}`,
        reference: (b as { reference: string }).reference,
        content: { body: 'SEND Hub: a safeguarding concern needs you.', from_number: 'GOVUK' },
        uri: `${NOTIFY}/v2/notifications/x`,
        template: { id: SMS_TEMPLATE, version: 1, uri: `${NOTIFY}/v2/templates/${SMS_TEMPLATE}` },
      }));
    // The DSL's work e-mail and mobile, verified.
    const repo = contactsOf(t.hub)?.repo;
    if (!repo) throw new Error('contacts module not loaded');
    for (const [kind, value] of [
      ['EMAIL', DSL_EMAIL],
      ['SMS', DSL_MOBILE],
    ] as const) {
      const { code } = await repo.setPending(s.orgId, s.staff.dsl, kind, value, 'admin');
      expect((await repo.verify(s.staff.dsl, code)).ok).toBe(true);
    }
  });
  afterAll(async () => {
    nock.cleanAll();
    await t?.close();
    await new Promise<void>((r) => smtp.close(r));
  });

  const sentTo = (key: keyof School['staff']) =>
    teams.filter((x) => x.conv === `a:personal-${key}`).map((x) => JSON.stringify(x.body));

  it('chat, then e-mail at 2 minutes, then SMS at 5; acknowledged from the SMS link; the others told; all audited', async () => {
    const { concern } = await raiseConcern(t.hub, {
      orgId: s.orgId,
      studentId: s.pupil,
      raisedById: s.staff.teacher,
    });
    const id = concern.id;

    // 0: chat. Teams fails for the DSL (retried); no e-mail or SMS yet.
    await t.tickAndDeliver();
    expect(sentTo('dsl').length).toBeGreaterThan(0);
    expect(mails).toHaveLength(0);
    expect(sms).toHaveLength(0);

    // 1 minute: still nothing beyond the chat.
    t.clock.advanceMinutes(1);
    await t.tickAndDeliver();
    expect(mails).toHaveLength(0);

    // 2 minutes: the e-mail, content-free, with the link.
    t.clock.advanceMinutes(1);
    await t.tickAndDeliver();
    expect(mails).toHaveLength(1);
    const mail = unQp(mails[0]?.raw ?? '');
    expect(mails[0]?.to).toEqual([DSL_EMAIL]);
    expect(mail).toMatch(/^Subject: Safeguarding concern C-[A-Z0-9]{6} needs you/m);
    expect(mail).toContain(`${PUBLIC_URL}/ack/`);
    expectNoChildDetails(mail, CHILD);
    expect(sms).toHaveLength(0);

    // 5 minutes: the SMS to the DSL's mobile (Notify: template, personalisation, our reference), and the
    // deputies have step 1 in Teams.
    t.clock.advanceMinutes(3);
    await t.tickAndDeliver();
    expect(sms).toHaveLength(1);
    const text = sms[0] as {
      phone_number: string;
      template_id: string;
      reference: string;
      personalisation: { reference: string; raised_at: string; link: string; body: string };
    };
    expect(text.phone_number).toBe(DSL_MOBILE);
    expect(text.template_id).toBe(SMS_TEMPLATE);
    expect(text.reference).toBe(`concern:${id}:step:0:${s.staff.dsl}:sms`);
    // The fixed template's fields (and the whole text as ((body)), ((subject))): nothing else goes to Notify.
    expect(Object.keys(text.personalisation).sort()).toEqual([
      'body',
      'link',
      'raised_at',
      'reference',
      'subject',
    ]);
    expect(text.personalisation.body).toContain(text.personalisation.link);
    expectNoChildDetails(JSON.stringify(text), CHILD);
    expect(sentTo('deputy').length).toBe(1);
    expect(sentTo('deputy2').length).toBe(1);

    // 10 minutes: the head has step 2.
    t.clock.advanceMinutes(5);
    await t.tickAndDeliver();
    expect(sentTo('head').length).toBe(1);

    // The DSL opens the SMS link: GET changes nothing; the button acknowledges.
    const path = text.personalisation.link.slice(PUBLIC_URL.length);
    const base = t.base;
    const opened = await fetch(`${base}${path}`);
    expect(opened.status).toBe(200);
    expect((await safeguardingOf(t.hub).service.concerns.byId(id))?.status).toBe('RAISED');
    const acked = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: new URLSearchParams({ token: path.split('/').at(-1) ?? '' }).toString(),
    });
    expect(acked.status).toBe(200);
    const page = await acked.text();
    expect(page).toContain('You acknowledged concern');
    expectNoChildDetails(page, CHILD);
    expect((await safeguardingOf(t.hub).service.concerns.byId(id))?.acknowledgedById).toBe(s.staff.dsl);

    // The deputies and the head are told in Teams that it is handled, by the DSL.
    await t.hub.deliverer.drainAll();
    for (const key of ['deputy', 'deputy2', 'head'] as const) {
      const last = sentTo(key).at(-1) ?? '';
      expect(last).toContain('Dana Lead');
      expect(last).toMatch(/handled|acknowledged/i);
    }

    // Nothing more leaves by e-mail or SMS, nor does the ladder go on.
    const before = { mails: mails.length, sms: sms.length, head: sentTo('head').length };
    t.clock.advanceMinutes(30);
    await t.tickAndDeliver();
    expect({ mails: mails.length, sms: sms.length, head: sentTo('head').length }).toEqual(before);

    // The audit shows every step: sent to the DSL with its e-mail and SMS plan, escalated twice, the link
    // opened and used, the acknowledgement by SMS.
    const events = await t.hub.audit.forSubject('concern', id);
    const actions = events.map((e) => e.action);
    for (const a of [
      'concern.raised',
      'concern.sent_to_dsl',
      'concern.escalated',
      'concern.ack_link_opened',
      'concern.acknowledged',
      'concern.ack_link_used',
    ])
      expect(actions, a).toContain(a);
    expect(actions.filter((a) => a === 'concern.escalated')).toHaveLength(2);
    const first = events.find((e) => e.action === 'concern.sent_to_dsl');
    expect((first?.details as { outOfChat?: Record<string, string[]> }).outOfChat).toEqual({
      [s.staff.dsl]: ['EMAIL+2min', 'SMS+5min'],
    });
    expect(events.find((e) => e.action === 'concern.acknowledged')?.channel).toBe('SMS');
  });
});
