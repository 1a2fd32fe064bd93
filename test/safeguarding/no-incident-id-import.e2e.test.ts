/**
 * A CPOMS row with no Incident ID is one incident, one concern, from the seats of the people involved: the
 * hub runs (`send-hub start`, a child process, the demo school); the SENDCo imports the CPOMS export and the
 * students export (`send-hub import`, their own processes); the DSL reads what reaches the console.
 *
 * The row is keyed by its own content as written (the pupil as given, when, categories, text), not by the
 * student it resolved to: imported while Kai was not on the roll, then again after the students import put
 * him on it, it names the concern already raised; CPOMS adding to the Actions column is the same incident.
 * Before, the second import keyed the row with Kai's student id and raised a second concern.
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

async function importOk(h: ConsoleHub, kind: string, file: string): Promise<string> {
  const r = await h.session.cli('import', kind, file);
  expect(r.code, r.err).toBe(0);
  return r.out;
}

const concernOf = (out: string, line: number): string =>
  new RegExp(`line ${line}: [^\\n]*-> concern (C-[A-Z0-9]{6})`).exec(out)?.[1] ?? `none in:\n${out}`;

describe.each(providers)('a CPOMS row with no Incident ID, one concern (%s)', (provider) => {
  let hub: ConsoleHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it('imported before and after the pupil joined the roll: the second import names the concern raised', async () => {
    hub = await startConsoleHub(provider);
    const h = hub;
    const when = ukDateTime(new Date(), 1, 10);
    const row = (actions: string) =>
      `,Kai Newkid,${KAI_UPN},5,${when},Safeguarding > Neglect,"arrived hungry",${actions},e.marsh@elmfield.example,Active\n`;
    const write = (name: string, body: string) => {
      const file = path.join(h.session.dir, name);
      fs.writeFileSync(file, body);
      return file;
    };
    const cpoms = write('cpoms.csv', HEADER + row('Fed him'));

    const first = await importOk(h, 'cpoms', cpoms);
    expect(first).toContain('cpoms.csv line 2, student: no student with this UPN or MIS id');
    const ref = concernOf(first, 2);
    expect(first).toContain(`-> concern ${ref} (pupil not matched on the roll: the DSL links the record)`);
    await h.waitFor(new RegExp(`Safeguarding concern ${ref} for K\\.N\\. \\(not on roll, Y5\\)`));

    // Kai joins the roll; the same file again: the row is the same incident, the concern the same one.
    const students = write(
      'students.csv',
      `Student ID,UPN,Forename,Surname,Year\nS900,${KAI_UPN},Kai,Newkid,5\n`,
    );
    expect(await importOk(h, 'arbor-students', students)).toContain('created 1');
    const again = await importOk(h, 'cpoms', cpoms);
    expect(again).toContain('rejected 0');
    expect(again).toContain(
      `cpoms.csv line 2: Safeguarding > Neglect -> concern ${ref} (already raised; now matched to K.N. (Y5))`,
    );
    // CPOMS adds to the actions: still the same incident (updated), still the same concern.
    const third = await importOk(h, 'cpoms', write('cpoms-2.csv', HEADER + row('"Fed him, called mum"')));
    expect(third).toContain('updated 1');
    expect(concernOf(third, 2)).toBe(ref);

    // The DSL's console: one alert, one concern in the digest.
    h.type(`as ${DSL}`);
    await h.waitFor(/Acting as Tom Reed\./);
    h.type('digest');
    const digest = await h.waitFor(
      /Safeguarding concerns not yet acknowledged \((\d+)\)[^\n]*\n(?:[^\n]+\n)*/,
    );
    expect(digest.match(/K\.N\./g)).toHaveLength(1);
    const alerts = h.out().match(/── to Tom Reed, DSL ─ \[r\d+\][^\n]*\n[^\n]*Safeguarding concern C-/g);
    expect(alerts).toHaveLength(1);
  }, 300_000);
});
