/**
 * GET/HEAD /healthz answered in node:http's own 'request' listener, before Express (issue 15 point 15).
 *
 * Under 200 connections the Express route cost the hub most of its throughput: the router's layer walk,
 * `res.json` (stringify, ETag hash, header setters) and a SHA-256 of the expected token on every request
 * (bench/README.md, "healthz"). Here a request costs one map lookup of the cached answer and one write of
 * bytes serialised once per computation (app/metrics/health-cache.ts).
 *
 * Only a plain `GET /healthz` or `HEAD /healthz` (any query string) without a body takes the fast path;
 * anything else (a body, which the size limit must see first; `/healthz/`, other methods) goes on to
 * Express, whose /healthz route answers with the same function, so both give the same bytes and headers.
 *
 * The public body is `{ status, version }`; the whole report needs `Authorization: Bearer <METRICS_TOKEN>`,
 * compared in constant time (app/metrics/metrics-config.ts). 503 when the database is down.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HealthAnswer, HealthCache } from './health-cache.ts';
import { bearerChecker } from './metrics-config.ts';

/** A 'request' listener that answers some requests itself (true) and leaves the rest to the app (false). */
export type FrontListener = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface HealthEndpoint {
  /** For node:http, before Express: true when it answered. */
  front: FrontListener;
  /** Answer a request known to be for /healthz (Express's route uses it too). */
  respond(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

const CONTENT_TYPE = 'application/json; charset=utf-8';

/** `GET /healthz` or `HEAD /healthz`, with or without a query string, carrying no body. */
function isPlainHealthRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  if (!url.startsWith('/healthz') || (url.length > 8 && url.charCodeAt(8) !== 63) /* '?' */) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const length = req.headers['content-length'];
  return (length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined;
}

export function healthEndpoint(cache: HealthCache, token: string | undefined): HealthEndpoint {
  const isBearer = token !== undefined ? bearerChecker(token) : undefined;

  const write = (req: IncomingMessage, res: ServerResponse, answer: HealthAnswer): void => {
    const authorization = req.headers.authorization;
    // No header: nothing to compare (whether one was sent is no secret); one sent: constant-time check.
    const details = isBearer !== undefined && authorization !== undefined && isBearer(authorization);
    const body = details ? answer.detailBody : answer.publicBody;
    res.writeHead(answer.statusCode, {
      'Content-Type': CONTENT_TYPE,
      'Cache-Control': 'no-store',
      'Content-Length': body.length,
    });
    // HEAD: same headers (Content-Length of the body a GET would get), no body (node:http drops it anyway).
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const respond = (req: IncomingMessage, res: ServerResponse): void | Promise<void> => {
    const ready = cache.peek();
    if (ready) return write(req, res, ready);
    // Only before the first computation: wait for it.
    return cache.answer().then(
      (answer) => write(req, res, answer),
      () => {
        res.writeHead(503, { 'Content-Type': CONTENT_TYPE, 'Cache-Control': 'no-store' });
        res.end(JSON.stringify({ status: 'down' }));
      },
    );
  };

  return {
    respond,
    front(req, res) {
      if (!isPlainHealthRequest(req)) return false;
      void respond(req, res);
      return true;
    },
  };
}
