/**
 * A loopback stand-in for GOV.UK Notify's API (issue 18): `POST /v2/notifications/sms|email` answered 201
 * with the documented body, and the published limit enforced as Notify states it, "3,000 messages per
 * minute", on a rolling basis per API key (an exact sliding window of 60 s over every message it accepted;
 * beyond it a 429 RateLimitError, as Notify answers). It records, per `reference` (the hub's idempotency
 * key), the moment each request arrived by the clock it is given (the bench's shifted hub clock), so a
 * benchmark can measure due moment → provider and count duplicates, and how many it refused. It answers
 * the look-up by reference (`GET /v2/notifications?reference=…`) from that record.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SERVER_TIMEOUTS } from '../../app/server-timeouts.ts';

export const FAKE_NOTIFY_SERVICE = '26785a09-ab16-4eb0-8407-a37497a57506';
/** A well-formed Notify API key ({name}-{service id}-{secret}) for the stand-in. */
export const FAKE_NOTIFY_KEY = `sendhub_bench-${FAKE_NOTIFY_SERVICE}-3d844edf-8d35-48ac-975b-e847b4f122b0`;
export const FAKE_SMS_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
export const FAKE_EMAIL_TEMPLATE = '9d751e0e-f929-4891-82a1-a3e1c3c18ee3';

export class FakeNotify {
  /** reference → arrival times (the clock's ms) of the requests accepted, per type. */
  readonly sms = new Map<string, number[]>();
  readonly email = new Map<string, number[]>();
  /** Requests refused with 429 (over 3,000 in a rolling minute). */
  refused = 0;
  private readonly accepted: number[] = [];
  private server: http.Server | undefined;
  origin = '';

  constructor(
    private readonly now: () => number,
    private readonly perMinute = 3000,
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer(SERVER_TIMEOUTS, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const at = this.now();
    const type =
      req.url === '/v2/notifications/sms' ? 'sms' : req.url === '/v2/notifications/email' ? 'email' : null;
    if (req.method === 'GET' && req.url?.startsWith('/v2/notifications?')) {
      // The look-up by reference an in-doubt send is reconciled with (bots/sms/notify-api.ts byReference).
      const q = new URL(req.url, this.origin).searchParams;
      const seen = q.get('template_type') === 'email' ? this.email : this.sms;
      const found = seen.get(q.get('reference') ?? '') ?? [];
      const notifications = found.map(() => ({ reference: q.get('reference'), status: 'delivered' }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ notifications }));
      return;
    }
    if (req.method !== 'POST' || !type) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"status_code":404,"errors":[]}');
      return;
    }
    // Rolling minute: the request `perMinute` back must be older than 60 s.
    while (this.accepted.length > 0 && this.accepted[0]! <= at - 60_000) this.accepted.shift();
    if (this.accepted.length >= this.perMinute) {
      this.refused++;
      res.writeHead(429, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status_code: 429,
          errors: [
            {
              error: 'RateLimitError',
              message: `Exceeded rate limit for key type LIVE of ${this.perMinute} requests per 60 seconds`,
            },
          ],
        }),
      );
      return;
    }
    this.accepted.push(at);
    const { reference } = JSON.parse(body) as { reference?: string };
    const seen = type === 'sms' ? this.sms : this.email;
    const key = reference ?? '';
    seen.set(key, [...(seen.get(key) ?? []), at]);
    const id = randomUUID();
    res.writeHead(201, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id,
        reference,
        content: { body: 'bench', from_number: 'SENDHUB' },
        uri: `${this.origin}/v2/notifications/${id}`,
        template: {
          id: FAKE_SMS_TEMPLATE,
          version: 1,
          uri: `${this.origin}/v2/template/${FAKE_SMS_TEMPLATE}`,
        },
      }),
    );
  }

  /** Requests accepted beyond one per reference (goal: none). */
  duplicates(): number {
    let n = 0;
    for (const m of [this.sms, this.email]) for (const v of m.values()) n += v.length - 1;
    return n;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
