/**
 * The seeded work e-mail follows the staff import (issue 16), through the real import path (runImport of an
 * Arbor staff export, then the hub's planner tick): a later export that changes a person's e-mail replaces
 * the seeded method's address, verified or not, with the new one, unverified, audited with the kind only;
 * an address the person entered is left alone, and so is a seeded one whose e-mail did not change.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contactsModule, contactsOf } from '../../app/contacts/contacts-module.ts';
import { runImport } from '../../app/imports/run-import.ts';
import { buildCsv } from '../integrations/support/export-builders.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const HEADER = ['Staff ID', 'First Name', 'Last Name', 'Email', 'Business Roles', 'Line Manager'];
const staffCsv = (emails: { dsl: string; head: string; sendco: string }) =>
  buildCsv(HEADER, [
    ['T1', 'Hana', 'Head', emails.head, 'Headteacher', ''],
    ['T2', 'Dee', 'Lead', emails.dsl, 'Designated Safeguarding Lead', 'T1'],
    ['T3', 'Sena', 'Co', emails.sendco, 'SENCO', 'T1'],
  ]);

describe.each(providers)('the seeded work e-mail follows the staff import (%s)', (provider) => {
  let t: TestHub;
  let orgId: string;
  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z', modules: [contactsModule()] });
    orgId = (await t.hub.dbh.db.organisation.create({ data: { name: 'Test school' } })).id;
  });
  afterEach(async () => t.close());

  const importStaff = (csv: Buffer, name: string) =>
    runImport(t.hub, { orgId, kind: 'arbor-staff', source: { name, bytes: csv }, via: 'test' });

  it('replaces the seeded address (verified or not) with the new one, unverified, audited by kind; leaves a person-entered one', async () => {
    await importStaff(
      staffCsv({ dsl: 'dsl@school.example', head: 'head@school.example', sendco: 'sendco@school.example' }),
      'staff-1.csv',
    );
    await t.tickAndDeliver(); // the planner seeds the work e-mails
    const repo = contactsOf(t.hub)!.repo;
    const id = async (externalId: string) =>
      (await t.hub.dbh.db.staff.findFirstOrThrow({ where: { externalId } })).id;
    const [head, dsl, sendco] = [await id('T1'), await id('T2'), await id('T3')];
    expect((await repo.get(dsl, 'EMAIL'))?.value).toBe('dsl@school.example');
    // The DSL verified the seeded address and takes digests by e-mail; the head verified theirs too.
    for (const who of [dsl, head]) {
      const fresh = await repo.newCode(who, 'EMAIL');
      expect((await repo.verify(who, fresh!.code)).ok).toBe(true);
    }
    expect(await repo.setDigestOptIn(dsl, true)).toBe(true);
    // The SENCo entered a personal address of their own.
    await repo.setPending(orgId, sendco, 'EMAIL', 'sena.personal@home.example', 'person');

    const report = await importStaff(
      staffCsv({
        dsl: 'dee.lead@trust.example',
        head: 'head@school.example',
        sendco: 'sena.co@trust.example',
      }),
      'staff-2.csv',
    );
    expect(report).toMatchObject({ status: 'COMPLETED', updated: 2, unchanged: 1 });
    await t.tickAndDeliver();

    const moved = await repo.get(dsl, 'EMAIL');
    expect(moved).toMatchObject({
      value: 'dee.lead@trust.example',
      source: 'import',
      verifiedAt: null,
      digestOptIn: false,
    });
    expect(await repo.get(head, 'EMAIL')).toMatchObject({ value: 'head@school.example' });
    expect((await repo.get(head, 'EMAIL'))?.verifiedAt).not.toBeNull();
    expect(await repo.get(sendco, 'EMAIL')).toMatchObject({
      value: 'sena.personal@home.example',
      source: 'person',
    });

    const audit = await t.hub.dbh.db.auditEvent.findMany({ where: { action: 'contact.import_replaced' } });
    expect(audit.map((a) => [a.subjectId, a.actorKind, a.details])).toEqual([
      [moved!.id, 'import', { kind: 'EMAIL', source: 'import', wasVerified: true }],
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/dee\.lead|dsl@school/);

    // Nothing changed since: a further tick replaces nothing and audits nothing.
    await t.tickAndDeliver();
    expect(await t.hub.dbh.db.auditEvent.count({ where: { action: 'contact.import_replaced' } })).toBe(1);
  });
});
