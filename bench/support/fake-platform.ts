/**
 * A loopback stand-in for the Bot Connector: it accepts "send to conversation" posts, enforces Teams'
 * published limits with exact sliding windows (core/delivery/platform-rate-limits.ts) and answers 429
 * with Retry-After when a window is full, as Teams does. It records every request, so tests and
 * benchmarks can count messages lost, duplicated, out of order, or sent over the limit.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SERVER_TIMEOUTS } from '../../app/server-timeouts.ts';
import { TEAMS_PER_CONVERSATION, TEAMS_PER_TENANT } from '../../core/delivery/platform-rate-limits.ts';
import type { RateRule } from '../../core/ports.ts';

export interface Accepted {
  key: string;
  conversation: string;
  tenant: string;
  title: string;
  at: number;
}

export interface FakePlatformOptions {
  perConversation?: RateRule[];
  perTenant?: RateRule[];
  /** Simulated platform latency per send (ms). */
  latencyMs?: number;
}

export class FakePlatform {
  readonly accepted: Accepted[] = [];
  /** Every request, accepted or refused, with its arrival time. */
  readonly requests: { tenant: string; conversation: string; at: number; status: number }[] = [];
  throttled = 0;
  private readonly seen = new Map<string, number>();
  private readonly windows = new Map<string, number[]>();
  private server: http.Server | undefined;
  url = '';

  constructor(private readonly options: FakePlatformOptions = {}) {}

  get perConversation(): RateRule[] {
    return this.options.perConversation ?? TEAMS_PER_CONVERSATION;
  }
  get perTenant(): RateRule[] {
    return this.options.perTenant ?? TEAMS_PER_TENANT;
  }

  /** Keys accepted more than once (goal: none). */
  duplicates(): string[] {
    return [...this.seen.entries()].filter(([, n]) => n > 1).map(([k]) => k);
  }

  /** The largest number of accepted sends in any sliding window of `windowMs` for `tenant`. */
  maxInWindow(windowMs: number, filter: (a: Accepted) => boolean = () => true): number {
    const times = this.accepted
      .filter(filter)
      .map((a) => a.at)
      .sort((a, b) => a - b);
    let max = 0;
    let lo = 0;
    for (let hi = 0; hi < times.length; hi++) {
      while (times[hi]! - times[lo]! >= windowMs) lo++;
      max = Math.max(max, hi - lo + 1);
    }
    return max;
  }

  /** Would a send now go over a rule? Returns the seconds to wait (Retry-After), or 0. */
  private check(bucket: string, rules: RateRule[], now: number): number {
    const times = this.windows.get(bucket) ?? [];
    const longest = Math.max(...rules.map((r) => r.windowMs));
    while (times.length && now - times[0]! >= longest) times.shift();
    let waitMs = 0;
    for (const r of rules) {
      const inWindow = times.filter((t) => now - t < r.windowMs);
      if (inWindow.length >= r.limit) waitMs = Math.max(waitMs, inWindow[0]! + r.windowMs - now);
    }
    this.windows.set(bucket, times);
    return waitMs;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = url.pathname.match(/^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const conversation = decodeURIComponent(m[1]!);
    if (req.method === 'GET' && m[2]) {
      // Reconcile: has a message with this idempotency key reached the conversation?
      const key = decodeURIComponent(m[2]);
      res.writeHead(this.seen.has(key) ? 200 : 404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as {
      id: string;
      tenant: string;
      title: string;
    };
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    const now = Date.now();
    const wait = Math.max(
      this.check(`conv:${conversation}`, this.perConversation, now),
      this.check(`tenant:${body.tenant}`, this.perTenant, now),
    );
    if (wait > 0) {
      this.throttled++;
      this.requests.push({ tenant: body.tenant, conversation, at: now, status: 429 });
      res.writeHead(429, { 'Retry-After': String(Math.max(1, Math.ceil(wait / 1000))) }).end();
      return;
    }
    this.windows.get(`conv:${conversation}`)!.push(now);
    this.windows.get(`tenant:${body.tenant}`)!.push(now);
    this.requests.push({ tenant: body.tenant, conversation, at: now, status: 201 });
    this.seen.set(body.id, (this.seen.get(body.id) ?? 0) + 1);
    this.accepted.push({ key: body.id, conversation, tenant: body.tenant, title: body.title, at: now });
    res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: `act-${body.id}` }));
  }

  async start(): Promise<string> {
    // The hub's own server timeouts (keep-alive 65 s): with 5 s, the hub's next send after a pause under load
    // could go out on a connection this stand-in was closing ("other side closed"). stop() ends them all.
    this.server = http.createServer(SERVER_TIMEOUTS, (req, res) => {
      this.handle(req, res).catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
