/**
 * Slack event ids already received (SlackEventReceipt rows), shared by every replica on one database, so
 * a Slack retry (X-Slack-Retry-Num) that lands on another replica is recognised and not processed again.
 * `claim` is an insert-if-absent on the primary key: exactly one caller across all replicas gets true.
 * Rows are only needed while Slack may still retry (its last retry comes about 5 minutes after the first
 * delivery); `prune` drops those older than the caller's window.
 */
import type { Db } from './db.ts';

export class SlackEventReceiptRepository {
  constructor(private readonly db: Db) {}

  /** True the first time `eventId` is claimed by anyone on this database; false for a duplicate. */
  async claim(eventId: string, at: Date): Promise<boolean> {
    try {
      await this.db.slackEventReceipt.create({ data: { eventId, receivedAt: at } });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') return false; // another delivery got there first
      throw err;
    }
  }

  /** Delete receipts received before `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    const r = await this.db.slackEventReceipt.deleteMany({ where: { receivedAt: { lt: before } } });
    return r.count;
  }

  async has(eventId: string): Promise<boolean> {
    return (await this.db.slackEventReceipt.count({ where: { eventId } })) > 0;
  }
}
