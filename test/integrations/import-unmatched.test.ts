/**
 * A safeguarding row of an incident import whose pupil matches no student (not on the roll): the incident
 * itself cannot be stored, but the row is kept in the batch's own transaction (ImportConcernRow with the
 * pupil as given, encrypted) and becomes ONE concern about a pupil not on the roll, by the import's event
 * or, when that is lost, by the safeguarding sweep. On both providers:
 * - with no listener for the event (a crash after the commit), the sweep raises it, once; a second sweep
 *   and a second import of the same file raise nothing more;
 * - a batch that fails half way leaves none of its unmatched rows (they commit with the batch or not at all);
 * - one incident, one concern when the events are lost too: the sweep raises nothing for an incident
 *   stored after its pupil was put on the roll (its not-on-roll concern is the one, and the sweep links it
 *   to the pupil as the lost event would have, the DSL told), nor for a row whose
 *   pupil no longer matches (its stored incident's concern is the one).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Hub } from '../../app/container.ts';
import { formatConcernRows, runImport } from '../../app/imports/run-import.ts';
import { safeguardingOf } from '../../app/safeguarding/module.ts';
import { ImportConcernRows } from '../../store/incident-import-repository.ts';
import { ukDateTime } from '../safeguarding/scenario-support.ts';
import { importProcess, PUPIL, seedSchool } from '../safeguarding/support.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const HEADER = 'Incident ID,Student,UPN,Year Group,Date,Categories,Incident\n';
const NEWKID = 'Kai Newkid,Z999999999999,5';

describe.each(providers)('unmatched safeguarding rows of an import on %s', (provider) => {
  let t: TestHub;
  let other: Hub | undefined;
  afterEach(async () => {
    await other?.dbh.close();
    other = undefined;
    await t.close();
  });

  it('are stored with the batch and raised once by the sweep when the event is lost', async () => {
    t = await startTestHub(provider, { modules: [] });
    const s = await seedSchool(t.hub.dbh.db);
    const when = ukDateTime(t.clock.now(), 1);
    const bytes = Buffer.from(
      `${HEADER}INC-9,${NEWKID},${when},Safeguarding > Neglect,"arrived hungry"\n` +
        `INC-11,${NEWKID},${when},Behaviour,"not safeguarding"\n`,
    );
    const src = { name: 'cpoms.csv', bytes };
    // No safeguarding module in this process: the event is not heard (as if it crashed after the commit).
    const run = await runImport(t.hub, { orgId: s.orgId, kind: 'cpoms', source: src, via: 'test' });
    expect(run).toMatchObject({ status: 'COMPLETED', created: 0, rejected: 2 });
    const rows = await t.hub.dbh.db.importConcernRow.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      line: 2,
      category: 'Safeguarding > Neglect',
      incidentId: 'unmatched:cpoms:INC-9',
    });
    expect(rows[0]?.notOnRollEnc).not.toContain('Newkid');
    const pending = await new ImportConcernRows(t.hub.dbh.db).forRun(run.id);
    expect(formatConcernRows(run, pending)[1]).toContain(
      'line 2: Safeguarding > Neglect -> no concern yet (pupil not matched on the roll;',
    );

    other = await importProcess(t);
    const { incidents } = safeguardingOf(other);
    expect(await incidents.sweep(t.clock.now())).toMatchObject({ unmatched: 1, notOnRoll: 1 });
    expect(await incidents.sweep(t.clock.now())).toMatchObject({ unmatched: 0, notOnRoll: 0 });
    const [c, ...more] = await t.hub.dbh.db.concern.findMany();
    expect(more).toEqual([]);
    expect(c).toMatchObject({
      orgId: s.orgId,
      studentId: null,
      source: 'incident',
      externalId: 'unmatched:cpoms:INC-9',
      category: 'Safeguarding > Neglect',
    });
    expect(t.hub.cipher.decrypt(c?.notOnRollNameEnc as string, 'Concern.notOnRollNameEnc')).toBe(
      'Kai Newkid',
    );
    const text = t.hub.cipher.decrypt(c?.textEnc as string, 'Concern.textEnc');
    expect(text).toContain('cpoms incident INC-9');
    expect(text).toContain('UPN Z999999999999, year group 5');
    expect(text).not.toContain('hungry');
    const done = await new ImportConcernRows(t.hub.dbh.db).forRun(run.id);
    expect(done.rows).toEqual([
      {
        line: 2,
        category: 'Safeguarding > Neglect',
        incidentId: 'unmatched:cpoms:INC-9',
        concernId: c?.id,
        notOnRoll: true,
        otherWay: false,
        matchedTo: null,
        linkedTo: null,
        linkedElsewhere: false,
      },
    ]);
    // The year group as given is the concern's (the board and alert show it), as a chat-raised one's.
    expect(c?.notOnRollYear).toBe('5');

    // The same file again, heard this time: the same concern, nothing new.
    const again = await runImport(other, { orgId: s.orgId, kind: 'cpoms', source: src, via: 'test' });
    expect(again).toMatchObject({ status: 'COMPLETED', rejected: 2 });
    expect(await t.hub.dbh.db.concern.count()).toBe(1);
    expect((await new ImportConcernRows(t.hub.dbh.db).forRun(again.id)).rows[0]?.concernId).toBe(c?.id);
  });

  it('one incident, one concern in either order, when only the sweep hears of it', async () => {
    t = await startTestHub(provider, { modules: [] });
    const s = await seedSchool(t.hub.dbh.db);
    const db = t.hub.dbh.db;
    const when = ukDateTime(t.clock.now(), 1);
    const file = (body: string) => ({ name: 'cpoms.csv', bytes: Buffer.from(`${HEADER}${body}`) });
    // Nobody hears the events in this process: only the sweep (another process) raises concerns.
    const unheard = (body: string) =>
      runImport(t.hub, { orgId: s.orgId, kind: 'cpoms', source: file(body), via: 'test' });
    other = await importProcess(t);
    const { incidents } = safeguardingOf(other);
    const sweep = () => incidents.sweep(t.clock.now());

    // Not on the roll, then put on it: the incident is stored, and no second concern.
    await unheard(`INC-9,${NEWKID},${when},Safeguarding > Neglect,"x"\n`);
    expect(await sweep()).toMatchObject({ raised: 0, notOnRoll: 1 });
    await db.student.create({
      data: { orgId: s.orgId, givenName: 'Kai', familyName: 'Newkid', yearGroup: '5', upn: 'Z999999999999' },
    });
    const matched = await unheard(`INC-9,${NEWKID},${when},Safeguarding > Neglect,"x"\n`);
    expect(matched).toMatchObject({ created: 1, rejected: 0 });
    // The sweep raises nothing, and links the concern to Kai as the lost event would have: audited as the
    // import's, the DSL told it is the same incident (initials only). Once.
    expect(await sweep()).toMatchObject({ raised: 0, linked: 1, notOnRoll: 0 });
    expect(await sweep()).toMatchObject({ raised: 0, linked: 0, notOnRoll: 0 });
    expect(await db.concern.count()).toBe(1);
    const kai = await db.student.findFirstOrThrow({ where: { upn: 'Z999999999999' } });
    const linked = await db.concern.findFirstOrThrow();
    expect(linked.studentId).toBe(kai.id);
    const audit = await db.auditEvent.findMany({
      where: { subjectId: linked.id, action: 'concern.student_linked' },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorKind: 'import', details: { matchedByImport: true } });
    const told = await db.outboxMessage.findMany({
      where: { idempotencyKey: { startsWith: `concern:${linked.id}:matched-by-import:` } },
    });
    expect(told.map((m) => m.recipientId)).toContain(s.staff.dsl);
    const notice = t.hub.cipher.decryptJson<{ title: string; text: string }>(
      told[0]!.payloadEnc,
      'OutboxMessage.payloadEnc',
    );
    expect(notice.title).toMatch(
      /^Concern C-[A-Z0-9]{6} \(K\.N\. \(not on roll, Y5\)\) is now linked to K\.N\. \(Y5\)$/,
    );
    expect(notice.text).toContain('it is the same incident, so no new concern was raised');
    expect(JSON.stringify(notice)).not.toContain('Newkid');
    const row = (await new ImportConcernRows(db).forRun(matched.id)).rows[0];
    expect(row).toMatchObject({ otherWay: true, matchedTo: 'K.N. (Y5)', notOnRoll: false });
    expect(formatConcernRows(matched, { rows: [row!], total: 1 })[1]).toMatch(
      /line 2: Safeguarding > Neglect -> concern C-[A-Z0-9]{6} \(already raised; now matched to K\.N\. \(Y5\)\)/,
    );

    // On the roll, then no longer matched: the stored incident's concern, nothing new.
    await unheard(`INC-30,,${PUPIL.upn},,${when},Safeguarding > Neglect,"y"\n`);
    expect(await sweep()).toMatchObject({ raised: 1, notOnRoll: 0 });
    const gone = await unheard(`INC-30,Zeph Q,Z000000000000,8,${when},Safeguarding > Neglect,"y"\n`);
    expect(gone).toMatchObject({ rejected: 1 });
    expect(await sweep()).toMatchObject({ raised: 0, unmatched: 0, notOnRoll: 0 });
    expect(await db.concern.count()).toBe(2);
    expect((await new ImportConcernRows(db).forRun(gone.id)).rows[0]).toMatchObject({
      otherWay: true,
      notOnRoll: true,
      matchedTo: 'Z.Q. (Y8)',
    });
  });

  it('a batch that fails half way leaves none of its unmatched rows', async () => {
    t = await startTestHub(provider, { modules: [] });
    const s = await seedSchool(t.hub.dbh.db);
    const db = t.hub.dbh.db;
    if (provider === 'sqlite')
      await db.$executeRawUnsafe(
        `CREATE TRIGGER refuse_one BEFORE INSERT ON "Incident" WHEN NEW."externalId" = 'INC15' BEGIN SELECT RAISE(ABORT, 'refused by test'); END`,
      );
    else {
      await db.$executeRawUnsafe(
        `CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN IF NEW."externalId" = 'INC15' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await db.$executeRawUnsafe(
        'CREATE TRIGGER refuse_one BEFORE INSERT ON "Incident" FOR EACH ROW EXECUTE FUNCTION refuse_one()',
      );
    }
    const when = ukDateTime(t.clock.now(), 1);
    // 20 rows on lines 2-21, batches of 10; unmatched safeguarding rows on lines 3 (kept) and 14 (its batch fails).
    let csv = HEADER;
    for (let i = 0; i < 20; i++)
      csv +=
        i === 1 || i === 12
          ? `INC${i},${NEWKID},${when},Safeguarding > Neglect,"x"\n`
          : `INC${i},,${PUPIL.upn},,${when},Behaviour,"y"\n`;
    await expect(
      runImport(t.hub, {
        orgId: s.orgId,
        kind: 'cpoms',
        source: { name: 'cpoms.csv', bytes: Buffer.from(csv) },
        via: 'test',
        batchSize: 10,
      }),
    ).rejects.toThrow();
    const rows = await db.importConcernRow.findMany({ select: { line: true, incidentId: true } });
    expect(rows).toEqual([{ line: 3, incidentId: 'unmatched:cpoms:INC1' }]);
  });
});
