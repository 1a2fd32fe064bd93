/**
 * PostgreSQL only: a process that writes urgent work to the outbox (a safeguarding concern raised by
 * `send-hub import`, the CLI) sends `NOTIFY send_hub_outbox` in the same transaction (delivered at
 * commit, store/outbox-repository.ts notifyUrgentIn); every running hub LISTENs and wakes its delivery
 * loop at once instead of at the end of its poll interval (DELIVERY_INTERVAL_MS, which stays the
 * fallback: a lost connection only costs that interval until it is back).
 * https://www.postgresql.org/docs/current/sql-notify.html
 */
import pg from 'pg';
import { OUTBOX_CHANNEL } from '../store/outbox-repository.ts';
import type { DeliveryLogger } from './deliver.ts';

export interface OutboxListener {
  stop(): Promise<void>;
}

export function listenForOutbox(url: string, onNotify: () => void, log: DeliveryLogger): OutboxListener {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url });
    client = c;
    c.on('notification', () => onNotify());
    c.on('error', (err) => {
      log.warn({ err: err.message }, 'outbox LISTEN connection lost; polling meanwhile');
      void c.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect(), 5_000);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'outbox LISTEN failed; polling meanwhile');
      void c.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect(), 5_000);
    }
  };
  void connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
