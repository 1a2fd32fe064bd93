/**
 * The tests' stand-in servers (test/support/loopback-server.ts: Entra, Notify, an OIDC provider) keep the hub's
 * own timeouts, so the hub's requests to them never meet Node's default 5 s keep-alive, and their close() does
 * not wait for that timeout (see keep-alive.test.ts for the hub's own server).
 */
import { describe, expect, it } from 'vitest';
import { HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../../app/server-timeouts.ts';
import { CLOSE_BACKSTOP_MS, startLoopbackServer } from '../support/loopback-server.ts';

describe('a loopback stand-in server', () => {
  it("has the hub's timeouts and says so to fetch", async () => {
    const s = await startLoopbackServer((_req, res) => res.end('ok'));
    try {
      expect(s.server.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
      expect(s.server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
      expect(s.server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
      const res = await fetch(`${s.origin}/`);
      expect(await res.text()).toBe('ok');
      expect(res.headers.get('keep-alive')).toBe('timeout=65');
    } finally {
      await s.close();
    }
  });

  it('close() ends a kept-alive idle connection and one in flight without waiting 65 s', async () => {
    let release: (() => void) | undefined;
    const begun: string[] = [];
    const s = await startLoopbackServer((req, res) => {
      begun.push(req.url ?? '');
      if (req.url === '/slow') release = () => res.end('slow');
      else res.end('ok');
    });
    expect(await (await fetch(`${s.origin}/`)).text()).toBe('ok'); // leaves an idle kept-alive connection
    const slow = fetch(`${s.origin}/slow`).then((r) => r.text());
    await expect.poll(() => begun).toContain('/slow');
    const t0 = performance.now();
    const closing = s.close();
    release?.();
    expect(await slow).toBe('slow');
    await closing;
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('close() cuts a request the stand-in never answers, after the backstop', async () => {
    const begun: string[] = [];
    const s = await startLoopbackServer((req) => {
      begun.push(req.url ?? ''); // never answered
    });
    const hung = fetch(`${s.origin}/hang`).then(
      () => 'answered',
      () => 'cut',
    );
    await expect.poll(() => begun).toContain('/hang');
    const t0 = performance.now();
    await s.close();
    expect(await hung).toBe('cut');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(CLOSE_BACKSTOP_MS - 50);
    expect(performance.now() - t0).toBeLessThan(CLOSE_BACKSTOP_MS + 10_000);
  });
});
