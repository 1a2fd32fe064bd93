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
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Hub } from '../../app/container.ts';
import type { EventDedupe } from './event-dedupe.ts';
import type { HubReceiver } from './hub-receiver.ts';
import { verifySlackSignature } from './verify-signature.ts';
import type { WorkGate } from './work-gate.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

/** Requests whose HTTP response is the answer itself, so they are answered by the listener's ack. */
const ANSWERED_BY_LISTENER = new Set(['view_submission', 'block_suggestion', 'dialog_suggestion']);

/** Parse the verified body: JSON (Events API) or form-encoded (slash command; interactivity `payload`). */
export function parseSlackBody(raw: Buffer, contentType: string | undefined): Record<string, unknown> | null {
  const text = raw.toString('utf8');
  try {
    if ((contentType ?? '').includes('application/x-www-form-urlencoded')) {
      const form = Object.fromEntries(new URLSearchParams(text));
      if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
      return form;
    }
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
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
  router.post(
    SLACK_EVENTS_PATH,
    (_req, res, next) => {
      gate.requestArrived();
      res.once('close', () => gate.answered());
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
      const body = parseSlackBody(raw, req.headers['content-type']);
      if (!body) {
        res.status(400).json({ error: 'unreadable body' });
        return;
      }
      if (body.type === 'url_verification' && typeof body.challenge === 'string') {
        res.status(200).json({ challenge: body.challenge });
        return;
      }
      if (body.ssl_check) {
        res.status(200).end();
        return;
      }
      // Bolt answers 500 to an event_callback whose `event` is not an object (and Slack would retry it):
      // it is malformed, so refuse it with 400 before anything runs.
      if (
        body.type === 'event_callback' &&
        (typeof body.event !== 'object' || body.event === null || Array.isArray(body.event))
      ) {
        hub.log.warn({ eventId: body.event_id }, 'slack: event_callback without an event object refused');
        res.status(400).json({ error: 'event_callback without an event object' });
        return;
      }
      const retryNum = Number(req.headers['x-slack-retry-num'] ?? Number.NaN);
      const retryReason = req.headers['x-slack-retry-reason'];
      const retry = {
        ...(Number.isFinite(retryNum) ? { num: retryNum } : {}),
        ...(typeof retryReason === 'string' ? { reason: retryReason } : {}),
      };
      const eventId =
        body.type === 'event_callback' && typeof body.event_id === 'string' ? body.event_id : undefined;
      const onError = (err: unknown) =>
        hub.log.error(
          { err: err instanceof Error ? err.message : String(err), eventId },
          'slack: processing failed',
        );
      if (eventId && !dedupe.claimLocal(eventId)) {
        hub.log.info({ eventId, retryNum }, 'slack: duplicate delivery acknowledged, not processed again');
        res.status(200).set('X-Slack-No-Retry', '1').end();
        return;
      }
      if (typeof body.type === 'string' && ANSWERED_BY_LISTENER.has(body.type)) {
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
      const work = gate
        .whenQuiet()
        .then(async () => {
          if (eventId && !(await dedupe.claimShared(eventId, (retry.num ?? 0) > 0))) {
            hub.log.info(
              { eventId, retryNum },
              'slack: delivery already received (by another replica, or before a restart), not processed again',
            );
            return;
          }
          await receiver.dispatchAcked(body, retry, onError);
        })
        .catch(onError);
      deps.track(work);
      res.status(200).end();
    },
  );
}
