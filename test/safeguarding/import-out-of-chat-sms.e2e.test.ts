/**
 * Issue 16, the SMS half, from the seat of a school that imports CPOMS from the command line: the hub runs
 * (`send-hub start`, a child process) with text messages by GOV.UK Notify; the admin gives the DSL a mobile
 * number and verifies it with the code the DSL was texted (`send-hub contact add|verify`); the SENDCo imports
 * a CPOMS export with a safeguarding incident (`send-hub import cpoms <file>`, another process on the same
 * database and settings). No chat reaches the DSL (console off, no Teams or Slack), so the SMS, the DSL's only
 * verified method, goes at once in the chat's place (core/escalations/notification-rules.ts).
 *
 * The hub sends the SMS from its own process, where nock cannot reach: Notify is a stand-in HTTP server on
 * loopback (the hub's NOTIFY_BASE_URL points at it) answering `POST /v2/notifications/sms` with the body of
 * Notify's documentation and recording what it was asked to send. The test reads what the DSL's phone
 * would: the concern's reference, time and acknowledge link, nothing about the child; the DSL acknowledges
 * by the link on the hub's own HTTP server. Without the import queuing the SMS step (checked by turning
 * it off in the import's reader), the first text for the concern is the hub's resend step's, not step 0's,
 * and the test fails.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import {
  acknowledgeByLink,
  CHILD,
  hubThenImport,
  PUBLIC_URL,
  Recorder,
} from '../support/import-two-process.ts';
import { type LoopbackServer, startLoopbackServer } from '../support/loopback-server.ts';
import { expectNoChildDetails } from '../support/no-child-details.ts';
import type { ConsoleHub } from './console-hub.ts';

const MOBILE = '+447700900123';
const SERVICE_ID = '26785a09-ab16-4eb0-8407-a37497a57506';
const API_KEY = `sendhub_test-${SERVICE_ID}-3d844edf-8d35-48ac-975b-e847b4f122b0`;
const SMS_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';

interface SmsBody {
  phone_number: string;
  template_id: string;
  personalisation: Record<string, string>;
  reference: string;
}

/** What the Notify stand-in was asked to send, with the Authorization header it came with. */
const texts = new Recorder<SmsBody & { authorization: string }>((t) => `${t.phone_number} ${t.reference}`);
let notify: LoopbackServer | undefined;
let notifyUrl = '';

beforeAll(async () => {
  let n = 0;
  // The hub's timeouts, and a close() that ends idle connections (test/support/loopback-server.ts).
  notify = await startLoopbackServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString('utf8');
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://notify');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && url.pathname === '/v2/notifications/sms') {
        const b = JSON.parse(raw) as SmsBody;
        texts.push({ ...b, authorization: String(req.headers.authorization ?? '') });
        const id = `11111111-0000-4000-8000-${String(++n).padStart(12, '0')}`;
        // Notify's documented 201 body for a text message.
        json(201, {
          id,
          reference: b.reference,
          content: { body: 'text', from_number: 'SENDHUB' },
          uri: `${notifyUrl}/v2/notifications/${id}`,
          template: { id: b.template_id, version: 1, uri: `${notifyUrl}/v2/template/${b.template_id}` },
        });
        return;
      }
      // A send in doubt is looked up by reference: none was sent here before.
      if (req.method === 'GET' && url.pathname === '/v2/notifications') {
        json(200, { notifications: [], links: { current: `${notifyUrl}${req.url}` } });
        return;
      }
      json(404, { status_code: 404, errors: [{ error: 'NotFound', message: 'Not found' }] });
    });
  });
  notifyUrl = notify.origin;
});

afterAll(async () => {
  await notify?.close();
});

/** Wait (on the stand-in's requests, never a sleep) for a text Notify was asked to send that `ok` accepts. */
const textTo = (ok: (b: SmsBody) => boolean, what: string, timeoutMs?: number): Promise<SmsBody> =>
  texts.waitFor(ok, `the text: ${what}`, timeoutMs);

describe.each(
  providers,
)('a concern raised by `send-hub import cpoms` reaches the DSL by SMS (%s)', (provider) => {
  let hub: ConsoleHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it('the DSL, whom no chat reaches, is texted at once with the reference and the link, nothing about the child, and acknowledges by it', async () => {
    texts.items.length = 0;
    // The admin adds the DSL's mobile; the hub texts the code; the admin verifies it with the code the DSL read.
    // The SENDCo's import, in its own process (no contacts module there), raises the concern.
    const { hub: running, ref } = await hubThenImport(
      provider,
      {
        CONSOLE_CHANNEL: 'off',
        SMS_TRANSPORT: 'notify',
        NOTIFY_API_KEY: API_KEY,
        NOTIFY_SMS_TEMPLATE_ID: SMS_TEMPLATE,
        NOTIFY_BASE_URL: notifyUrl,
      },
      {
        contact: { kind: 'sms', address: '07700 900123' },
        async code() {
          const codeText = await textTo((b) => 'code' in b.personalisation, 'the verification code');
          expect(codeText.phone_number).toBe(MOBILE);
          return codeText.personalisation.code ?? '';
        },
        incidentId: 7102,
        started: (h) => {
          hub = h;
        },
      },
    );

    // The hub texts the DSL: step 0 of this concern, by SMS, through Notify with the hub's key.
    const alert = await textTo((b) => b.personalisation.reference === ref, `the alert for ${ref}`, 120_000);
    expect(alert.phone_number).toBe(MOBILE);
    expect(alert.template_id).toBe(SMS_TEMPLATE);
    // Without the import queuing the SMS step, the only text came later from the hub's own ladder (the
    // resend step, after the deputies and the head were found unreachable): not step 0.
    expect(alert.reference).toMatch(/^concern:[^:]+:step:0:[^:]+:sms$/);
    expect(texts.items.find((t) => t === alert)?.authorization).toMatch(/^Bearer /);
    const link = alert.personalisation.link ?? '';
    expect(link.startsWith(`${PUBLIC_URL}/ack/`), link).toBe(true);
    const sent = JSON.stringify(alert);
    expectNoChildDetails(sent, CHILD);

    // The link works on the hub's own HTTP server: the page shows the reference; its button acknowledges.
    const token = link.slice(`${PUBLIC_URL}/ack/`.length);
    await acknowledgeByLink(running, token, ref);
  }, 420_000);
});
