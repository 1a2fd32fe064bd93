/**
 * One HTTP port for everything: /healthz here; Teams (/api/messages), Slack (/slack/events) and
 * /metrics are mounted by their modules. No global body parser: each route parses its own body with a
 * size limit (Slack needs the raw bytes to check its signature).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Hub } from './container.ts';

export const VERSION = '0.1.0';

export async function healthReport(
  hub: Hub,
): Promise<{ status: 'ok' | 'degraded' | 'down'; [k: string]: unknown }> {
  let database: { ok: boolean; provider: string; error?: string };
  try {
    await hub.dbh.db.$queryRawUnsafe('SELECT 1');
    database = { ok: true, provider: hub.dbh.provider };
  } catch (err) {
    database = {
      ok: false,
      provider: hub.dbh.provider,
      error: err instanceof Error ? err.message.slice(0, 200) : 'unknown',
    };
  }
  const modules: Record<string, unknown> = {};
  let degraded = false;
  for (const m of hub.modules) {
    if (!m.health) continue;
    try {
      const h = await m.health(hub);
      modules[m.name] = h;
      if (!h.ok) degraded = true;
    } catch (err) {
      modules[m.name] = { ok: false, error: err instanceof Error ? err.message : String(err) };
      degraded = true;
    }
  }
  let outbox: Record<string, unknown> = {};
  if (database.ok) {
    const s = await hub.outbox.stats();
    outbox = {
      depth: s.depth,
      oldestPendingAgeSeconds: s.oldestPendingAt
        ? Math.round((hub.clock.now().getTime() - s.oldestPendingAt.getTime()) / 1000)
        : 0,
      failed: s.byState.FAILED ?? 0,
    };
  }
  const status = !database.ok ? 'down' : degraded ? 'degraded' : 'ok';
  return {
    status,
    version: VERSION,
    database,
    channels: hub.channels.map((c) => c.platform),
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
  app.get('/healthz', async (_req, res) => {
    const report = await healthReport(hub);
    res.status(report.status === 'down' ? 503 : 200).json(report);
  });
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

export interface RunningServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

export function listen(app: express.Express, port: number, host: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(app);
    server.keepAliveTimeout = 5_000;
    server.requestTimeout = 30_000;
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        server,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
