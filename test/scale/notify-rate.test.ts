/**
 * GOV.UK Notify's published limit, 3,000 messages a minute per API key on a rolling basis (issue 18):
 * the limiter lets 1,000 go at once (every DSL's SMS of a burst falling due in the same instant), and
 * sending as fast as it allows never puts more than 3,000 in any 60-second window. Also the Notify
 * client's token: signed once and reused for TOKEN_REUSE_MS, then signed again.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NotifyApi, TOKEN_REUSE_MS } from '../../bots/sms/notify-api.ts';
import { NotifyTransport } from '../../bots/sms/notify-transport.ts';
import { bucketFor, NOTIFY_PER_KEY } from '../../core/delivery/platform-rate-limits.ts';
import { MemoryRateLimiter } from '../../scheduler/memory-rate-limiter.ts';
import { FakeClock } from '../support/clock.ts';
import { startLoopbackServer } from '../support/loopback-server.ts';

const KEY = 'sendhub_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0';

describe('Notify rate limit', () => {
  it('1,000 at once, then never more than 3,000 in any rolling minute', async () => {
    const clock = new FakeClock(new Date('2026-12-07T09:00:00Z'));
    const limiter = new MemoryRateLimiter(clock);
    const keys = new NotifyTransport({ apiKey: KEY, templateId: 't', type: 'sms' }).limitKeys();
    expect(keys[0]?.rules).toBe(NOTIFY_PER_KEY);
    for (let i = 0; i < 1000; i++) expect(await limiter.take(keys, 0)).toEqual({ ok: true, waitMs: 0 });
    expect((await limiter.take(keys, 0)).ok).toBe(false);
    // As fast as the limiter lets sends go, for three minutes, one clock millisecond at a time.
    const sent: number[] = Array.from({ length: 1000 }, () => clock.now().getTime());
    const end = clock.now().getTime() + 180_000;
    while (clock.now().getTime() < end) {
      clock.advance(1);
      while ((await limiter.take(keys, 0)).ok) sent.push(clock.now().getTime());
    }
    let max = 0;
    for (let hi = 0, lo = 0; hi < sent.length; hi++) {
      while (sent[hi]! - sent[lo]! >= 60_000) lo++;
      max = Math.max(max, hi - lo + 1);
    }
    expect(max).toBeLessThanOrEqual(3000);
    // The sustained rate is the rest of the minute's budget: about 2,000 a minute.
    expect(sent.length).toBeGreaterThan(1000 + 5_900);
    expect(bucketFor({ limit: 50, windowMs: 1000 }).capacity).toBe(1);
  });

  it('signs a token (HS256, iss = service id) once and reuses it for TOKEN_REUSE_MS', () => {
    let now = Date.parse('2026-12-07T09:00:00Z');
    const api = new NotifyApi(KEY, 'http://127.0.0.1:1', () => now);
    const first = api.bearer();
    const [h, c, sig] = first.split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'HS256' });
    expect(JSON.parse(Buffer.from(c!, 'base64url').toString())).toEqual({
      iss: '26785a09-ab16-4eb0-8407-a37497a57506',
      iat: now / 1000,
    });
    const expected = createHmac('sha256', '3d844edf-8d35-48ac-975b-e847b4f122b0')
      .update(`${h}.${c}`)
      .digest('base64url');
    expect(sig).toBe(expected);
    now += TOKEN_REUSE_MS - 1;
    expect(api.bearer()).toBe(first);
    now += 1;
    expect(api.bearer()).not.toBe(first);
  });

  it('keeps the path of a base URL (a proxy prefix) before the API path', async () => {
    const seen: string[] = [];
    const server = await startLoopbackServer((req, res) => {
      seen.push(String(req.url));
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"n1"}');
    });
    try {
      const api = new NotifyApi(KEY, `${server.origin}/notify/`);
      expect(await api.send('sms', 't', '+447700900123', { body: 'x' }, 'ref:1')).toEqual({ id: 'n1' });
      expect(seen).toEqual(['/notify/v2/notifications/sms']);
    } finally {
      await server.close();
    }
  });
});
