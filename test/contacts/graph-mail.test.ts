/**
 * E-mail through Microsoft Graph `POST /users/{MAIL_FROM}/sendMail` (nock, with the request body and the
 * 202 / 429 / 400 / 403 answers of Microsoft's documentation and throttling guidance), the token from the
 * client-credentials sign-in the calendar sync uses; and the start-up validation of the transports.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readContactsSettings } from '../../app/config/contacts.ts';
import { loadConfig } from '../../app/config/index.ts';
import { GraphMailTransport } from '../../bots/email/graph-mail-transport.ts';
import { OutOfChatChannel } from '../../bots/email/out-of-chat-channel.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { ClientCredentialsTokenSource } from '../../integrations/graph-calendar/graph-transport.ts';
import { expectNoChildDetails } from '../support/no-child-details.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const FROM = 'safeguarding-alerts@school.example';
const GRAPH = 'https://graph.microsoft.com';

const alert = message({
  kind: 'concern_alert_external',
  audience: 'private',
  title: 'Safeguarding concern C-AB12CD for R.P. (Y9) Rosa Perez',
  facts: [
    { label: 'Reference', value: 'C-AB12CD' },
    { label: 'Raised at', value: '2026-12-06T18:05:00.000Z' },
    { label: 'Category', value: 'Online safety' },
  ],
  link: { label: 'Acknowledge', url: 'https://hub.school.example/ack/x.y' },
});

const failures: { id: string; reason: string }[] = [];
const directory = {
  async deliverable(staffId: string) {
    return staffId === 'dsl' ? { id: 'cm1', value: 'dsl@school.example' } : null;
  },
  async recordFailure(id: string, reason: string) {
    failures.push({ id, reason });
  },
};

function channel() {
  const tokens = new ClientCredentialsTokenSource({
    tenantId: TENANT,
    clientId: '6731de76-14a6-49ae-97bc-6eba6914391e',
    clientSecret: 'shh-test-secret',
  });
  return new OutOfChatChannel(
    'EMAIL',
    new GraphMailTransport({ from: FROM, getAccessToken: () => tokens.getAccessToken() }),
    directory,
  );
}

const person = { kind: 'person' as const, staffId: 'dsl', displayName: 'Dee Sell' };

describe('e-mail through Microsoft Graph sendMail', () => {
  beforeEach(() => {
    nock.disableNetConnect();
    failures.length = 0;
    nock('https://login.microsoftonline.com')
      .post(`/${TENANT}/oauth2/v2.0/token`, (b) => b.scope === 'https://graph.microsoft.com/.default')
      .reply(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'eyJ.test' });
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('posts the fixed template to /users/{from}/sendMail with the app token; 202 is sent', async () => {
    let body: { message: Record<string, unknown>; saveToSentItems: boolean } | undefined;
    const scope = nock(GRAPH, { reqheaders: { authorization: 'Bearer eyJ.test' } })
      .post(`/v1.0/users/${encodeURIComponent(FROM)}/sendMail`, (b) => {
        body = b;
        return true;
      })
      .reply(202);
    const r = await channel().send(person, alert, { idempotencyKey: 'concern:c1:step:0:EMAIL' });
    expect(scope.isDone()).toBe(true);
    expect(r.outcome).toBe('sent');
    expect(r.outcome === 'sent' && r.platformRef).toMatch(/^graph:[0-9a-f]{32}$/);
    expect(body?.saveToSentItems).toBe(false);
    expect(body?.message).toMatchObject({
      subject: 'Safeguarding concern C-AB12CD needs you',
      body: { contentType: 'Text' },
      toRecipients: [{ emailAddress: { address: 'dsl@school.example' } }],
    });
    const text = JSON.stringify(body);
    expect(text).toContain('Raised at: 06 Dec 2026 18:05');
    expect(text).toContain('https://hub.school.example/ack/x.y');
    expectNoChildDetails(text, ['Rosa', 'Perez', 'R.P.', 'Y9', 'Online safety']);
  });

  it('429 is throttled with Retry-After; an invalid recipient is final; 403 says to grant Mail.Send', async () => {
    nock(GRAPH)
      .post(`/v1.0/users/${encodeURIComponent(FROM)}/sendMail`)
      .reply(
        429,
        { error: { code: 'ApplicationThrottled', message: 'Too many requests' } },
        { 'Retry-After': '7' },
      )
      .post(`/v1.0/users/${encodeURIComponent(FROM)}/sendMail`)
      .reply(400, {
        error: { code: 'ErrorInvalidRecipients', message: 'At least one recipient is not valid.' },
      })
      .post(`/v1.0/users/${encodeURIComponent(FROM)}/sendMail`)
      .reply(403, { error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } });
    const c = channel();
    const meta = { idempotencyKey: 'k' };
    expect(await c.send(person, alert, meta)).toEqual({ outcome: 'throttled', retryAfterMs: 7000 });
    expect(await c.send(person, alert, meta)).toEqual({
      outcome: 'not_found',
      error: 'graph 400 ErrorInvalidRecipients',
    });
    expect(failures).toEqual([{ id: 'cm1', reason: 'graph 400 ErrorInvalidRecipients' }]);
    expect(await c.send(person, alert, meta)).toEqual({
      outcome: 'failed',
      error: 'graph 403 ErrorAccessDenied: grant the app Mail.Send',
      transient: false,
    });
    // Nobody verified: no call at all.
    expect(await c.send({ ...person, staffId: 'other' }, alert, meta)).toEqual({
      outcome: 'not_found',
      error: 'no verified e-mail contact method',
    });
  });
});

describe('transport settings, validated at start-up', () => {
  const base = { SEND_HUB_ENV: 'test', DATA_DIR: '/tmp/send-hub-contacts-config' };
  it('names each missing variable and never echoes a secret', () => {
    const raw = (env: Record<string, string>) => loadConfig({ ...base, ...env }, '/tmp').raw;
    expect(() => readContactsSettings(raw({ MAIL_TRANSPORT: 'smtp' }))).toThrow(
      /MAIL_FROM is missing: MAIL_TRANSPORT=smtp needs the sender address\nconfig error: SMTP_URL is missing/,
    );
    expect(() => readContactsSettings(raw({ MAIL_TRANSPORT: 'graph', MAIL_FROM: FROM }))).toThrow(
      /GRAPH_TENANT_ID is missing: MAIL_TRANSPORT=graph signs in with the Graph app credentials \(permission Mail\.Send\)/,
    );
    expect(() => readContactsSettings(raw({ SMS_TRANSPORT: 'notify' }))).toThrow(
      /NOTIFY_API_KEY is missing[^\n]*\nconfig error: NOTIFY_SMS_TEMPLATE_ID is missing/,
    );
    expect(() => loadConfig({ ...base, NOTIFY_API_KEY: 'secret-value-not-a-key' }, '/tmp')).toThrow(
      'config error: NOTIFY_API_KEY is invalid: expected a Notify API key (name-uuid-uuid)',
    );
    expect(() => loadConfig({ ...base, MAIL_TRANSPORT: 'pigeon' }, '/tmp')).toThrow(
      /MAIL_TRANSPORT is "pigeon"/,
    );
    const ok = readContactsSettings(
      raw({ MAIL_TRANSPORT: 'smtp', SMTP_URL: 'smtp://u:p@mail.example:587', MAIL_FROM: FROM }),
    );
    expect(ok.mail).toMatchObject({ transport: 'smtp', from: FROM, perMinute: 30 });
    expect(ok.sms).toBeNull();
    expect(readContactsSettings(raw({})).mail).toBeNull();
  });
});
