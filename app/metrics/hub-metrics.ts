/**
 * The hub's Prometheus metrics (prom-client), one registry per hub. Other modules record through
 * `hub.services.get('metrics') as HubMetrics | undefined` (absent when the metrics module is off):
 *
 * @example
 * const metrics = hub.services.get('metrics') as HubMetrics | undefined;
 * metrics?.importRows.inc({ source: 'cpoms', result: 'accepted' }, 120);
 * metrics?.escalationLatency.observe({ level: 'dsl' }, 42); // seconds from concern to acknowledgement
 *
 * Labels carry platforms, outcomes and sources only: never a person, a child or free text.
 */
import client from 'prom-client';

export const METRICS_SERVICE = 'metrics';

export interface HubMetrics {
  registry: client.Registry;
  /** Every delivery attempt, by outcome (sent, throttled, failed, not_found, unreachable, rate_limited). */
  deliveries: client.Counter<'outcome' | 'platform'>;
  /** Planner tick wall time (seconds); skipped ticks (another replica leads) are not observed. */
  tickDuration: client.Histogram<never>;
  ticksSkipped: client.Counter<never>;
  /** Rows read by an import (CPOMS, MIS, attendance …), by source and result (accepted, rejected). */
  importRows: client.Counter<'source' | 'result'>;
  /** Seconds from a safeguarding concern being raised to its acknowledgement, by escalation level. */
  escalationLatency: client.Histogram<'level'>;
}

export function createHubMetrics(
  outbox: () => Promise<{ depth: number; oldestAgeSeconds: number }>,
): HubMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'sendhub_' });
  const deliveries = new client.Counter({
    name: 'sendhub_deliveries_total',
    help: 'Outbox delivery attempts by outcome and platform',
    labelNames: ['outcome', 'platform'] as const,
    registers: [registry],
  });
  const tickDuration = new client.Histogram({
    name: 'sendhub_tick_duration_seconds',
    help: 'Planner tick duration',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const ticksSkipped = new client.Counter({
    name: 'sendhub_ticks_skipped_total',
    help: 'Ticks skipped because another replica holds the scheduler lease',
    registers: [registry],
  });
  const importRows = new client.Counter({
    name: 'sendhub_import_rows_total',
    help: 'Rows read by imports, by source and result',
    labelNames: ['source', 'result'] as const,
    registers: [registry],
  });
  const escalationLatency = new client.Histogram({
    name: 'sendhub_escalation_latency_seconds',
    help: 'Time from a safeguarding concern to its acknowledgement, by escalation level',
    labelNames: ['level'] as const,
    // KCSIE expects same-day action; buckets from a minute to a working day.
    buckets: [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800],
    registers: [registry],
  });
  // Read at scrape time, so every replica reports the shared queue as it is now.
  let last: Promise<{ depth: number; oldestAgeSeconds: number }> | undefined;
  const snapshot = () => {
    last ??= outbox().finally(() => {
      last = undefined;
    });
    return last;
  };
  new client.Gauge({
    name: 'sendhub_outbox_depth',
    help: 'Undelivered outbox messages (pending, retrying, sending)',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).depth);
    },
  });
  new client.Gauge({
    name: 'sendhub_outbox_oldest_age_seconds',
    help: 'Age of the oldest undelivered outbox message',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).oldestAgeSeconds);
    },
  });
  return { registry, deliveries, tickDuration, ticksSkipped, importRows, escalationLatency };
}
