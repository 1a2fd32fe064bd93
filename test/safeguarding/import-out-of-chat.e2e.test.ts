/**
 * Issue 16 from the seat of a school that imports CPOMS from the command line: the hub runs (`send-hub
 * start`, a child process), the admin gives the DSL a work e-mail and verifies it with the code the DSL
 * received (`send-hub contact add|verify`), and the SENDCo imports a CPOMS export with a safeguarding
 * incident (`send-hub import cpoms <file>`, another child process on the same database and settings).
 *
 * The import process loads only the data-protection and safeguarding modules (app/imports/import-main.ts),
 * not app/contacts; it still queues the DSL's e-mail step with the first alert (app/safeguarding/
 * out-of-chat.ts reads the verified methods and the transport settings itself), and the running hub sends
 * it to a real SMTP server on loopback: for step 0 of this concern, with its reference and acknowledge link
 * and nothing about the child (docs/safeguarding.md, "Beyond the chat").
 * - No chat reaches the DSL (console off, no Teams or Slack): the e-mail, due at 5 minutes, goes at once in
 *   the chat's place; the DSL acknowledges by its link.
 * - The console reaches the DSL: the chat alert, and the e-mail at the rule's minutes (0 here: the hub's
 *   clock is real time in its own process and cannot be advanced from the test).
 * Before the fix the import queued no e-mail: the first case got only the hub's resend (step 3, after the
 * ladder ran through the deputies and the head), the second none.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../store/db.ts';
import { providers } from '../support/db.ts';
import {
  acknowledgeByLink,
  CHILD,
  hubThenImport,
  PUBLIC_URL,
  Recorder,
  INCIDENT_TEXT as TEXT,
} from '../support/import-two-process.ts';
import { expectNoChildDetails } from '../support/no-child-details.ts';
import type { ConsoleHub } from './console-hub.ts';

const DSL_WORK_EMAIL = 't.reed@elmfield.example';

interface Received {
  to: string[];
  raw: string;
}

let smtp: SMTPServer;
let port = 0;
const received = new Recorder<Received>(
  (r) => `${r.to.join(',')} ${/^Subject: .*$/m.exec(r.raw)?.[0] ?? ''}`,
);

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
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
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** The headers and the body (quoted-printable soft breaks and escapes undone) of a received message. */
function parse(raw: string): { headers: string; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  return {
    headers: raw.slice(0, at).replace(/\r\n[ \t]+/g, ' '),
    body: raw
      .slice(at + 4)
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
  };
}

/** Wait (on the server's deliveries, never a sleep) for a message to `to` whose text matches `re`. */
const mailTo = (to: string, re: RegExp, what: string) =>
  received.waitFor((r) => r.to.includes(to) && re.test(parse(r.raw).body), `${what} (to ${to})`);

/**
 * The hub (a child process) with e-mail by SMTP to this test's server; the admin gives the DSL a verified work
 * e-mail (`send-hub contact add|verify`, with the code the server received); the SENDCo imports a CPOMS export
 * with a safeguarding incident (`send-hub import cpoms`, its own process: no contacts module there).
 * Returns the concern's reference.
 */
async function hubThenImportByEmail(
  provider: Provider,
  env: NodeJS.ProcessEnv,
  started: (h: ConsoleHub) => void,
): Promise<{ hub: ConsoleHub; ref: string }> {
  received.items.length = 0;
  return hubThenImport(
    provider,
    {
      MAIL_TRANSPORT: 'smtp',
      MAIL_FROM: 'safeguarding@elmfield.example',
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      ...env,
    },
    {
      contact: { kind: 'email', address: DSL_WORK_EMAIL },
      async code() {
        const codeMail = await mailTo(DSL_WORK_EMAIL, /verification code is \d{6}/, 'the verification code');
        return /verification code is (\d{6})/.exec(parse(codeMail.raw).body)?.[1] ?? '';
      },
      listed: /email\s+t•+@elmfield\.example\s+verified/,
      incidentId: 7101,
      started,
    },
  );
}

/**
 * The DSL's alert e-mail for `ref`: to the work e-mail, content-free, with an acknowledge link for this
 * concern's step 0 by e-mail (the first alert, queued by the import). Returns the link's token.
 */
async function stepZeroEmail(ref: string): Promise<string> {
  const alert = await mailTo(DSL_WORK_EMAIL, new RegExp(ref), `the alert for ${ref}`);
  const { headers, body } = parse(alert.raw);
  expect(alert.to).toEqual([DSL_WORK_EMAIL]);
  expect(headers).toMatch(new RegExp(`^Subject: Safeguarding concern ${ref} needs you`, 'm'));
  const link = new RegExp(
    `${PUBLIC_URL.replace(/\./g, '\\.')}/ack/(1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.(\\d+)\\.(E)\\.[^\\s.]+\\.[A-Za-z0-9_-]+)`,
  ).exec(body);
  expect(link, body).not.toBeNull();
  // Without the fix no e-mail was queued at step 0; where nobody is reachable by chat the ladder ran through
  // the deputies and the head, and the only e-mail came from the hub's resend step, 3.
  expect(link?.[2], 'the e-mail is the first alert, step 0').toBe('0');
  expectNoChildDetails(body, CHILD);
  expectNoChildDetails(headers, CHILD);
  return link?.[1] ?? '';
}

describe.each(
  providers,
)('a concern raised by `send-hub import cpoms` reaches the DSL by e-mail (%s)', (provider) => {
  let hub: ConsoleHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it('the DSL, whom no chat reaches, receives the e-mail at once with the reference and the link, nothing about the child, and acknowledges by it', async () => {
    // No channel reaches anyone (no console, Teams or Slack): the e-mail, due at 5 minutes, takes the chat's place.
    const t = await hubThenImportByEmail(provider, { CONSOLE_CHANNEL: 'off' }, (h) => {
      hub = h;
    });
    const token = await stepZeroEmail(t.ref);
    // The link works on the hub's own HTTP server: the page shows the reference; its button acknowledges.
    await acknowledgeByLink(t.hub, token, t.ref);
  }, 300_000);

  it("the DSL whom the chat reaches gets the chat alert and, at the rule's minutes, the e-mail", async () => {
    // The console reaches the DSL. The hub's clock is real time in another process, so the rule is 0 minutes:
    // the e-mail is due with the chat message (without the fix it was never queued; the ladder waits 15).
    const t = await hubThenImportByEmail(
      provider,
      { CONSOLE_CHANNEL: 'on', SAFEGUARDING_NOTIFY_EMAIL_MINUTES: '0' },
      (h) => {
        hub = h;
      },
    );
    await t.hub.waitFor(
      new RegExp(`── to Tom Reed, DSL ─ [^\\n]*\\n[^\\n]*Safeguarding concern ${t.ref}`),
      60_000,
    );
    await stepZeroEmail(t.ref);
    expect(t.hub.out()).not.toContain(TEXT);
  }, 300_000);
});
