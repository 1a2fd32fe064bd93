/**
 * POST /slack/events: one URL for the Events API, slash commands and interactivity. The raw body is
 * read with a size limit, its Slack signature checked before anything is parsed (a bad, stale or
 * missing signature is a 401 with no side effect). Then:
 * - events, slash commands, button clicks (anything whose response carries nothing): answered 200 at
 *   once, right after the signature check and the in-process retry check; Bolt, the database and the
 *   replies all run after the response has gone, and give way to requests still waiting for their ack
 *   (work-gate.ts). Each event's receipt goes into the database (insert-if-absent on its event_id), so a
 *   Slack retry that reaches another replica, or this one after a restart, is not processed twice
 *   (event-dedupe.ts).
 * - a modal's view_submission (and an options request): the response body is the answer (field errors,
 *   the next view), so the listener's own `ack(...)` is the response; see slack-listeners.ts.
 *
 * Before any of that, the body's shape is checked (payload-shapes.ts: malformed → 400, nothing runs), and
 * a slash command or interaction that repeats an earlier request's timestamp, signature and body (a
 * replay within the five-minute signature window) is refused: 409 when this process has seen it (no
 * database round trip before the ack); when only the database has (another replica, or before a
 * restart) the request is acknowledged and dropped before it runs (a modal's submission gets 409). One
 * log line says so, without the request's content.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import express, { type Request, type Response, type Router } from 'express';
import type { Hub } from '../../app/container.ts';
import type { FrontHandler } from '../../app/module.ts';
import type { EventDedupe } from './event-dedupe.ts';
import type { HubReceiver } from './hub-receiver.ts';
import { checkSlackShape, type SlackBodySource } from './payload-shapes.ts';
import { MAX_SKEW_SECONDS, verifySlackSignature } from './verify-signature.ts';
import type { WorkGate } from './work-gate.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

/** Requests whose HTTP response is the answer itself, so they are answered by the listener's ack. */
const ANSWERED_BY_LISTENER = new Set<string>(['view_submission', 'block_suggestion']);

/** Parse the verified body: JSON (Events API) or form-encoded (slash command; interactivity `payload`). */
export function parseSlackBody(
  raw: Buffer,
  contentType: string | undefined,
): { body: Record<string, unknown>; source: SlackBodySource } | null {
  const text = raw.toString('utf8');
  const isObject = (v: unknown): v is Record<string, unknown> =>
    !!v && typeof v === 'object' && !Array.isArray(v);
  try {
    if ((contentType ?? '').includes('application/x-www-form-urlencoded')) {
      const form = Object.fromEntries(new URLSearchParams(text));
      if (typeof form.payload === 'string') {
        const payload = JSON.parse(form.payload) as unknown;
        return isObject(payload) ? { body: payload, source: 'payload' } : null;
      }
      return { body: form, source: 'form' };
    }
    const parsed = JSON.parse(text) as unknown;
    return isObject(parsed) ? { body: parsed, source: 'json' } : null;
  } catch {
    return null;
  }
}

/**
 * A signed request's identity for replay detection: its timestamp, signature and body hash. Slack never
 * sends a slash command or an interaction twice (each carries its own trigger_id and timestamp), so a
 * second request with the same identity is a copy someone captured and sent again within the five
 * minutes the timestamp allows.
 */
export function requestReceiptKey(timestamp: string, signature: string, raw: Buffer): string {
  const bodyHash = createHash('sha256').update(raw).digest('hex');
  return `req:${createHash('sha256').update(`${timestamp}\n${signature}\n${bodyHash}`).digest('hex')}`;
}

export interface SlackRouteDeps {
  hub: Hub;
  signingSecret: string;
  receiver: HubReceiver;
  dedupe: EventDedupe;
  /** Told when each request arrives and is answered, so after-ack work gives way to acks. */
  gate: WorkGate;
  /** Called with each request's background work (tests await it; shutdown drains it). */
  track(work: Promise<void>): void;
}

export function mountSlackRoutes(router: Router, deps: SlackRouteDeps): void {
  const { hub, signingSecret, receiver, dedupe, gate } = deps;
  const startedAt = hub.clock.now().getTime();
  router.post(
    SLACK_EVENTS_PATH,
    (req, res, next) => {
      // A request the front handler read and handed over is already counted.
      if (!frontRead.has(req)) arrived(gate, res);
      next();
    },
    express.raw({ type: () => true, limit: hub.config.env.MAX_BODY_BYTES }),
    async (req: Request, res: Response) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = verifySlackSignature(signingSecret, req.headers, raw, hub.clock.now().getTime());
      if (!check.ok) {
        hub.log.warn({ reason: check.reason, ip: req.ip }, 'slack: request refused (signature)');
        res.status(401).json({ error: 'invalid signature' });
        return;
      }
      const parsed = parseSlackBody(raw, req.headers['content-type']);
      if (!parsed) {
        res.status(400).json({ error: 'unreadable body' });
        return;
      }
      const { body } = parsed;
      // Every shape is checked before Bolt sees it: Bolt answers 500 to what it cannot dereference
      // (`"view": null`, an event_callback whose `event` is not an object), and Slack would retry.
      const shape = checkSlackShape(body, parsed.source);
      if (!shape.ok) {
        hub.log.warn({ problem: shape.problem }, 'slack: malformed request refused');
        res.status(400).json({ error: `malformed request: ${shape.problem}` });
        return;
      }
      if (shape.kind === 'url_verification') {
        res.status(200).json({ challenge: body.challenge });
        return;
      }
      if (shape.kind === 'ssl_check' || shape.kind === 'app_rate_limited') {
        res.status(200).end();
        return;
      }
      // Commands and interactions: a second request with the same timestamp, signature and body is a
      // replay (events are recognised by their event_id below, retries included).
      const receiptKey =
        shape.kind === 'event'
          ? undefined
          : requestReceiptKey(
              String(req.headers['x-slack-request-timestamp']),
              String(req.headers['x-slack-signature']),
              raw,
            );
      if (receiptKey && !dedupe.claimLocal(receiptKey)) {
        hub.log.warn({ kind: shape.kind, ip: req.ip }, 'slack: replayed request refused');
        res.status(409).json({ error: 'replayed request' });
        return;
      }
      // A replay reaching another replica (or this one after a restart) is recognised by the receipt
      // in the database. On SQLite (one process) the receipt is only looked up while this process is
      // younger than two replay windows: after that, the first request must have reached this process.
      const young = hub.clock.now().getTime() - startedAt < 2 * MAX_SKEW_SECONDS * 1000;
      const replayedElsewhere = async (key: string, beforeAnswer = false): Promise<boolean> => {
        const first = beforeAnswer
          ? await dedupe.claimBeforeAnswer(key, young)
          : await dedupe.claimShared(key, young);
        if (first) return false;
        hub.log.warn({ kind: shape.kind }, 'slack: replayed request refused (received before)');
        return true;
      };
      const retry = slackRetry(req.headers);
      const eventId =
        body.type === 'event_callback' && typeof body.event_id === 'string' ? body.event_id : undefined;
      const onError = processingFailed(hub, eventId);
      if (eventId && !dedupe.claimLocal(eventId)) {
        hub.log.info(
          { eventId, retryNum: retry.num ?? Number.NaN },
          'slack: duplicate delivery acknowledged, not processed again',
        );
        res.status(200).set('X-Slack-No-Retry', '1').end();
        return;
      }
      if (ANSWERED_BY_LISTENER.has(shape.kind)) {
        if (receiptKey && (await replayedElsewhere(receiptKey, true))) {
          res.status(409).json({ error: 'replayed request' });
          return;
        }
        const { response, work } = receiver.dispatch(body, retry, onError);
        deps.track(work);
        const answer = await response;
        if (answer.body === undefined) res.status(answer.status).end();
        else if (typeof answer.body === 'string')
          res.status(answer.status).type('text/plain').send(answer.body);
        else res.status(answer.status).json(answer.body);
        return;
      }
      // Acknowledge now; everything else happens after the response has gone, once requests waiting
      // for their answer have had it (work-gate.ts).
      deps.track(
        afterAck(
          deps,
          body,
          eventId,
          retry,
          onError,
          receiptKey ? () => replayedElsewhere(receiptKey) : undefined,
        ),
      );
      res.status(200).end();
    },
  );
}

type SlackRetry = { num?: number; reason?: string };

/** Slack's retry headers (x-slack-retry-num, x-slack-retry-reason), as the receiver takes them. */
function slackRetry(headers: IncomingHttpHeaders): SlackRetry {
  const num = Number(headers['x-slack-retry-num'] ?? Number.NaN);
  const reason = headers['x-slack-retry-reason'];
  return {
    ...(Number.isFinite(num) ? { num } : {}),
    ...(typeof reason === 'string' ? { reason } : {}),
  };
}

/** The error handler of one request's work: one log line with the event's id, never its content. */
function processingFailed(hub: Hub, eventId: string | undefined): (err: unknown) => void {
  return (err) =>
    hub.log.error(
      { err: err instanceof Error ? err.message : String(err), eventId },
      'slack: processing failed',
    );
}

/** Requests the front handler has read and counted (handed to Express only when not the common case). */
const frontRead = new WeakSet<object>();

function arrived(gate: WorkGate, res: { once(event: 'close', f: () => void): unknown }): void {
  gate.requestArrived();
  res.once('close', () => gate.answered());
}

/** After the ack: the shared receipt, the replay check, then Bolt (gated behind the acks). */
function afterAck(
  deps: SlackRouteDeps,
  body: Record<string, unknown>,
  eventId: string | undefined,
  retry: SlackRetry,
  onError: (err: unknown) => void,
  replayed: (() => Promise<boolean>) | undefined,
): Promise<void> {
  const { hub, dedupe, gate, receiver } = deps;
  return gate
    .whenQuiet()
    .then(async () => {
      if (eventId && !(await dedupe.claimShared(eventId, (retry.num ?? 0) > 0))) {
        hub.log.info(
          { eventId, retryNum: retry.num ?? Number.NaN },
          'slack: delivery already received (by another replica, or before a restart), not processed again',
        );
        return;
      }
      if (replayed && (await replayed())) return;
      await receiver.dispatchAcked(body, retry, onError);
    })
    .catch(onError);
}

/**
 * POST /slack/events in node:http's request listener, before Express (app/server.ts `front`): a Slack
 * event's ack does not pay Express's routing, body-parser and response helpers (bench/README.md
 * "slack-ack": a sixth of what the hub allocated per event, on the path that answers). It takes only
 * `POST /slack/events` with a declared Content-Length within MAX_BODY_BYTES and no Content-Encoding,
 * reads the body, and answers only the common case itself: a correctly signed JSON event_callback of
 * the right shape, first seen here, acknowledged 200 exactly as the route does (same checks, same
 * receipt and after-ack work). Anything else (a bad signature, a command, an interaction, a duplicate,
 * a malformed body) goes on to the Express route with the body already read, which answers it as before.
 */
export function slackFront(deps: SlackRouteDeps): FrontHandler {
  const { hub, signingSecret, dedupe, gate } = deps;
  const limit = hub.config.env.MAX_BODY_BYTES;
  return (req, res, toExpress) => {
    if (req.method !== 'POST' || req.url !== SLACK_EVENTS_PATH) return false;
    const declared = req.headers['content-length'];
    const length = declared === undefined ? Number.NaN : Number(declared);
    if (!(length >= 0 && length <= limit) || req.headers['content-encoding'] !== undefined) return false;
    frontRead.add(req);
    arrived(gate, res);
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('error', () => {}); // an aborted request: its response's 'close' tells the gate
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => {
      const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received);
      // The route (after body-parser, which leaves a finished request alone) reads `req.body`.
      (req as { body?: unknown }).body = raw;
      if (received !== length || !ackEvent(deps, req.headers, raw)) {
        toExpress();
        return;
      }
      res.statusCode = 200;
      res.end();
    });
    return true;
  };

  /** The route's checks for a JSON event; true when it was acknowledged-worthy and its work scheduled. */
  function ackEvent(d: SlackRouteDeps, headers: IncomingHttpHeaders, raw: Buffer): boolean {
    if (!verifySlackSignature(signingSecret, headers, raw, hub.clock.now().getTime()).ok) return false;
    const parsed = parseSlackBody(raw, headers['content-type']);
    if (!parsed || parsed.source !== 'json') return false;
    const { body } = parsed;
    const shape = checkSlackShape(body, 'json');
    if (!shape.ok || shape.kind !== 'event') return false;
    const eventId = body.event_id as string;
    if (!dedupe.claimLocal(eventId)) return false;
    d.track(afterAck(d, body, eventId, slackRetry(headers), processingFailed(hub, eventId), undefined));
    return true;
  }
}
