/**
 * One HTTP port for everything: /healthz here; Teams (/api/messages), Slack (/slack/events) and
 * /metrics are mounted by their modules. No global body parser: each route parses its own body with a
 * size limit (Slack needs the raw bytes to check its signature).
 *
 * /healthz answers from figures computed in the background (app/metrics/health-cache.ts), never with a
 * database query per request, and a plain GET/HEAD is answered before Express from bytes serialised once
 * (app/metrics/health-endpoint.ts; `listen` puts it in front). Its public body is `{ status, version }` (503 when the database is down);
 * the details (database, outbox, last tick, each module) need `Authorization: Bearer <METRICS_TOKEN>`,
 * and name an error by its code or class, never by a message that could show paths or code.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Hub } from './container.ts';
import { type ChannelDeliveryHealth, deliveryHealthSnapshot } from './metrics/delivery-health.ts';
import { HealthCache, type HealthReport } from './metrics/health-cache.ts';
import { type FrontListener, healthEndpoint } from './metrics/health-endpoint.ts';
import { metricsToken } from './metrics/metrics-config.ts';
import { closeServer, SERVER_TIMEOUTS } from './server-timeouts.ts';

/** The timeouts live in server-timeouts.ts (no Express there, for the stand-ins); named here too. */
export {
  closeServer,
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  SERVER_TIMEOUTS,
} from './server-timeouts.ts';

export const VERSION = '0.1.0';

/** An error named by its code (Prisma's P1001, a driver's ECONNREFUSED …) or its class, never its message. */
function errorName(err: unknown): string {
  const e = err as { code?: unknown; errorCode?: unknown; name?: unknown } | null;
  for (const c of [e?.errorCode, e?.code])
    if (typeof c === 'string' && /^[A-Z0-9_]{2,40}$/i.test(c)) return c;
  return typeof e?.name === 'string' ? e.name : 'unknown';
}

/** Each part of the report is given this long (a database or a module that does not answer). */
const PART_TIMEOUT_MS = 3_000;

class TimedOut extends Error {
  override name = 'TIMEOUT';
}

function within<T>(p: Promise<T>, ms = PART_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimedOut()), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The next turn of the event loop: lets requests in between the parts of a report (SQLite is synchronous). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Every figure of /healthz. Add a figure as one more field of the returned object (the public body only
 * ever shows `status` and `version`); it is computed in the background, so it may query the database.
 */
export async function healthReport(hub: Hub): Promise<HealthReport> {
  let database: { ok: boolean; provider: string; error?: string };
  await nextTurn();
  try {
    await within(hub.dbh.db.$queryRawUnsafe('SELECT 1'));
    database = { ok: true, provider: hub.dbh.provider };
  } catch (err) {
    database = { ok: false, provider: hub.dbh.provider, error: errorName(err) };
  }
  const modules: Record<string, unknown> = {};
  let degraded = false;
  for (const m of hub.modules) {
    if (!m.health) continue;
    await nextTurn();
    try {
      const h = await within(m.health(hub));
      modules[m.name] = h;
      if (!h.ok) degraded = true;
    } catch (err) {
      modules[m.name] = { ok: false, error: errorName(err) };
      degraded = true;
    }
  }
  let outbox: Record<string, unknown> = {};
  let deliveries: Record<string, ChannelDeliveryHealth> = {};
  if (database.ok) {
    await nextTurn();
    const s = await within(hub.outbox.stats());
    outbox = {
      depth: s.depth,
      oldestPendingAgeSeconds: s.oldestPendingAt
        ? Math.round((hub.clock.now().getTime() - s.oldestPendingAt.getTime()) / 1000)
        : 0,
      failed: s.byState.FAILED ?? 0,
    };
    await nextTurn();
    // Each channel's last delivery and failure from the delivery attempts: every replica's, across restarts.
    deliveries = await within(deliveryHealthSnapshot(hub));
  }
  const status = !database.ok ? 'down' : degraded ? 'degraded' : 'ok';
  return {
    status,
    version: VERSION,
    database,
    channels: hub.channels.map((c) => c.platform),
    deliveries,
    outbox,
    lastTick: hub.scheduler.lastTick
      ? { at: hub.scheduler.lastTick.at.toISOString(), ms: Math.round(hub.scheduler.lastTick.ms) }
      : null,
    modules,
  };
}

export function createApp(hub: Hub): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // A declared body larger than MAX_BODY_BYTES is refused before any route reads it (hostile input,
  // issue 10); chunked bodies are bounded by each route's own parser limit.
  app.use((req, res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > hub.config.env.MAX_BODY_BYTES) {
      res.set('Connection', 'close').status(413).json({ error: 'request too large' });
      return;
    }
    next();
  });
  const health = healthEndpoint(healthCacheFor(hub), metricsToken(hub.config.raw));
  // Modules' front handlers (Slack's /slack/events) after /healthz's, before Express.
  const fronts = hub.modules.flatMap((m) => m.front?.(hub) ?? []);
  frontListeners.set(
    app,
    fronts.length === 0
      ? health.front
      : (req, res) => health.front(req, res) || fronts.some((f) => f(req, res, () => app(req, res))),
  );
  // What the front listener leaves (a body, `/healthz/`, `/HEALTHZ`): same answer, after the size check.
  app.get('/healthz', (req, res) => health.respond(req, res));
  const router = express.Router();
  for (const m of hub.modules) m.routes?.(router, hub);
  app.use(router);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(
    (err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
      if (err.type === 'entity.too.large' || err.status === 413) {
        res.status(413).json({ error: 'request too large' });
        return;
      }
      if (err.status && err.status >= 400 && err.status < 500) {
        res.status(err.status).json({ error: 'bad request' });
        return;
      }
      hub.log.error({ err }, 'unhandled request error');
      res.status(500).json({ error: 'internal error' });
    },
  );
  return app;
}

const healthCaches = new WeakMap<Hub, HealthCache>();
/** Listeners that answer before an app's Express stack (`listen` installs them): /healthz. */
const frontListeners = new WeakMap<express.Express, FrontListener>();

/** The hub's /healthz figures (one cache per hub, shared by every server it listens on). */
export function healthCacheFor(hub: Hub): HealthCache {
  let cache = healthCaches.get(hub);
  if (!cache) {
    cache = new HealthCache(() => healthReport(hub), { version: VERSION });
    healthCaches.set(hub, cache);
  }
  return cache;
}

export interface RunningServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

export function listen(app: express.Express, port: number, host: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const front = frontListeners.get(app);
    const server = http.createServer(
      SERVER_TIMEOUTS,
      front
        ? (req, res) => {
            if (!front(req, res)) app(req, res);
          }
        : app,
    );
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({ server, port: actual, close: () => closeServer(server) });
    });
  });
}
