/**
 * One CPOMS incident, one concern, however often and in whatever order it is imported, from the seats of
 * the people involved: the hub runs (`send-hub start`, a child process, the demo school); the SENDCo
 * imports CPOMS exports and the students export (`send-hub import`, their own processes); the DSL reads
 * what reaches the console (the alert, `digest`, `open-record`, `concern link`).
 *
 * 1. A neglect incident about a pupil not on the roll reaches the DSL as "K.N. (not on roll, Y5)" (the
 *    year group as the export gave it). The students import puts Kai on the roll; the DSL links the
 *    concern; the same CPOMS file imported again now matches Kai: no second concern (the DSL's digest
 *    still lists one), the report names the concern already raised. CPOMS then edits the incident (new
 *    actions): the same concern, and its record shows the new actions.
 * 2. The other order: an incident matched on the roll raises its concern; a later export whose pupil no
 *    longer matches raises none. And an unlinked not-on-roll concern is linked by the import that matches
 *    its pupil (the chronology says so).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { type ConsoleHub, startConsoleHub } from './console-hub.ts';
import { ukDateTime } from './scenario-support.ts';

const DSL = 'dsl@elmfield.example';
const HEADER = 'Incident ID,Student,UPN,Year Group,Date,Categories,Incident,Actions,Reported By,Status\n';
const KAI_UPN = 'Z999999999999';
/** The demo school's Amelia Brook (Y7). */
const AMELIA_UPN = 'A123456789012';

function write(h: ConsoleHub, name: string, body: string): string {
  const file = path.join(h.session.dir, name);
  fs.writeFileSync(file, body);
  return file;
}

async function importOk(h: ConsoleHub, kind: string, file: string): Promise<string> {
  const r = await h.session.cli('import', kind, file);
  expect(r.code, r.err).toBe(0);
  return r.out;
}

/** The DSL's `digest`: the number of concerns nobody has acknowledged, and their lines. */
async function unacknowledged(h: ConsoleHub): Promise<{ count: number; text: string }> {
  h.type('digest');
  const text = await h.waitFor(/Safeguarding concerns not yet acknowledged \((\d+)\)[^\n]*\n(?:[^\n]+\n)*/);
  return { count: Number(/not yet acknowledged \((\d+)\)/.exec(text)![1]), text };
}

const concernOf = (out: string, line: number): string =>
  new RegExp(`line ${line}: [^\\n]*-> concern (C-[A-Z0-9]{6})`).exec(out)?.[1] ?? `none in:\n${out}`;

describe.each(providers)('one CPOMS incident, one concern (%s)', (provider) => {
  let hub: ConsoleHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it('the pupil put on the roll later: the re-import names the concern the DSL already linked', async () => {
    hub = await startConsoleHub(provider);
    const h = hub;
    const when = ukDateTime(new Date(), 1, 10);
    const row = (actions: string) =>
      `INC-9,Kai Newkid,${KAI_UPN},5,${when},Safeguarding > Neglect,"arrived hungry",${actions},e.marsh@elmfield.example,Active\n`;
    const cpoms = write(h, 'cpoms.csv', HEADER + row('Fed him'));

    const first = await importOk(h, 'cpoms', cpoms);
    expect(first).toContain('cpoms.csv line 2, student: no student with this UPN or MIS id');
    const ref = concernOf(first, 2);
    expect(first).toContain(
      `line 2: Safeguarding > Neglect -> concern ${ref} (pupil not matched on the roll: the DSL links the record)`,
    );

    // The DSL's alert: initials, "not on roll" and the year group as given (was "K.N. (not on roll)").
    const toDsl = await h.waitFor(
      new RegExp(`── to Tom Reed, DSL ─ \\[r\\d+\\][^\\n]*\\n[^\\n]*${ref}[\\s\\S]*?\\n\\n`),
    );
    expect(toDsl.slice(toDsl.lastIndexOf('── to Tom Reed'))).toContain(
      `Safeguarding concern ${ref} for K.N. (not on roll, Y5)`,
    );
    h.type(`as ${DSL}`);
    await h.waitFor(/Acting as Tom Reed\./);
    const before = await unacknowledged(h);
    expect(before.text).toContain('K.N. (not on roll, Y5)');

    // Kai joins the roll (the students export); the DSL links the concern to his record.
    const students = write(
      h,
      'students.csv',
      `Student ID,UPN,Forename,Surname,Year\nS900,${KAI_UPN},Kai,Newkid,5\n`,
    );
    expect(await importOk(h, 'arbor-students', students)).toContain('created 1');
    h.type(`concern link ${ref} ${KAI_UPN}`);
    expect(await h.waitFor(/is now linked to [^\n]*\n/)).toContain(
      `Concern ${ref} (K.N. (not on roll, Y5)) is now linked to K.N. (Y5)`,
    );

    // The same CPOMS file again: Kai now matches, and the incident is stored; no second concern.
    const again = await importOk(h, 'cpoms', cpoms);
    expect(again).toContain('rejected 0');
    expect(again).toContain(
      `cpoms.csv line 2: Safeguarding > Neglect -> concern ${ref} (already raised; now matched to K.N. (Y5))`,
    );
    const after = await unacknowledged(h);
    expect(after.count).toBe(before.count);
    expect(after.text.match(/K\.N\./g)).toHaveLength(1);

    // CPOMS edits the incident (new actions): the same concern, whose record shows them.
    const edited = write(h, 'cpoms-edited.csv', HEADER + row('"Fed him, called mum"'));
    const third = await importOk(h, 'cpoms', edited);
    expect(third).toContain('updated 1');
    expect(concernOf(third, 2)).toBe(ref);
    expect((await unacknowledged(h)).count).toBe(before.count);
    const rn = /\[(r\d+)\][^\n]*\n[^\n]*Safeguarding concern/.exec(toDsl)![1]!;
    h.type(`open-record ${rn}`);
    const record = await h.waitFor(/Chronology:[\s\S]*?concern\.student_linked[^\n]*\n/);
    expect(record).toContain('Fed him, called mum');
  }, 300_000);

  it('the other order, and a concern nobody linked yet: one concern each, linked by the import', async () => {
    hub = await startConsoleHub(provider);
    const h = hub;
    const when = ukDateTime(new Date(), 1, 11);
    const matched = write(
      h,
      'cpoms-a.csv',
      `${HEADER}INC-20,Amelia Brook,${AMELIA_UPN},7,${when},Safeguarding > Neglect,"x",,e.marsh@elmfield.example,Active\n`,
    );
    const a = await importOk(h, 'cpoms', matched);
    const refA = concernOf(a, 2);
    await h.waitFor(new RegExp(`Safeguarding concern ${refA} for A\\.B\\. \\(Y7\\)`));
    h.type(`as ${DSL}`);
    await h.waitFor(/Acting as Tom Reed\./);
    const before = await unacknowledged(h);

    // A later export of the same incident whose pupil no longer matches (UPN and name mistyped): no new
    // concern.
    const unmatched = write(
      h,
      'cpoms-b.csv',
      `${HEADER}INC-20,Amelia Brooks,Z000000000000,7,${when},Safeguarding > Neglect,"x",,e.marsh@elmfield.example,Active\n`,
    );
    const b = await importOk(h, 'cpoms', unmatched);
    expect(b).toContain('cpoms-b.csv line 2, student: no student with this UPN or MIS id');
    expect(b).toContain(
      `line 2: Safeguarding > Neglect -> concern ${refA} (already raised for the incident matched to A.B. (Y7); the pupil is not matched on the roll now)`,
    );
    expect((await unacknowledged(h)).count).toBe(before.count);

    // Not on the roll, then put on it before the DSL linked the concern: the import links it.
    const kai = write(
      h,
      'cpoms-c.csv',
      `${HEADER}INC-21,Kai Newkid,${KAI_UPN},5,${when},Safeguarding > Neglect,"y",,e.marsh@elmfield.example,Active\n`,
    );
    const refK = concernOf(await importOk(h, 'cpoms', kai), 2);
    await h.waitFor(new RegExp(`Safeguarding concern ${refK} for K\\.N\\. \\(not on roll, Y5\\)`));
    const students = write(
      h,
      'students.csv',
      `Student ID,UPN,Forename,Surname,Year\nS900,${KAI_UPN},Kai,Newkid,5\n`,
    );
    await importOk(h, 'arbor-students', students);
    const c = await importOk(h, 'cpoms', kai);
    expect(c).toContain(
      `line 2: Safeguarding > Neglect -> concern ${refK} (already raised; now matched to K.N. (Y5))`,
    );
    const now = await unacknowledged(h);
    expect(now.count).toBe(before.count + 1);
    expect(now.text).toContain('K.N. (Y5)');
    const chronology = await h.session.cli('concern', 'chronology', refK);
    expect(chronology.code, chronology.err).toBe(0);
    expect(chronology.out).toContain('- Pupil: K.N. (Y5)');
    expect(chronology.out).toMatch(/\| concern\.student_linked \| [^\n]*\{"matchedByImport":true\}/);
  }, 300_000);
});
