/**
 * A safeguarding incident about a child not matched on the roll, from the seats of the people involved:
 * the hub runs (`send-hub start`, a child process, the demo school); the SENDCo imports a CPOMS export
 * (`send-hub import cpoms`, its own process) whose neglect incident names a pupil no student record has,
 * and another whose pupil is named without a year group. Neither incident can be stored (no student), but
 * both reach the DSL at once as concerns about a pupil not on the roll: initials and "not on roll" in chat,
 * no text; the record holds the name and identifiers as given; the DSL links it to a record on the roll.
 * The report says so for each line, and the same file imported again raises nothing new.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { type ConsoleHub, startConsoleHub } from './console-hub.ts';
import { ukDateTime } from './scenario-support.ts';

const DSL = 'dsl@elmfield.example';
/** The demo school's Amelia Brook (Y7): the record the DSL links the concern to. */
const ON_ROLL_UPN = 'A123456789012';

describe.each(providers)('an imported incident about a pupil not on the roll (%s)', (provider) => {
  let hub: ConsoleHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it('reaches the DSL as a not-on-roll concern, is reported per line, and the DSL links the record', async () => {
    hub = await startConsoleHub(provider);
    const h = hub;
    const file = path.join(h.session.dir, 'cpoms.csv');
    const when = ukDateTime(new Date(), 1, 10);
    fs.writeFileSync(
      file,
      'Incident ID,Student,UPN,Year Group,Date,Categories,Incident,Actions,Reported By,Status\n' +
        `INC-9,Kai Newkid,Z999999999999,5,${when},Safeguarding > Neglect,"arrived hungry",Fed him,e.marsh@elmfield.example,Active\n` +
        `INC-10,Oscar Kendrick,,,${when},Neglect,"x",,e.marsh@elmfield.example,Active\n`,
    );
    const r = await h.session.cli('import', 'cpoms', file);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('rejected 2');
    expect(r.out).toContain('cpoms.csv line 2, student: no student with this UPN or MIS id');
    // Audit finding 10: a name without a year group is named as the missing field.
    expect(r.out).toContain(
      'cpoms.csv line 3, yearGroup: missing: a name is matched only with a year group (or give the UPN)',
    );
    expect(r.out).not.toContain('no concern raised');
    const m2 =
      /line 2: Safeguarding > Neglect -> concern (C-[A-Z0-9]{6}) \(pupil not matched on the roll: the DSL links the record\)/.exec(
        r.out,
      );
    const m3 =
      /line 3: Neglect -> concern (C-[A-Z0-9]{6}) \(pupil not matched on the roll: the DSL links the record\)/.exec(
        r.out,
      );
    expect(m2, r.out).toBeTruthy();
    expect(m3, r.out).toBeTruthy();
    const ref = m2![1]!;
    expect(m3![1]).not.toBe(ref);

    // The DSL's console: at once, initials and "not on roll" only, no name, no text.
    const toDsl = await h.waitFor(
      new RegExp(`── to Tom Reed, DSL ─ \\[(r\\d+)\\][^\\n]*\\n[^\\n]*${ref}[\\s\\S]*?\\n\\n`),
    );
    const alert = toDsl.slice(toDsl.lastIndexOf('── to Tom Reed'));
    // The year group as the export gave it, as a pupil on the roll reads "A.B. (Y7)".
    expect(alert).toContain(`Safeguarding concern ${ref} for K.N. (not on roll, Y5)`);
    expect(alert).not.toMatch(/Newkid|hungry|Z999999999999/);
    const rn = /\[(r\d+)\]/.exec(alert)![1]!;

    h.type(`as ${DSL}`);
    await h.waitFor(/Acting as Tom Reed\./);
    h.type(`open-record ${rn}`);
    const record = await h.waitFor(/Chronology:[\s\S]*?concern\.raised[^\n]*\n/);
    expect(record).toContain('Kai Newkid (not on roll');
    expect(record).toContain('INC-9');
    expect(record).toContain('UPN Z999999999999');

    h.type(`concern link ${ref} ${ON_ROLL_UPN}`);
    expect(await h.waitFor(/is now linked to [^\n]*\n/)).toContain(
      `Concern ${ref} (K.N. (not on roll, Y5)) is now linked to A.B. (Y7)`,
    );

    // The same file again: the same concerns, nothing new raised.
    const again = await h.session.cli('import', 'cpoms', file);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain(`line 2: Safeguarding > Neglect -> concern ${ref}`);
    expect(again.out).toContain(`line 3: Neglect -> concern ${m3![1]}`);
  }, 300_000);
});
