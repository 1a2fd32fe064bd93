/**
 * A UPN identifies one child, from the SENDCo's and the admin's seat (the real `send-hub` in its own
 * process; docs/imports.md "A UPN identifies one child", "A school that moves to another MIS"):
 * - a students file bigger than one batch (10,000 rows) whose rows 2 and 10,003 claim one UPN for two
 *   children: neither is imported, whatever the batch (before: line 2 was written, only the later refused);
 * - a school that moved to another MIS: its new file's rows are refused naming --rekey; with --rekey the
 *   children move to their new MIS ids (audited, counted in the report), a row whose new MIS id is another
 *   student's or whose date of birth is another's is refused; no name or UPN in the report or the log.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../store/db.ts';
import { type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';

const HEADER = 'Student ID,UPN,Forename,Surname,Date of Birth,Year,SEN Status,EHCP,Key Worker';
const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;
const ZARA = '1001,F123456789012,Zara,Ali,01/02/2014,7,E,Yes,kw@school.example';
const AMY = '1002,A123456789012,Amy,Brook,03/04/2013,8,K,No,';
const CAL = '1003,C123456789012,Cal,Dunn,05/06/2013,8,K,No,';
const DAN = '1005,D123456789012,Dan,Eve,07/08/2012,9,N,No,';
const FINN = '1006,G123456789012,Finn,Gale,09/10/2012,9,K,No,';
const NAMES = /Zara|Ali\b|Amy|Brook|Cal\b|Dunn|Dan\b|Finn|Gale|Zed|Other|Eve\b|Fay/;
const UPNS = /[A-Z]\d{11}[0-9A-Z]/;
const ZARA_ON_REGISTER =
  /^Z\.A\. \(Y7\) · EHCP · key worker Hannah Cole <kw@school\.example> · no annual review recorded/m;

const execFileP = promisify(execFile);
/** `send-hub` as the admin runs it, log on; 10 minutes (10,002 rows on a loaded 2-core machine). */
async function send(env: NodeJS.ProcessEnv, args: string[]) {
  try {
    const r = await execFileP(process.execPath, ['bin/send-hub.mjs', ...args], {
      env: { ...env, LOG_LEVEL: 'info' },
      timeout: 600_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

describe.each(providers)('students import: UPN conflicts across batches, --rekey (%s)', (provider) => {
  let s: CliSession;
  const cli = (...args: string[]) => send(s.env, args);
  const file = (name: string, text: string) => {
    const p = path.join(s.dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  /** The command with the hub's log on (stderr), which must carry no name or UPN either. */
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toMatch(NAMES);
    expect(r.err).not.toMatch(UPNS);
    return r.out;
  };
  const students = async () => {
    const dbh = createDb(s.env.DATABASE_URL as string);
    try {
      return await dbh.db.student.findMany({ orderBy: { upn: 'asc' } });
    } finally {
      await dbh.close();
    }
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
      'staff',
      file(
        'staff.csv',
        'Staff ID,Email,First Name,Last Name,Roles\nT1,sendco@school.example,Priya,Shah,SENCO\nT2,kw@school.example,Hannah,Cole,Teacher\n',
      ),
    );
    expect(await ok('import', 'students', file('roll.csv', csv(ZARA, AMY, CAL, DAN, FINN)))).toContain(
      'rows read 5, created 5, updated 0, unchanged 0, rejected 0',
    );
  }, 180_000);
  afterAll(async () => s?.close());

  it('a UPN claimed by rows 10,000 lines apart: neither row is imported', async () => {
    // Zara's row (moved to Y8) on line 2, 10,000 other pupils, then Zed with her UPN on line 10,003.
    const filler = Array.from(
      { length: 10_000 },
      (_, i) => `${20000 + i},H${String(i).padStart(12, '0')},P${i},Q${i},,10,N,No,`,
    );
    const big = csv(ZARA.replace(',7,', ',8,'), ...filler, '1004,F123456789012,Zed,Other,,9,K,No,');
    const out = await ok('import', 'students', file('big.csv', big));
    expect(out).toContain('rows read 10002, created 10000, updated 0, unchanged 0, rejected 2');
    expect(out.split('\n').filter((l) => l.startsWith('  big.csv'))).toEqual([
      "  big.csv line 2, upn: the same UPN as line 10003, a row for another student (a different MIS id, or none): a UPN identifies one child, so neither row is imported and the student's record is left as it was: correct the UPN in the MIS, then import again",
      "  big.csv line 10003, upn: the same UPN as line 2, a row for another student (a different MIS id, or none): a UPN identifies one child, so neither row is imported and the student's record is left as it was: correct the UPN in the MIS, then import again",
    ]);
    expect(out).not.toMatch(NAMES);
    expect(out).not.toMatch(/F123456789012/);
    // What the SENDCo reads: Zara as she was (Y7), no Zed.
    const register = await ok('register');
    expect(register).toMatch(ZARA_ON_REGISTER);
    expect(register).toMatch(/^SEN register: 4 pupils$/m);
    const all = await students();
    expect(all.filter((x) => x.upn === 'F123456789012').map((x) => [x.externalId, x.yearGroup])).toEqual([
      ['1001', '7'],
    ]);
    expect(all.some((x) => x.externalId === '1004')).toBe(false);
  }, 900_000);

  it('a school that moved MIS: refused naming --rekey; with --rekey moved, audited, counted', async () => {
    const before = new Map((await students()).map((x) => [x.upn, x.id]));
    const moved = csv(
      ZARA.replace('1001,', 'S-9001,'),
      AMY.replace('1002,', 'S-9002,'),
      // Cal's new MIS id is Dan's (who left): not moved onto it.
      CAL.replace('1003,', '1005,'),
      // Finn's UPN with another date of birth: not taken for Finn.
      'S-9006,G123456789012,Fay,Hill,11/12/2012,9,K,No,',
    );
    const plain = await ok('import', 'students', file('new-mis.csv', moved));
    expect(plain).toContain('rows read 4, created 0, updated 0, unchanged 0, rejected 4');
    for (const line of [2, 3, 5])
      expect(plain).toContain(
        `new-mis.csv line ${line}, upn: this UPN is already another student's on the roll (a different MIS id); a UPN identifies one child, so the row is not imported and that student's record is left as it was: correct the UPN or the MIS id in the MIS, then import again; if the school has moved to another MIS (new MIS ids for the same children), import the file with --rekey (docs/imports.md)`,
      );

    const out = await ok('import', 'students', file('new-mis.csv', moved), '--rekey');
    expect(out).toContain('rows read 4, created 0, updated 2, unchanged 0, rejected 2');
    expect(out).toContain(
      '--rekey: 2 students moved to a new MIS id (matched by UPN; audited as student.rekeyed)',
    );
    expect(out.split('\n').filter((l) => l.startsWith('  new-mis.csv'))).toEqual([
      "  new-mis.csv line 4, upn: this MIS id is already another student's on the roll, and the UPN is another's: the student with this UPN is not moved to this MIS id (--rekey) and neither record is changed: check both in the MIS",
      "  new-mis.csv line 5, upn: this UPN is already another student's on the roll, with another date of birth: not taken for the same child, so the student is not moved to this MIS id (--rekey) and the record is left as it was: check both in the MIS",
    ]);
    expect(out).not.toMatch(NAMES);
    expect(out).not.toMatch(UPNS);
    // The SENDCo's register: the same children, Zara still with her EHCP and key worker.
    const register = await ok('register');
    expect(register).toMatch(ZARA_ON_REGISTER);
    expect(register).toMatch(/^SEN register: 4 pupils$/m);
    const after = await students();
    const byUpn = new Map(after.map((x) => [x.upn, x]));
    expect(byUpn.get('F123456789012')).toMatchObject({
      id: before.get('F123456789012'),
      externalId: 'S-9001',
    });
    expect(byUpn.get('A123456789012')).toMatchObject({
      id: before.get('A123456789012'),
      externalId: 'S-9002',
    });
    expect(byUpn.get('C123456789012')?.externalId).toBe('1003');
    expect(byUpn.get('D123456789012')?.externalId).toBe('1005');
    expect(byUpn.get('G123456789012')).toMatchObject({ externalId: '1006', givenName: 'Finn' });
    const dbh = createDb(s.env.DATABASE_URL as string);
    try {
      const audit = await dbh.db.auditEvent.findMany({
        where: { action: 'student.rekeyed' },
        orderBy: { seq: 'asc' },
      });
      expect(audit.map((a) => [a.subjectId, a.actorKind, a.channel])).toEqual([
        [before.get('F123456789012'), 'admin-cli', 'CLI'],
        [before.get('A123456789012'), 'admin-cli', 'CLI'],
      ]);
      expect(JSON.stringify(audit.map((a) => a.details))).not.toMatch(NAMES);
      expect(JSON.stringify(audit.map((a) => a.details))).not.toMatch(/S-900|F1234|A1234/);
    } finally {
      await dbh.close();
    }
    // The next export from the new MIS matches them by their new ids.
    expect(await ok('import', 'students', file('next.csv', csv(ZARA.replace('1001,', 'S-9001,'))))).toContain(
      'rows read 1, created 0, updated 0, unchanged 1, rejected 0',
    );
    const wrong = await s.cli('import', 'staff', file('staff2.csv', 'Staff ID,Email\n'), '--rekey');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('--rekey is for a students import only');
  }, 900_000);
});
