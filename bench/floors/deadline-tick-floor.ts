/**
 * The physical floor of a steady deadline tick (issue 18, "a tick that costs what changed"): each open case's
 * next moment (its next nudge: three days before its earliest open deadline still ahead) and a change counter
 * in an indexed table; a tick is one indexed query for the cases whose moment has come or whose counter moved
 * since the last tick, then a read of those cases' rows (the case, its events, its deadlines) through
 * prepared better-sqlite3 statements. Nothing is computed or written: what is left is what any tick that
 * reads only what changed must pay.
 *
 * The table is a TEMP table of the floor's own connection to the hub's SQLite file: the hub's schema and
 * rows are untouched, and the floor does not depend on how the hub stores its own next moment.
 */
import Database from 'better-sqlite3';

/** Nudges become due this many days before a deadline (app/deadlines NUDGE_HORIZON_DAYS). */
const HORIZON_DAYS = 3;

export interface TickFloor {
  /** One tick at `today` (YYYY-MM-DD): the cases it had to read, and its wall time. */
  tick(today: string): { cases: number; ms: number };
  close(): void;
}

export function prepareTickFloor(dbFile: string, orgId: string, today: string): TickFloor {
  const db = new Database(dbFile, { readonly: false });
  db.exec(`CREATE TEMP TABLE "NextMoment" ("caseId" TEXT PRIMARY KEY, "nextOn" TEXT NOT NULL, "changes" INTEGER NOT NULL);
           CREATE INDEX temp."NextMoment_nextOn" ON "NextMoment" ("nextOn");
           CREATE INDEX temp."NextMoment_changes" ON "NextMoment" ("changes");`);
  db.prepare(
    `INSERT INTO temp."NextMoment" ("caseId", "nextOn", "changes")
     SELECT c."id",
            COALESCE((SELECT min(date(d."dueOn", '-${HORIZON_DAYS} days')) FROM "Deadline" d
                      WHERE d."caseId" = c."id" AND d."status" = 'OPEN'
                        AND date(d."dueOn", '-${HORIZON_DAYS} days') > ?), '9999-12-31'),
            0
     FROM "Case" c WHERE c."orgId" = ? AND c."status" = 'OPEN'`,
  ).run(today, orgId);
  db.exec('ANALYZE temp."NextMoment"');
  const due = db.prepare(
    `SELECT "caseId" FROM temp."NextMoment" WHERE "nextOn" <= ?
     UNION SELECT "caseId" FROM temp."NextMoment" WHERE "changes" > ?`,
  );
  const caseRow = db.prepare('SELECT * FROM "Case" WHERE "id" = ?');
  const events = db.prepare('SELECT * FROM "CaseEvent" WHERE "caseId" = ?');
  const deadlines = db.prepare('SELECT * FROM "Deadline" WHERE "caseId" = ?');
  // The change counter the last tick saw: nothing has changed since (a steady tick).
  const seen = 0;
  return {
    tick(on: string) {
      const started = performance.now();
      const ids = due.all(on, seen) as { caseId: string }[];
      for (const { caseId } of ids) {
        caseRow.get(caseId);
        events.all(caseId);
        deadlines.all(caseId);
      }
      return { cases: ids.length, ms: performance.now() - started };
    },
    close: () => db.close(),
  };
}
