/**
 * GET /metrics in Prometheus text format. Counts only (no personal data); set METRICS_TOKEN to require
 * `Authorization: Bearer <token>` when the port is reachable from outside the cluster.
 */

import type { Hub } from '../container.ts';
import type { FeatureModule } from '../module.ts';
import { createHubMetrics, type HubMetrics, METRICS_SERVICE } from './hub-metrics.ts';
import { bearerMatches, metricsToken } from './metrics-config.ts';

const attached = new WeakSet<Hub>();

/** Hear the scheduler and the deliverer (they exist only after every module's setup). */
function attach(hub: Hub, metrics: HubMetrics): void {
  if (attached.has(hub)) return;
  attached.add(hub);
  hub.scheduler.onTickReport((r) => {
    if (r.skipped) metrics.ticksSkipped.inc();
    else metrics.tickDuration.observe(r.ms / 1000);
  });
  hub.deliverer.onAttemptOutcome((outcome, _m, platform) => {
    metrics.deliveries.inc({ outcome, platform: platform ?? 'none' });
  });
}

export function metricsModule(): FeatureModule {
  return {
    name: 'metrics',
    setup(hub) {
      const metrics = createHubMetrics(async () => {
        const s = await hub.outbox.stats();
        return {
          depth: s.depth,
          oldestAgeSeconds: s.oldestPendingAt
            ? Math.max(0, (hub.clock.now().getTime() - s.oldestPendingAt.getTime()) / 1000)
            : 0,
        };
      });
      hub.services.set(METRICS_SERVICE, metrics);
    },
    async start(hub) {
      attach(hub, hub.services.get(METRICS_SERVICE) as HubMetrics);
    },
    routes(router, hub) {
      const metrics = hub.services.get(METRICS_SERVICE) as HubMetrics;
      attach(hub, metrics);
      const token = metricsToken(hub.config.raw);
      router.get('/metrics', async (req, res) => {
        if (token && !bearerMatches(req.get('authorization'), token)) {
          res.status(401).json({ error: 'metrics need Authorization: Bearer <METRICS_TOKEN>' });
          return;
        }
        res.set('Content-Type', metrics.registry.contentType);
        res.send(await metrics.registry.metrics());
      });
    },
  };
}
