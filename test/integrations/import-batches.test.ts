/**
 * Issue 18, imports near the floor: incident batches are written through raw statements, one transaction
 * per batch (store/incident-import-repository.ts). On both providers:
 * - a batch that fails half way writes nothing of itself (incidents, rejections, safeguarding rows), keeps
 *   the batches before it, and the report names the batch's lines;
 * - importing the same file again writes nothing (the content hash), and a changed row is rewritten alone;
 * - a safeguarding row deep in a large file, imported by a process that does not deliver (as
 *   `send-hub import`), reaches the DSL's first alert when the hub sends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Hub } from '../../app/container.ts';
import { runImport } from '../../app/imports/run-import.ts';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import { ImportRepository } from '../../store/import-repository.ts';
import { importProcess, PUPIL, seedSchool } from '../safeguarding/support.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const HEADER = 'Incident ID,UPN,Date,Category,Incident\r\n';

/** `n` incidents about PUPIL, one a line from line 2; `edit` changes chosen rows. */
function csv(
  n: number,
  edit: (i: number) => Partial<Record<'id' | 'date' | 'cat' | 'text', string>> = () => ({}),
) {
  let s = HEADER;
  for (let i = 0; i < n; i++) {
    const r = {
      id: `INC${i}`,
      date: '20/11/2026 10:00',
      cat: 'Behaviour',
      text: `Row ${i} text`,
      ...edit(i),
    };
    s += `${r.id},${PUPIL.upn},${r.date},${r.cat},"${r.text}"\r\n`;
  }
  return Buffer.from(s);
}

/** A trigger that makes the database refuse one incident: a failure in the middle of a batch's INSERT. */
async function refuseIncident(t: TestHub, provider: string, externalId: string): Promise<void> {
  const db = t.hub.dbh.db;
  if (provider === 'sqlite')
    await db.$executeRawUnsafe(
      `CREATE TRIGGER refuse_one BEFORE INSERT ON "Incident" WHEN NEW."externalId" = '${externalId}' BEGIN SELECT RAISE(ABORT, 'refused by test'); END`,
    );
  else {
    await db.$executeRawUnsafe(
      `CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN IF NEW."externalId" = '${externalId}' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await db.$executeRawUnsafe(
      'CREATE TRIGGER refuse_one BEFORE INSERT ON "Incident" FOR EACH ROW EXECUTE FUNCTION refuse_one()',
    );
  }
}

describe.each(providers)('incident import batches on %s', (provider) => {
  let t: TestHub;
  let other: Hub | undefined;
  afterEach(async () => {
    await other?.dbh.close();
    other = undefined;
    await t.close();
  });

  it('a batch that fails half way writes nothing of itself; the batches before it stay; the report names its lines', async () => {
    t = await startTestHub(provider, { modules: [] });
    const s = await seedSchool(t.hub.dbh.db);
    await refuseIncident(t, provider, 'INC15');
    // 25 rows on lines 2-26, batches of 10: lines 2-11 saved, lines 12-21 fail at line 17 (INC15).
    // A bad date on line 5 (first batch) and line 13 (failing batch); a safeguarding row on line 14.
    const bytes = csv(25, (i) =>
      i === 3 || i === 11
        ? { date: 'not a date' }
        : i === 12
          ? { cat: 'Safeguarding > Neglect' }
          : i === 1
            ? { cat: 'Safeguarding > Neglect' }
            : {},
    );
    await expect(
      runImport(t.hub, {
        orgId: s.orgId,
        kind: 'cpoms',
        source: { name: 'cpoms.csv', bytes },
        via: 'test',
        batchSize: 10,
      }),
    ).rejects.toThrow();
    const repo = new ImportRepository(t.hub.dbh.db);
    const [run] = await repo.recent(s.orgId, 1);
    expect(run).toMatchObject({ status: 'FAILED', created: 9, rejected: 1 });
    expect(run?.message).toContain('cpoms.csv: import failed in the batch of lines 12-21');
    expect(run?.message).toContain('nothing of that batch was written');
    expect(run?.message).not.toMatch(/refused by test|Row \d+ text/);
    const stored = await t.hub.dbh.db.incident.findMany({ select: { externalId: true } });
    expect(stored.map((x) => x.externalId).sort()).toEqual(
      ['INC0', 'INC1', 'INC2', 'INC4', 'INC5', 'INC6', 'INC7', 'INC8', 'INC9'].sort(),
    );
    // Only the first batch's rejection and safeguarding row: the failed batch left no half report.
    expect(await repo.rejections(run?.id as string)).toEqual([
      { file: 'cpoms.csv', line: 5, field: 'occurredAt', reason: expect.any(String) },
    ]);
    const concernRows = await t.hub.dbh.db.importConcernRow.findMany({ select: { line: true } });
    expect(concernRows).toEqual([{ line: 3 }]);
  });

  it('importing the same file again writes nothing; a changed row alone is rewritten', async () => {
    t = await startTestHub(provider, { modules: [] });
    const s = await seedSchool(t.hub.dbh.db);
    const db = t.hub.dbh.db;
    const run = (bytes: Buffer) =>
      runImport(t.hub, {
        orgId: s.orgId,
        kind: 'cpoms',
        source: { name: 'cpoms.csv', bytes },
        via: 'test',
        batchSize: 40,
      });
    const snapshot = async () =>
      db.incident.findMany({
        select: { id: true, externalId: true, textEnc: true, sourceHash: true, updatedAt: true },
        orderBy: { externalId: 'asc' },
      });
    expect(await run(csv(100))).toMatchObject({ status: 'COMPLETED', created: 100, rejected: 0 });
    const before = await snapshot();
    expect(before).toHaveLength(100);
    t.clock.advanceMinutes(5);
    expect(await run(csv(100))).toMatchObject({ created: 0, updated: 0, unchanged: 100 });
    // Not one byte rewritten: the same ciphertext (a rewrite would draw a new IV) and updatedAt.
    expect(await snapshot()).toEqual(before);
    const changed = await run(csv(100, (i) => (i === 57 ? { text: 'Row 57 text, corrected' } : {})));
    expect(changed).toMatchObject({ created: 0, updated: 1, unchanged: 99 });
    const after = await snapshot();
    const differs = after.filter((x, i) => JSON.stringify(x) !== JSON.stringify(before[i]));
    expect(differs.map((x) => x.externalId)).toEqual(['INC57']);
    expect(differs[0]?.id).toBe(before.find((x) => x.externalId === 'INC57')?.id);
    expect(t.hub.cipher.decrypt(differs[0]?.textEnc as string, 'Incident.textEnc')).toBe(
      'Row 57 text, corrected',
    );
  });

  it('a safeguarding row deep in a large file, imported by a process that does not send, reaches the DSL first', async () => {
    t = await startTestHub(provider, { modules: [safeguardingModule()] });
    const s = await seedSchool(t.hub.dbh.db);
    other = await importProcess(t);
    const rows = 12_000;
    const deep = 11_500;
    const r = await runImport(other, {
      orgId: s.orgId,
      kind: 'cpoms',
      source: {
        name: 'cpoms.csv',
        bytes: csv(rows, (i) => (i === deep ? { cat: 'Safeguarding > Neglect' } : {})),
      },
      via: 'test',
    });
    expect(r).toMatchObject({ status: 'COMPLETED', created: rows, rejected: 0 });
    const concerns = await t.hub.dbh.db.concern.findMany({ select: { id: true, externalId: true } });
    const incident = await t.hub.dbh.db.incident.findFirstOrThrow({
      where: { externalId: `INC${deep}` },
      select: { id: true },
    });
    expect(concerns.map((c) => c.externalId)).toEqual([incident.id]);
    // The import process queued the DSL's first step and sent nothing; the hub sends it.
    expect(t.console.transcript()).toEqual([]);
    await t.hub.deliverer.drainAll();
    const first = t.console.transcript().filter((m) => m.message.kind === 'concern_escalation');
    expect(first.map((m) => m.staffId)).toEqual([s.staff.dsl]);
    const [row] = (await t.hub.dbh.db.importConcernRow.findMany({ select: { line: true } })) ?? [];
    expect(row?.line).toBe(deep + 2);
  }, 120_000);
});
