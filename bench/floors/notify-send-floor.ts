/**
 * Floor of the out-of-chat bench (issue 18): the provider calls alone. `people` × `perPerson` text messages
 * handed to Notify through the client the hub uses (bots/sms/notify-api.ts: node:http over Node's keep-alive
 * agent, one signed token reused), every person at once and each person's messages one after another, as the
 * delivery loop must send them (order per person). No database, no outbox, no rate limiter: what 1,000
 * SMS due at once cost the provider hand-off itself, on this machine, against the bench's stand-in
 * (bench/support/fake-notify.ts). The pre-built hand-off the bench also reports is the hub's own delivery
 * loop, not a floor.
 */
import { NotifyApi } from '../../bots/sms/notify-api.ts';

export async function notifySendFloor(opts: {
  origin: string;
  apiKey: string;
  templateId: string;
  people: number;
  perPerson: number;
}): Promise<{ ms: number; sent: number }> {
  const client = new NotifyApi(opts.apiKey, opts.origin);
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.people }, async (_, p) => {
      for (let i = 0; i < opts.perPerson; i++) {
        const ref = `floor:${p}:${i}`;
        const to = `+4477009${String(p).padStart(5, '0')}`;
        await client.send('sms', opts.templateId, to, { body: 'floor', subject: '', reference: ref }, ref);
        sent++;
      }
    }),
  );
  return { ms: performance.now() - t0, sent };
}
