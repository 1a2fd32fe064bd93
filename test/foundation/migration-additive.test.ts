/**
 * Which migrations may roll out beside older replicas (store/rolling-upgrade.ts): the classifier
 * on statements of each kind, and on every committed migration of both providers. A new migration that is
 * not additive fails here until it is listed below with why: a rolling upgrade on PostgreSQL refuses it
 * while older hubs run (docs/scaling.md "Upgrades that add a migration").
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../store/db.ts';
import { migrationsDir } from '../../store/migrate.ts';
import {
  breakingStatements,
  classifyMigration,
  describeStatement,
  splitStatements,
} from '../../store/rolling-upgrade.ts';
import { freshDatabaseUrl, pgAvailable } from '../support/db.ts';

const kinds = (sql: string) =>
  classifyMigration(sql).map((v) => `${v.additive ? '+' : '!'} ${describeStatement(v)}`);

describe('the rolling-upgrade classifier', () => {
  it('splits statements around quotes, $$ bodies, comments and SQLite trigger bodies', () => {
    expect(
      splitStatements(`-- a comment; not a statement
        CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'a; b'; END; $$ LANGUAGE plpgsql;
        /* block; comment */ INSERT INTO "T" ("a") VALUES ('x;y');
        CREATE TRIGGER "t" BEFORE UPDATE ON "T" BEGIN SELECT RAISE(ABORT, 'no'); END;
        DROP INDEX "i"`),
    ).toEqual([
      "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'a; b'; END; $$ LANGUAGE plpgsql",
      `INSERT INTO "T" ("a") VALUES ('x;y')`,
      `CREATE TRIGGER "t" BEFORE UPDATE ON "T" BEGIN SELECT RAISE(ABORT, 'no'); END`,
      'DROP INDEX "i"',
    ]);
  });

  it('calls new tables, indexes, nullable or defaulted columns and inserts additive', () => {
    expect(
      kinds(`CREATE TABLE "N" ("id" TEXT NOT NULL, CONSTRAINT "N_pkey" PRIMARY KEY ("id"));
        CREATE UNIQUE INDEX "N_id_key" ON "N"("id");
        ALTER TABLE "N" ADD CONSTRAINT "N_fkey" FOREIGN KEY ("id") REFERENCES "T"("id");
        CREATE INDEX "T_a_idx" ON "T"("a");
        ALTER TABLE "T" ADD COLUMN "b" TEXT, ADD COLUMN "c" INTEGER NOT NULL DEFAULT 0;
        CREATE UNIQUE INDEX "T_b_key" ON "T"("b");
        ALTER TABLE "T" ADD CONSTRAINT "T_b_fkey" FOREIGN KEY ("b") REFERENCES "N"("id");
        ALTER TABLE "T" ALTER COLUMN "d" SET DEFAULT 'x';
        CREATE TYPE "K" AS ENUM ('A');
        INSERT INTO "T" ("a") VALUES ('x');
        PRAGMA foreign_keys=ON`),
    ).toEqual([
      '+ create table "N"',
      '+ create unique index on a new table "N_id_key"',
      '+ alter a new table "N"',
      '+ create index "T_a_idx"',
      '+ add column (nullable) "T"',
      '+ add column with default "T"',
      '+ create unique index on a new nullable column "T_b_key"',
      '+ add constraint on a new nullable column "T"',
      '+ set default "T"',
      '+ create type',
      '+ insert rows "T"',
      '+ no schema change',
    ]);
  });

  it('flags drops, renames, type changes, NOT NULL, enum values, constraints and row changes', () => {
    expect(
      kinds(`DROP INDEX "T_a_idx"; DROP TABLE IF EXISTS "U"; ALTER TABLE "T" DROP COLUMN "a";
        ALTER TABLE "T" RENAME COLUMN "a" TO "b"; ALTER TABLE "T" RENAME TO "V"; ALTER INDEX "i" RENAME TO "j";
        ALTER TABLE "T" ALTER COLUMN "type" SET DATA TYPE INTEGER, ALTER COLUMN "a" TYPE TEXT;
        ALTER TABLE "T" ALTER COLUMN "type" SET NOT NULL, ALTER COLUMN "a" DROP NOT NULL, ALTER COLUMN "c" DROP DEFAULT;
        ALTER TABLE "T" ADD COLUMN "e" TEXT NOT NULL; ALTER TYPE "K" ADD VALUE 'B';
        CREATE UNIQUE INDEX "T_a_key" ON "T"("a"); ALTER TABLE "T" ADD CONSTRAINT "T_a_fkey" FOREIGN KEY ("a") REFERENCES "N"("id");
        ALTER TABLE "T" DROP CONSTRAINT "T_a_fkey"; CREATE TRIGGER "g" BEFORE DELETE ON "T" BEGIN SELECT 1; END;
        UPDATE "T" SET "a" = 'x'; DELETE FROM "T"; VACUUM`),
    ).toEqual([
      '! drop index "T_a_idx"',
      '! drop table "U"',
      '! drop column "T"',
      '! rename "T"',
      '! rename "T"',
      '! rename',
      '! change column type "T"',
      '! change column type "T"',
      '! set NOT NULL "T"',
      '! drop NOT NULL "T"',
      '! drop default "T"',
      '! add column NOT NULL without default "T"',
      '! add enum value "K"',
      '! create unique index "T_a_key"',
      '! add constraint "T"',
      '! drop constraint "T"',
      '! create trigger "T"',
      '! update rows "T"',
      '! delete rows "T"',
      '! not recognised',
    ]);
  });

  it("recognises SQLite's table rebuild (copy, drop, rename) as one that is not additive", () => {
    const v = breakingStatements(`PRAGMA foreign_keys=OFF;
      CREATE TABLE "new_T" ("id" TEXT NOT NULL PRIMARY KEY, "a" TEXT);
      INSERT INTO "new_T" ("id") SELECT "id" FROM "T";
      DROP TABLE "T"; ALTER TABLE "new_T" RENAME TO "T";
      CREATE UNIQUE INDEX "T_a_key" ON "T"("a"); PRAGMA foreign_keys=ON`);
    expect(v.map(describeStatement)).toEqual(['table rebuilt (SQLite: copied, dropped, renamed) "T"']);
  });
});

/**
 * The committed migrations that would break older replicas if rolled out beside them, and why. Every other
 * committed migration must be additive. On SQLite (one hub process) none is ever rolled out beside another.
 */
const NOT_ADDITIVE: Record<'sqlite' | 'postgres', Record<string, string[]>> = {
  postgres: {
    // Refuses UPDATE/DELETE of AuditEvent; the older code never does either, but a trigger can refuse writes.
    '20261124204600_audit_append_only': ['create trigger "AuditEvent"'],
    '20261125005525_add_kcsie_case_kinds': ['add enum value "CaseKind"', 'add enum value "CaseKind"'],
    '20261206061959_import_concern_rows_attendance_lead': ['add enum value "Role"'],
    // A concern about a child not on roll has no studentId: an older replica reads a null it does not expect.
    '20261206062016_concern_not_on_roll_and_drafts': ['drop NOT NULL "Concern"'],
    '20261206062127_roles_from_job_titles': Array(4).fill('add enum value "Role"'),
    '20261206093440_contact_methods': ['add enum value "Platform"', 'add enum value "Platform"'],
    // One assignment a case a day: an older replica's second assignment on a day is refused.
    '20261206200945_case_assignment_one_a_day': [
      'drop index "CaseAssignment_caseId_fromOn_idx"',
      'create unique index "CaseAssignment_caseId_fromOn_key"',
    ],
    '20261206235122_add_health_needs_case_kind': ['add enum value "CaseKind"'],
  },
  sqlite: {
    '20261124204600_audit_append_only': ['create trigger "AuditEvent"', 'create trigger "AuditEvent"'],
    '20261206062016_concern_not_on_roll_and_drafts': [
      'table rebuilt (SQLite: copied, dropped, renamed) "Concern"',
    ],
    '20261206094034_case_plan_marks': ['table rebuilt (SQLite: copied, dropped, renamed) "Case"'],
    '20261206101456_contact_digest_opt_in': [
      'table rebuilt (SQLite: copied, dropped, renamed) "ContactMethod"',
    ],
    '20261206200945_case_assignment_one_a_day': [
      'drop index "CaseAssignment_caseId_fromOn_idx"',
      'create unique index "CaseAssignment_caseId_fromOn_key"',
    ],
  },
};

describe.each(['postgres', 'sqlite'] as const)('every committed %s migration', (provider) => {
  const dir = migrationsDir(provider);
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);

  it('is additive, or listed here as not additive with the statements that make it so', () => {
    const found: Record<string, string[]> = {};
    for (const name of names) {
      const breaking = breakingStatements(fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8'));
      if (breaking.length) found[name] = breaking.map(describeStatement);
    }
    const expected = Object.fromEntries(
      Object.entries(NOT_ADDITIVE[provider]).filter(([name]) => names.includes(name)),
    );
    expect(found).toEqual(expected);
    // Every statement is recognised: nothing is flagged only because the classifier did not know it.
    for (const name of names) {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      expect(classifyMigration(sql).filter((v) => v.kind.includes('not recognised'))).toEqual([]);
    }
  });
});

describe.skipIf(!pgAvailable)('why a new enum value is not additive (PostgreSQL)', () => {
  it('an older client reading a row with a value its schema lacks fails: "Value \'X\' not found in enum"', async () => {
    const { url, drop } = await freshDatabaseUrl('postgres');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { db, close } = createDb(url);
    try {
      await c.query(`ALTER TYPE "Role" ADD VALUE 'ADDED_LATER'`);
      const org = await db.organisation.create({ data: { name: 'O', kind: 'SCHOOL' } });
      const staff = await db.staff.create({
        data: { orgId: org.id, displayName: 'S', email: 's@x.example' },
      });
      await c.query(`INSERT INTO "StaffRole" ("staffId", "role") VALUES ($1, 'ADDED_LATER')`, [staff.id]);
      await expect(db.staffRole.findMany()).rejects.toThrow(/Value 'ADDED_LATER' not found in enum 'Role'/);
    } finally {
      await close();
      await c.end();
      await drop();
    }
  });
});
