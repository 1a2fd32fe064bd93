/**
 * Slack event ids already received (SlackEventReceipt rows), shared by every replica on one database, so
 * a Slack retry (X-Slack-Retry-Num) that lands on another replica is recognised and not processed again.
 * `claim` is an insert-if-absent on the primary key: exactly one caller across all replicas gets true;
 * `claimMany` does the same for a batch in one statement when none of them is known yet (the usual case).
 * Rows are only needed while Slack may still retry (its last retry comes about 5 minutes after the first
 * delivery); `prune` drops those older than the caller's window.
 *
 * On SQLite, given the process's side writer (store/sqlite-side-writer.ts), `claimMany` and `prune` commit
 * on its worker thread (the same statements' effect: insert-if-absent, delete older), so their waits for
 * the disk do not hold the event loop that acknowledges Slack's requests.
 */
import type { Db } from './db.ts';
import type { SqliteSideWriter } from './sqlite-side-writer.ts';

export class SlackEventReceiptRepository {
  constructor(
    private readonly db: Db,
    private readonly side?: SqliteSideWriter,
  ) {}

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

  /** The ids of `eventIds` that this call claimed first (the others some delivery had already claimed). */
  async claimMany(eventIds: string[], at: Date): Promise<Set<string>> {
    const ids = [...new Set(eventIds)];
    if (this.side && !this.side.isClosed) return this.side.claimReceipts(ids, at);
    if (ids.length <= 1) {
      const [id] = ids;
      return id !== undefined && (await this.claim(id, at)) ? new Set(ids) : new Set();
    }
    try {
      await this.db.slackEventReceipt.createMany({
        data: ids.map((eventId) => ({ eventId, receivedAt: at })),
      });
      return new Set(ids);
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err;
    }
    // At least one was already there (a retry): the statement changed nothing; claim them one by one.
    const won = new Set<string>();
    for (const id of ids) if (await this.claim(id, at)) won.add(id);
    return won;
  }

  /** Delete receipts received before `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    if (this.side && !this.side.isClosed) return this.side.pruneReceipts(before);
    const r = await this.db.slackEventReceipt.deleteMany({ where: { receivedAt: { lt: before } } });
    return r.count;
  }

  async has(eventId: string): Promise<boolean> {
    return (await this.db.slackEventReceipt.count({ where: { eventId } })) > 0;
  }
}
