/**
 * Issue 13 points 2 and 3, typed at the real console of a running hub (`send-hub start` as a child
 * process, the demo school): a concern about "Kai Hospital-Patient", who is not on the roll, reaches the
 * DSL marked "not on roll" with initials only; the DSL links it to a record once the pupil is on the roll;
 * an outcome is chosen from the listed set, and `record-outcome rN` alone records nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { type ConsoleHub, startConsoleHub } from './console-hub.ts';

const DSL = 'dsl@elmfield.example';

describe.each(providers)('a concern about a pupil not on the roll, at the console, on %s', (provider) => {
  let hub: ConsoleHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it('is offered a way on, recorded as given, reaches the DSL marked "not on roll"; outcomes are typed from the list', async () => {
    hub = await startConsoleHub(provider);
    const h = hub;
    // The exchange of issue 13 point 2, as the member of staff types it.
    h.type('concern');
    await h.waitFor(/Pupil: $/m);
    h.type('Kai Hospital-Patient');
    const offer = await h.waitFor(/not on roll".*\n/);
    expect(offer).toContain("No pupil on your school's roll has that name, UPN or id.");
    expect(offer).toContain('type `yes` to send it as given');
    expect(offer).not.toContain('Form abandoned');
    h.type('yes');
    // Then the year group, so the DSL can find the child: a wrong answer is asked again at once.
    expect(await h.waitFor(/Year group, if not on our roll \(optional\): $/m)).toContain(
      'Recorded as given: K.H. (not on roll).',
    );
    h.type('the blue class');
    expect(
      await h.waitFor(/Give the year group like 5, Y5, Year 5, R or N1, or leave it empty\.\n/),
    ).toBeTruthy();
    await h.waitFor(/Year group, if not on our roll \(optional\) \{the blue class\}: $/m);
    h.type('Year 5');
    await h.waitFor(/Category \(optional\).*: $/m);
    h.type('Neglect');
    await h.waitFor(/What you saw or heard.*: $/m);
    h.type('He said nobody has visited him on the ward for a week and he has no clean clothes');
    await h.waitFor(/When .*\(optional\): $/m);
    h.type('');
    await h.waitFor(/immediate risk\? \[yes\/no\]: $/m);
    h.type('no');
    await h.waitFor(/Actions you have already taken \(optional\): $/m);
    h.type('Told the ward sister');
    const thanks = await h.waitFor(/Thank you\. Your concern is recorded as C-[A-Z0-9]{6}[^\n]*\n/);
    expect(thanks).toContain('The pupil is not on the roll: it is recorded with the name as you gave it');
    const ref = /C-[A-Z0-9]{6}/.exec(thanks)![0];

    // The DSL's console: the concern arrives like any other, initials and "not on roll" only.
    const toDsl = await h.waitFor(
      new RegExp(`── to Tom Reed, DSL ─ \\[(r\\d+)\\][^\\n]*\\n[^\\n]*${ref}[^\\n]*\\n`),
    );
    expect(toDsl).toContain(`Safeguarding concern ${ref} for K.H. (not on roll, Y5)`);
    expect(toDsl).not.toMatch(/Hospital-Patient/);
    const r = /\[(r\d+)\]/.exec(toDsl.slice(toDsl.lastIndexOf('── to Tom Reed')))![1]!;
    await h.waitFor(/Pupil: K\.H\. \(not on roll, Y5\)/);

    h.type(`as ${DSL}`);
    await h.waitFor(/Acting as Tom Reed\./);
    h.type(`open-record ${r}`);
    const record = await h.waitFor(/Chronology:[\s\S]*?concern\.raised[^\n]*\n/);
    expect(record).toContain('Kai Hospital-Patient (not on roll, Y5: `concern link');
    expect(record).toContain('He said nobody has visited him on the ward');

    // Point 3: the outcome hint lists the real outcomes; `record-outcome rN` alone records nothing.
    h.type(`acknowledge ${r}`);
    const prompt = await h.waitFor(/Reply: record-outcome (r\d+) advice-given[^\n]*\n/);
    const p = /Reply: record-outcome (r\d+)/.exec(prompt)![1]!;
    expect(prompt).toContain(`record-outcome ${p} referral-csc`);
    expect(prompt).toContain(`record-outcome ${p} no-further-action`);
    expect(prompt).not.toContain(`record-outcome ${p} | record-outcome ${p} |`);
    h.type(`record-outcome ${p}`);
    const which = await h.waitFor(/say which: [^\n]*\n/);
    expect(which).toContain(`record-outcome ${p} early-help`);
    h.type(`record-outcome ${p} sorted`);
    const bad = await h.waitFor(/nothing was recorded[^\n]*\n/);
    expect(bad).toContain(
      "Choose one of: advice-given, early-help, referral-csc (to children's social care), police, no-further-action.",
    );
    // The error names each outcome by the word the prompt offers (one word each, not two spellings).
    for (const word of /Choose one of: ([^\n]*)\./
      .exec(bad)![1]!
      .split(', ')
      .map((w) => w.split(' ')[0]))
      expect(prompt).toContain(`record-outcome ${p} ${word}`);
    h.type(`record-outcome ${p} early-help`);
    expect(await h.waitFor(/Outcome recorded for concern [^\n]*\n/)).toContain(`${ref}: Early help.`);

    // Linking needs a record on the roll: a UPN nobody has is refused plainly, and nothing changes.
    h.type(`concern link ${ref} A999999999999`);
    expect(await h.waitFor(/No pupil on the roll has that UPN, id or name\.\n/)).not.toContain('linked to');
  }, 300_000);
});
