// The worker thread of store/sqlite-side-writer.ts: its own better-sqlite3 connection to the hub's SQLite
// file, for the small writes nobody waits on to answer a request (Slack event receipts, lease renewals).
// Its synchronous commits (and their wait for the disk) happen on this thread, not on the event loop that
// answers requests. Plain JavaScript, so it loads the same under tsx, vitest and node alone.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs, fileMustExist: true });
// As durable as the hub's own connections (store/db.ts): a commit is on disk before its answer is sent.
db.pragma('synchronous = FULL');

const insertReceipt = db.prepare(
  'INSERT INTO "SlackEventReceipt" ("eventId", "receivedAt") VALUES (?, ?) ON CONFLICT DO NOTHING',
);
const pruneReceipts = db.prepare('DELETE FROM "SlackEventReceipt" WHERE "receivedAt" < ?');
const renewLease = db.prepare(
  'UPDATE "Lease" SET "owner" = ?, "until" = ? WHERE "name" = ? AND ("owner" = ? OR "until" < ?)',
);
const insertLease = db.prepare(
  'INSERT INTO "Lease" ("name", "owner", "until") VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
);

// BEGIN IMMEDIATE: the write lock is taken first (waiting up to the busy timeout), so no snapshot goes stale.
const claim = db.transaction((ids, at) => ids.filter((id) => insertReceipt.run(id, at).changes === 1));
const acquire = db.transaction(
  (name, owner, now, until) =>
    renewLease.run(owner, until, name, owner, now).changes === 1 ||
    insertLease.run(name, owner, until).changes === 1,
);

const ops = {
  claimReceipts: ({ ids, at }) => claim.immediate(ids, at),
  pruneReceipts: ({ before }) => pruneReceipts.run(before).changes,
  acquireLease: ({ name, owner, now, until }) => acquire.immediate(name, owner, now, until),
};

parentPort.on('message', (m) => {
  try {
    const op = ops[m.op];
    if (!op) throw new Error(`unknown side-writer operation ${m.op}`);
    parentPort.postMessage({ id: m.id, result: op(m.args) });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: { message: String(err?.message ?? err), code: err?.code } });
  }
});
