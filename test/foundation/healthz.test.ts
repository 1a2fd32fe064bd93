/**
 * /healthz (issue 15, point 15), asked the way a load balancer, an operator and an attacker ask it:
 * - the public answer is `{ status, version }` and nothing else; the details need
 *   `Authorization: Bearer <METRICS_TOKEN>`;
 * - 200 requests at once cost the database one computation, not 200 (figures are cached and refreshed in
 *   the background);
 * - when the database goes down the answer turns 503 "down", and neither the public body nor the details
 *   show a path, a line of code or the driver's message.
 * (The latency under 200 connections is measured in bench/healthz.bench.ts, not here.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, listen, type RunningServer, VERSION } from '../../app/server.ts';
import { providers } from '../support/db.ts';
import { databaseOutage, HEALTH_TOKEN, healthDetails, restoreDatabase } from '../support/health.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

type Details = {
  status: string;
  version: string;
  checkedAt: string;
  database: { ok: boolean; provider: string; error?: string };
  outbox: Record<string, unknown>;
  modules: Record<string, unknown>;
};

describe.each(providers)('/healthz on %s', (provider) => {
  let t: TestHub;
  let server: RunningServer;
  let base: string;

  beforeEach(async () => {
    t = await startTestHub(provider, { env: { METRICS_TOKEN: HEALTH_TOKEN } });
    server = await listen(createApp(t.hub), 0, '127.0.0.1');
    base = `http://127.0.0.1:${server.port}`;
  });
  afterEach(async () => {
    await server.close();
    await restoreDatabase(t);
    await t.close().catch(() => {});
  });

  it('shows only status and version in public, and the details to the bearer of METRICS_TOKEN', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcdef', HEALTH_TOKEN]) {
      const r = await fetch(`${base}/healthz`, authorization ? { headers: { authorization } } : {});
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ status: 'ok', version: VERSION });
    }
    const { status, body } = await healthDetails<Details>(base);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', version: VERSION, database: { ok: true, provider } });
    expect(body.outbox).toMatchObject({ depth: 0 });
    expect(Date.parse(body.checkedAt)).not.toBeNaN();
  });

  it('answers 200 requests at once from one computation of the figures', async () => {
    const stats = vi.spyOn(t.hub.outbox, 'stats');
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        fetch(`${base}/healthz`).then(async (r) => [r.status, await r.json()]),
      ),
    );
    const elapsedMs = performance.now() - started;
    for (const a of answers) expect(a).toEqual([200, { status: 'ok', version: VERSION }]);
    // The first request computed the figures and every other was served from them; a background
    // refresh starts at most once per 2 s (however slow the machine, this bound holds), never per request.
    expect(stats.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(stats.mock.calls.length).toBeLessThanOrEqual(1 + Math.ceil(elapsedMs / 2_000));
  });

  it('turns 503 "down" when the database goes away, showing no path, code or driver message', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await databaseOutage(t);
    const down = await healthDetails<Details>(base, (b) => b.status === 'down');
    expect(down.status).toBe(503);
    expect(down.body.database.ok).toBe(false);
    expect(down.body.database.error).toMatch(/^[A-Za-z0-9_]+$/);
    const publicAnswer = await fetch(`${base}/healthz`);
    expect(publicAnswer.status).toBe(503);
    const text = await publicAnswer.text();
    expect(JSON.parse(text)).toEqual({ status: 'down', version: VERSION });
    for (const leak of [/\//, /\.ts/, /prisma/i, /invocation/i, /\n/]) {
      expect(text).not.toMatch(leak);
      expect(JSON.stringify(down.body.database)).not.toMatch(/\.ts|invocation|\\n/);
    }
  });
});
