/**
 * GET /metrics end to end: a whole hub with the metrics module, a message delivered through the console
 * channel, then the Prometheus text shows the delivery, the tick, and the outbox gauges; other modules
 * record through hub.services.get('metrics').
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHubMetrics, type HubMetrics } from '../../app/metrics/hub-metrics.ts';
import { metricsModule } from '../../app/metrics/metrics-module.ts';
import { createApp, listen, type RunningServer } from '../../app/server.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

describe.each(providers)('metrics on %s', (provider) => {
  let th: TestHub;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    await th.close();
  });

  it('exposes deliveries by outcome, tick duration, outbox depth and oldest age, import rows', async () => {
    th = await startTestHub(provider, { modules: [metricsModule()] });
    const { hub } = th;
    server = await listen(createApp(hub), 0, '127.0.0.1');
    const org = await hub.dbh.db.organisation.create({ data: { name: 'Metrics school' } });
    const staff = await hub.dbh.db.staff.create({
      data: { orgId: org.id, displayName: 'Sam Officer', email: 'sam@metrics.example' },
    });
    await hub.outbox.enqueue({
      idempotencyKey: 'm1',
      orgId: org.id,
      to: { staffId: staff.id },
      message: message({ kind: 'text', audience: 'private', title: 'hello' }),
    });
    // An undelivered message two minutes old.
    th.clock.advance(120_000);
    const before = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(before).toMatch(/^sendhub_outbox_depth 1$/m);
    expect(before).toMatch(/^sendhub_outbox_oldest_age_seconds 120$/m);

    await th.tickAndDeliver();
    const metrics = hub.services.get('metrics') as HubMetrics;
    metrics.importRows.inc({ source: 'cpoms', result: 'accepted' }, 3);
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^sendhub_deliveries_total\{outcome="sent",platform="CONSOLE"\} 1$/m);
    expect(text).toMatch(/^sendhub_tick_duration_seconds_count 1$/m);
    expect(text).toMatch(/^sendhub_outbox_depth 0$/m);
    expect(text).toMatch(/^sendhub_import_rows_total\{source="cpoms",result="accepted"\} 3$/m);
    expect(text).toContain('sendhub_escalation_latency_seconds');
    expect(text).not.toContain('Sam Officer');
  });

  it('requires the bearer token when METRICS_TOKEN is set', async () => {
    th = await startTestHub(provider, {
      modules: [metricsModule()],
      env: { METRICS_TOKEN: 'a-long-metrics-token-123' },
    });
    server = await listen(createApp(th.hub), 0, '127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(401);
    const ok = await fetch(`http://127.0.0.1:${server.port}/metrics`, {
      headers: { authorization: 'Bearer a-long-metrics-token-123' },
    });
    expect(ok.status).toBe(200);
  });
});

describe('hub metrics registry', () => {
  it('keeps each hub in its own registry', async () => {
    const a = createHubMetrics(async () => ({ depth: 1, oldestAgeSeconds: 0 }));
    const b = createHubMetrics(async () => ({ depth: 2, oldestAgeSeconds: 0 }));
    a.deliveries.inc({ outcome: 'sent', platform: 'TEAMS' });
    expect(await b.registry.metrics()).not.toMatch(/sendhub_deliveries_total\{outcome="sent"/);
    expect(await b.registry.metrics()).toMatch(/^sendhub_outbox_depth 2$/m);
  });
});
