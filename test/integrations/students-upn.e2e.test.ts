/**
 * Audit finding 1, from the SENDCo's seat: a UPN identifies one child. An Excel-saved Arbor student file (BOM,
 * `;`, CRLF, a blank line, a duplicate row) in which a later row for another child (another MIS id) carries
 * Zara's UPN is imported with `send-hub import arbor-students` (its own process): neither row is imported,
 * the report names both lines on the field `upn` (no value, no name), and `send-hub register` still lists
 * Zara as she was (EHCP, key worker). A row whose UPN is already another student's on the roll is refused,
 * never written over that child. Before: "updated 1", Zara's record became Zed's, and she left the register.
 * In batches of 2 rows, both rows of a conflict a batch apart are refused too (the file is read once more
 * first); the same through the real CLI with a 10,002-row file: students-upn-batches-rekey.e2e.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../../app/imports/run-import.ts';
import { ImportRepository } from '../../store/import-repository.ts';
import { type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const HEADER = 'Student ID;UPN;Forename;Surname;Year;SEN Status;EHCP;Key Worker';
const ZARA = '1001;F123456789012;Zara;Ali;7;E;Yes;kw@school.example';
const AMY = '1002;A123456789012;Amy;Brook;8;K;No;';
const ZED = '1004;F123456789012;Zed;Other;9;N;No;';
/** As Excel saves "CSV UTF-8" with a `;` list separator: BOM, CRLF. */
const excel = (...lines: string[]) => `\uFEFF${[HEADER, ...lines].join('\r\n')}\r\n`;

const ZARA_ON_REGISTER =
  /^Z\.A\. \(Y7\) · EHCP · key worker Hannah Cole <kw@school\.example> · no annual review recorded/m;

describe.each(providers)('a UPN identifies one child: the students import (%s)', (provider) => {
  let s: CliSession;
  const file = (name: string, text: string) => {
    const p = path.join(s.dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const ok = async (...args: string[]) => {
    const r = await s.cli(...args);
    expect(r.code, r.err).toBe(0);
    return r.out;
  };
  beforeAll(async () => {
    s = await cliSession(provider);
    await ok(
      'org',
      'create',
      '--kind',
      'school',
      '--name',
      'Test School',
      '--urn',
      '123456',
      '--admin',
      'sendco@school.example',
    );
    await ok(
      'import',
      'arbor-staff',
      file(
        'staff.csv',
        'Staff ID,Email,First Name,Last Name,Roles\nT1,sendco@school.example,Priya,Shah,SENCO\nT2,kw@school.example,Hannah,Cole,Teacher\n',
      ),
    );
  }, 180_000);
  afterAll(async () => s?.close());

  it('refuses both rows of a UPN shared within the file, and a UPN another student holds; Zara stays on the register', async () => {
    expect(await ok('import', 'arbor-students', file('first.csv', excel(ZARA)))).toContain(
      'rows read 1, created 1, updated 0, unchanged 0, rejected 0',
    );
    expect(await ok('register')).toMatch(ZARA_ON_REGISTER);

    const out = await ok(
      'import',
      'arbor-students',
      file('students-excel.csv', `${excel(ZARA, AMY)}\r\n${[AMY, ZED].join('\r\n')}\r\n`),
    );
    expect(out).toContain('rows read 4, created 1, updated 0, unchanged 0, rejected 3');
    const lines = out.split('\n').filter((l) => l.startsWith('  students-excel.csv'));
    expect(lines).toEqual([
      "  students-excel.csv line 2, upn: the same UPN as line 6, a row for another student (a different MIS id, or none): a UPN identifies one child, so neither row is imported and the student's record is left as it was: correct the UPN in the MIS, then import again",
      '  students-excel.csv line 5, externalId: duplicate of the student on line 3',
      "  students-excel.csv line 6, upn: the same UPN as line 2, a row for another student (a different MIS id, or none): a UPN identifies one child, so neither row is imported and the student's record is left as it was: correct the UPN in the MIS, then import again",
    ]);
    expect(out).not.toMatch(/F123456789012|Zara|Zed|Ali\b|Other/);
    const register = await ok('register');
    expect(register).toMatch(/^SEN register: 2 pupils$/m);
    expect(register).toMatch(ZARA_ON_REGISTER);
    expect(register).toMatch(/^A\.B\. \(Y8\) · SEN support/m);

    // Zed alone, in a later export: the UPN is Zara's on the roll, so his row is refused, not written over her.
    const later = await ok('import', 'arbor-students', file('later.csv', excel(ZED)));
    expect(later).toContain('rows read 1, created 0, updated 0, unchanged 0, rejected 1');
    expect(later).toContain(
      "later.csv line 2, upn: this UPN is already another student's on the roll (a different MIS id); a UPN identifies one child, so the row is not imported and that student's record is left as it was",
    );
    // Amy's MIS id with Zara's UPN: refused too (before, the unique index failed the whole import).
    const amy = await ok('import', 'arbor-students', file('amy.csv', excel(AMY.replace('A1', 'F1'))));
    expect(amy).toContain('rows read 1, created 0, updated 0, unchanged 0, rejected 1');
    expect(amy).toContain("amy.csv line 2, upn: this UPN is already another student's on the roll");
    expect(await ok('register')).toMatch(ZARA_ON_REGISTER);
    // Zara's own row still matches her: unchanged.
    expect(await ok('import', 'arbor-students', file('again.csv', excel(ZARA)))).toContain(
      'rows read 1, created 0, updated 0, unchanged 1, rejected 0',
    );
  }, 180_000);
});

describe.each(providers)('a UPN shared across batches (%s)', (provider) => {
  let t: TestHub;
  let orgId: string;
  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-12-07T09:00:00Z', modules: [] });
    orgId = (await t.hub.dbh.db.organisation.create({ data: { name: 'Test school' } })).id;
  });
  afterEach(async () => t.close());

  it('refuses both rows, whatever the batch (the file is read once more before the first batch)', async () => {
    const csv = excel(ZARA.replace(';kw@school.example', ';'), AMY, ZED);
    const run = await runImport(t.hub, {
      orgId,
      kind: 'arbor-students',
      source: { name: 'students.csv', bytes: Buffer.from(csv) },
      via: 'test',
      batchSize: 2,
    });
    expect(run).toMatchObject({ created: 1, updated: 0, rejected: 2 });
    const reason = (line: number) =>
      `the same UPN as line ${line}, a row for another student (a different MIS id, or none): a UPN identifies one child, so neither row is imported and the student's record is left as it was: correct the UPN in the MIS, then import again`;
    expect(await new ImportRepository(t.hub.dbh.db).rejections(run.id)).toEqual([
      { file: 'students.csv', line: 2, field: 'upn', reason: reason(4) },
      { file: 'students.csv', line: 4, field: 'upn', reason: reason(2) },
    ]);
    expect(await t.hub.dbh.db.student.count({ where: { upn: 'F123456789012' } })).toBe(0);
  });
});
