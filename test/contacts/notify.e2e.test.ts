/**
 * SMS by GOV.UK Notify (issue 16): the Notify API through nock with the request and response bodies of its
 * documentation (POST /v2/notifications/sms, GET /v2/notifications?reference=…, error bodies), and Notify's
 * delivery-status callbacks posted to the hub's real HTTP server with and without the bearer token.
 * A crash between Notify's answer and our write does not send the SMS twice (reconcile by reference).
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contactsModule } from '../../app/contacts/contacts-module.ts';
import { NOTIFY_CALLBACK_PATH } from '../../app/contacts/notify-callback.ts';
import { createApp, listen, type RunningServer } from '../../app/server.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { seedSchool } from '../data-protection/seed.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { expectNoChildDetails } from '../support/no-child-details.ts';

const NOTIFY = 'https://api.notifications.service.gov.uk';
const SERVICE_ID = '26785a09-ab16-4eb0-8407-a37497a57506';
const API_KEY = `sendhub_test-${SERVICE_ID}-3d844edf-8d35-48ac-975b-e847b4f122b0`;
const SMS_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
const EMAIL_TEMPLATE = '9d751e0e-f929-4891-82a1-a3e1c3c18ee3';
const CALLBACK_TOKEN = 'notify-callback-token-1234';
const MOBILE = '+447700900123';

/** Notify's documented 201 body for a text message. */
const created = (id: string, reference: string, body: string) => ({
  id,
  reference,
  content: { body, from_number: 'SENDHUB' },
  uri: `${NOTIFY}/v2/notifications/${id}`,
  template: { id: SMS_TEMPLATE, version: 1, uri: `${NOTIFY}/v2/template/${SMS_TEMPLATE}` },
});

interface SmsBody {
  phone_number: string;
  template_id: string;
  personalisation: Record<string, string>;
  reference: string;
}

describe.each(providers)('SMS by GOV.UK Notify on %s', (provider) => {
  let t: TestHub;
  let server: RunningServer;
  let orgId: string;
  let staff: Awaited<ReturnType<typeof seedSchool>>['staff'];
  const undeliverable: string[] = [];

  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    undeliverable.length = 0;
    t = await startTestHub(provider, {
      now: '2026-12-06T09:40:00Z',
      modules: [contactsModule()],
      env: {
        SMS_TRANSPORT: 'notify',
        MAIL_TRANSPORT: 'notify',
        NOTIFY_API_KEY: API_KEY,
        NOTIFY_SMS_TEMPLATE_ID: SMS_TEMPLATE,
        NOTIFY_EMAIL_TEMPLATE_ID: EMAIL_TEMPLATE,
        NOTIFY_CALLBACK_TOKEN: CALLBACK_TOKEN,
      },
    });
    ({ orgId, staff } = await seedSchool(t.hub));
    t.hub.deliverer.onUndeliverable(async (_o, m) => void undeliverable.push(m.idempotencyKey));
    server = await listen(createApp(t.hub), 0, '127.0.0.1');
  });
  afterEach(async () => {
    await server.close();
    await t.close();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  /** Add and verify the DSL's mobile from the console, with the code Notify was asked to send. */
  async function verifiedMobile(): Promise<void> {
    let sent: SmsBody | undefined;
    const scope = nock(NOTIFY)
      .post('/v2/notifications/sms', (b: SmsBody) => {
        sent = b;
        return true;
      })
      .reply(201, (_uri, b) =>
        created('11111111-0000-4000-8000-000000000001', (b as SmsBody).reference, 'code'),
      );
    await t.console.handleLine('as dsl@test.example');
    await t.console.handleLine('settings contact add sms 07700 900123');
    expect(t.consoleOut.text()).toContain('Added •••• ••• 123: not verified yet');
    await t.hub.deliverer.drainAll();
    expect(scope.isDone()).toBe(true);
    expect(sent?.phone_number).toBe(MOBILE);
    expect(sent?.template_id).toBe(SMS_TEMPLATE);
    expect(Object.keys(sent?.personalisation ?? {})).toEqual(['code', 'subject', 'body']);
    await t.console.handleLine(`settings contact verify ${sent?.personalisation.code}`);
    expect(t.consoleOut.text()).toContain('Verified •••• ••• 123');
    t.clock.advance(1_000);
  }

  const alert = (key: string) =>
    t.hub.outbox.enqueue({
      idempotencyKey: key,
      orgId,
      to: { staffId: staff.dsl },
      via: 'SMS',
      priority: 0,
      message: message({
        kind: 'concern_alert_external',
        audience: 'private',
        title: 'Safeguarding concern C-9Z8Y7X for K.W. (Y4) Kai Walker',
        facts: [
          { label: 'Reference', value: 'C-9Z8Y7X' },
          { label: 'Raised at', value: '2026-12-06T09:40:00.000Z' },
          { label: 'Category', value: 'Sexual abuse' },
        ],
        link: { label: 'Acknowledge', url: 'https://hub.school.example/ack/t.s' },
      }),
    });

  const post = (body: unknown, authorization?: string) =>
    fetch(`http://127.0.0.1:${server.port}${NOTIFY_CALLBACK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });

  /** Notify's documented callback body. */
  const callback = (reference: string, status: string) => ({
    id: '22222222-0000-4000-8000-000000000002',
    reference,
    to: MOBILE,
    status,
    created_at: '2026-12-06T09:40:01.000000Z',
    completed_at: '2026-12-06T09:40:09.000000Z',
    sent_at: '2026-12-06T09:40:02.000000Z',
    notification_type: 'sms',
    template_id: SMS_TEMPLATE,
    template_version: 1,
  });

  it('sends the alert with reference, time and link only; a permanent-failure callback fails it once', async () => {
    await verifiedMobile();
    let sent: SmsBody | undefined;
    nock(NOTIFY)
      .post('/v2/notifications/sms', (b: SmsBody) => {
        sent = b;
        return true;
      })
      .reply(201, (_uri, b) =>
        created('22222222-0000-4000-8000-000000000002', (b as SmsBody).reference, 'alert'),
      );
    await alert('concern:c1:step:0:SMS');
    expect((await t.hub.deliverer.drainAll()).sent).toBe(1);
    expect(sent).toEqual({
      phone_number: MOBILE,
      template_id: SMS_TEMPLATE,
      reference: 'concern:c1:step:0:SMS',
      personalisation: {
        reference: 'C-9Z8Y7X',
        raised_at: '06 Dec 2026 09:40',
        link: 'https://hub.school.example/ack/t.s',
        subject: 'Safeguarding concern C-9Z8Y7X needs you',
        body: 'SEND Hub: a safeguarding concern needs you. Ref C-9Z8Y7X, raised 06 Dec 2026 09:40. Acknowledge: https://hub.school.example/ack/t.s',
      },
    });
    expectNoChildDetails(JSON.stringify(sent), ['Kai', 'Walker', 'K.W.', 'Y4', 'Sexual']);
    const row = () =>
      t.hub.dbh.db.outboxMessage.findUniqueOrThrow({
        where: { idempotencyKey: 'concern:c1:step:0:SMS' },
        include: { deliveries: { orderBy: { attemptNo: 'asc' } } },
      });
    expect((await row()).platformRef).toBe('notify:22222222-0000-4000-8000-000000000002');

    // Without the token, or with another, nothing changes.
    expect((await post(callback('concern:c1:step:0:SMS', 'permanent-failure'))).status).toBe(401);
    expect(
      (await post(callback('concern:c1:step:0:SMS', 'permanent-failure'), 'Bearer not-the-token-at-all'))
        .status,
    ).toBe(401);
    expect((await row()).state).toBe('SENT');
    expect(undeliverable).toEqual([]);

    const ok = await post(callback('concern:c1:step:0:SMS', 'permanent-failure'), `Bearer ${CALLBACK_TOKEN}`);
    expect(ok.status).toBe(200);
    const failed = await row();
    expect(failed.state).toBe('FAILED');
    expect(failed.lastError).toBe('notify permanent-failure');
    expect(failed.deliveries.map((d) => [d.outcome, d.worker])).toEqual([
      ['SENT', 'test-worker'],
      ['FAILED', 'notify-callback'],
    ]);
    expect(undeliverable).toEqual(['concern:c1:step:0:SMS']);
    // Notify retries a callback it thinks failed: the second one changes nothing.
    await post(callback('concern:c1:step:0:SMS', 'permanent-failure'), `Bearer ${CALLBACK_TOKEN}`);
    expect(undeliverable).toEqual(['concern:c1:step:0:SMS']);
    const method = await t.hub.dbh.db.contactMethod.findFirstOrThrow({
      where: { staffId: staff.dsl, kind: 'SMS' },
    });
    expect(method.lastFailure).toBe('notify permanent-failure');
    // The receipts are audited, without the number.
    const receipts = await t.hub.dbh.db.auditEvent.findMany({ where: { action: 'delivery.receipt' } });
    expect(receipts).toHaveLength(2);
    expect(JSON.stringify(receipts)).not.toContain('900123');
    // A receipt that is not ours is acknowledged and ignored; a malformed one is refused.
    const other = await post(callback('someone-else', 'delivered'), `Bearer ${CALLBACK_TOKEN}`);
    expect(await other.json()).toEqual({ ok: true, matched: false });
    expect((await post({ nope: 1 }, `Bearer ${CALLBACK_TOKEN}`)).status).toBe(400);
  });

  it('a crash between Notify’s answer and our write: reconciled by reference, not sent again', async () => {
    await verifiedMobile();
    await alert('concern:c2:step:0:SMS');
    // A worker claims and records its attempt, Notify accepts the SMS, and the process dies before it
    // records the answer: the row is SENDING with an open attempt and a lease that runs out.
    const [claimed] = await t.hub.outbox.claim('dead-worker', 10, 60_000);
    expect(claimed?.idempotencyKey).toBe('concern:c2:step:0:SMS');
    expect(await t.hub.outbox.beginAttempt(claimed!.id, claimed!.claimToken, 60_000)).toBe(1);
    t.clock.advance(61_000);
    const lookup = nock(NOTIFY)
      .get('/v2/notifications')
      .query({ template_type: 'sms', reference: 'concern:c2:step:0:SMS' })
      .reply(200, {
        notifications: [
          {
            id: '33333333-0000-4000-8000-000000000003',
            reference: 'concern:c2:step:0:SMS',
            phone_number: MOBILE,
            type: 'sms',
            status: 'sending',
            template: { id: SMS_TEMPLATE, version: 1, uri: `${NOTIFY}/v2/template/${SMS_TEMPLATE}` },
            body: 'SEND Hub: a safeguarding concern needs you.',
            created_at: '2026-12-06T09:40:00.000000Z',
            created_by_name: null,
          },
        ],
        links: { current: `${NOTIFY}/v2/notifications?reference=concern:c2:step:0:SMS` },
      });
    // No POST is expected: nock refuses any, and a refused send would leave the row RETRYING.
    const report = await t.hub.deliverer.drainAll();
    expect(lookup.isDone()).toBe(true);
    expect(report.sent).toBe(1);
    const row = await t.hub.dbh.db.outboxMessage.findUniqueOrThrow({
      where: { idempotencyKey: 'concern:c2:step:0:SMS' },
      include: { deliveries: { orderBy: { attemptNo: 'asc' } } },
    });
    expect(row.state).toBe('SENT');
    expect(row.lastError).toBe('reconciled after restart');
    expect(nock.pendingMocks()).toEqual([]);

    // The other way round: Notify has nothing with that reference, so it is sent, once.
    await alert('concern:c3:step:0:SMS');
    const [again] = await t.hub.outbox.claim('dead-worker', 10, 60_000);
    await t.hub.outbox.beginAttempt(again!.id, again!.claimToken, 60_000);
    t.clock.advance(61_000);
    nock(NOTIFY)
      .get('/v2/notifications')
      .query({ template_type: 'sms', reference: 'concern:c3:step:0:SMS' })
      .reply(200, { notifications: [], links: { current: `${NOTIFY}/v2/notifications` } });
    const send = nock(NOTIFY)
      .post('/v2/notifications/sms', (b: SmsBody) => b.reference === 'concern:c3:step:0:SMS')
      .once()
      .reply(201, created('44444444-0000-4000-8000-000000000004', 'concern:c3:step:0:SMS', 'alert'));
    await t.hub.deliverer.drainAll();
    expect(send.isDone()).toBe(true);
    const third = await t.hub.dbh.db.outboxMessage.findUniqueOrThrow({
      where: { idempotencyKey: 'concern:c3:step:0:SMS' },
    });
    expect(third.state).toBe('SENT');
  });

  it('Notify 429 is throttled and retried; a 400 about the number is final and tells the ladder', async () => {
    await verifiedMobile();
    nock(NOTIFY)
      .post('/v2/notifications/sms')
      .reply(429, {
        status_code: 429,
        errors: [
          {
            error: 'RateLimitError',
            message: 'Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds',
          },
        ],
      });
    await alert('concern:c4:step:0:SMS');
    await t.hub.deliverer.drainOnce();
    const row = () =>
      t.hub.dbh.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'concern:c4:step:0:SMS' } });
    expect((await row()).state).toBe('RETRYING');
    expect((await row()).lastError).toBe('throttled');
    t.clock.advance(120_000);
    nock(NOTIFY)
      .post('/v2/notifications/sms')
      .reply(400, {
        status_code: 400,
        errors: [{ error: 'ValidationError', message: 'phone_number Not a UK mobile number' }],
      });
    await t.hub.deliverer.drainAll();
    expect((await row()).state).toBe('FAILED');
    expect((await row()).lastError).toBe('notify 400 ValidationError: recipient refused');
    expect(undeliverable).toEqual(['concern:c4:step:0:SMS']);
  });
});
