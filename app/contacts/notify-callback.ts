/**
 * GOV.UK Notify delivery-status callbacks (Notify API documentation, "Callbacks": a POST with
 * `Authorization: Bearer <the token you gave Notify>` and a JSON body of id, reference, to, status,
 * created_at, completed_at, sent_at, notification_type, template_id, template_version).
 *
 * The token is compared in constant time (digests of equal length). `reference` is our outbox idempotency
 * key. `delivered` is audited; `permanent-failure` (the number or address does not exist),
 * `temporary-failure` (the phone was off or the inbox full until Notify gave up) and `technical-failure`
 * are final for that message: it becomes a failed attempt and the safeguarding ladder is told, as for a
 * refusal at send time. A permanent failure also marks the contact method. The body's `to` (the address)
 * is never logged or stored.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { OutboxReceipts } from '../../store/outbox-receipts.ts';
import type { Hub } from '../container.ts';
import { bearerChecker } from '../metrics/metrics-config.ts';
import type { ContactsService } from './contacts-service.ts';

export const NOTIFY_CALLBACK_PATH = '/callbacks/notify';

const callbackSchema = z.object({
  id: z.string().min(1),
  reference: z.string().nullable().optional(),
  status: z.string().min(1),
  notification_type: z.string().optional(),
});

const FAILED = new Set(['permanent-failure', 'temporary-failure', 'technical-failure']);

export function notifyCallbackRoutes(
  router: Router,
  hub: Hub,
  contacts: ContactsService,
  token: string | null,
): void {
  const authorised = token ? bearerChecker(token) : () => false;
  const receipts = new OutboxReceipts(hub.dbh.db, hub.cipher, hub.clock);
  router.post(NOTIFY_CALLBACK_PATH, express.json({ limit: '32kb' }), async (req, res) => {
    if (!token) {
      res.status(404).json({ error: 'Notify callbacks are off: set NOTIFY_CALLBACK_TOKEN' });
      return;
    }
    if (!authorised(req.get('authorization'))) {
      res.status(401).json({ error: 'Notify callbacks need Authorization: Bearer <NOTIFY_CALLBACK_TOKEN>' });
      return;
    }
    const parsed = callbackSchema.safeParse(req.body);
    if (!parsed.success) {
      res
        .status(400)
        .json({ error: `malformed callback: ${parsed.error.issues[0]?.path.join('.') ?? 'body'}` });
      return;
    }
    const { reference, status, id } = parsed.data;
    const row = reference ? await receipts.byKey(reference) : null;
    // Not ours (another service on the same Notify account) or long gone: acknowledged, nothing to do.
    if (!row) {
      res.status(200).json({ ok: true, matched: false });
      return;
    }
    await hub.audit.record({
      orgId: row.orgId,
      actorKind: 'system',
      action: 'delivery.receipt',
      subjectType: 'outbox',
      subjectId: row.id,
      channel: 'SYSTEM',
      details: { provider: 'notify', status, notificationId: id, platform: row.platform },
    });
    if (FAILED.has(status)) {
      const m = await receipts.markUndelivered(reference as string, `notify ${status}`, 'notify-callback');
      if (m) {
        hub.log.warn({ messageId: m.id, status }, 'provider reports a message undelivered');
        if (
          status === 'permanent-failure' &&
          row.recipientId &&
          (row.platform === 'EMAIL' || row.platform === 'SMS')
        ) {
          const method = await contacts.repo.get(row.recipientId, row.platform);
          if (method) await contacts.repo.recordFailure(method.id, `notify ${status}`);
        }
        await hub.deliverer.reportUndeliverable(m);
      }
    }
    res.status(200).json({ ok: true, matched: true });
  });
}
