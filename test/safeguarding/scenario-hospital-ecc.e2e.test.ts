/**
 * A day of the Educational Care Coordinator of a Hospital and Home Tuition Service (the role: "reporting
 * all concerns to an appropriate person", following KCSIE; pupils often not on the service's roll), at the
 * hub's console, with the DSL at theirs. Issue 13 point 2, from her seat:
 * - 09:10, on the ward round: a concern about Kai, admitted last night and not on the roll. Offered the way
 *   on, she confirms; the DSL reads "K.H. (not on roll)" at once, never the name.
 * - 11:00: a second concern, started and cut short when she is called to the ward (`cancel`): nothing sent,
 *   her answers kept as a draft she is told how to find; 14:00 she resumes it and sends it.
 * - The DSL acknowledges (she is told), records an outcome chosen from the list, and, once the home school's
 *   record arrives (the pupil joins the roll), links the concern to it with `send-hub concern link`.
 */
import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const run = promisify(execFile);

describe.each(
  providers,
)('the hospital ECC raises concerns about pupils not on the roll, on %s', (provider) => {
  let t: TestHub;
  let input: PassThrough;
  let cursor = 0;
  const ids = { ecc: '', dsl: '' };

  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-11-24T09:10:00Z', modules: [safeguardingModule()] });
    const db = t.hub.dbh.db;
    const org = await db.organisation.create({
      data: { name: 'Riverside Hospital and Home Tuition Service' },
    });
    const mk = async (email: string, displayName: string, role: 'STAFF' | 'DSL' | 'ADMIN') =>
      (
        await db.staff.create({
          data: { orgId: org.id, email, displayName, roles: { create: [{ role }] } },
        })
      ).id;
    ids.ecc = await mk('ecc@riverside.example', 'Erin Cole', 'STAFF');
    ids.dsl = await mk('dsl@riverside.example', 'Dana Lead', 'DSL');
    await mk('admin@riverside.example', 'Ada Admin', 'ADMIN');
    // One pupil on the roll: a day pupil of the tuition centre.
    await db.student.create({
      data: {
        orgId: org.id,
        givenName: 'Zephyrine',
        familyName: 'Quillborough',
        yearGroup: '8',
        upn: 'A123456789012',
      },
    });
    input = new PassThrough();
    t.console.listen(input);
    cursor = 0;
  });
  afterEach(async () => {
    await t.close();
  });

  const type = (line: string) => input.write(`${line}\n`);
  /** What the console printed after the cursor, once `re` appears (a condition, not a sleep). */
  async function read(re: RegExp): Promise<string> {
    // Polls the console's output (the form waits on her answer, so the console is never idle meanwhile).
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const rest = t.consoleOut.text().slice(cursor);
      const m = re.exec(rest);
      if (m) {
        cursor += m.index + m[0].length;
        return rest.slice(0, m.index + m[0].length);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(
      `the console never printed ${re}; after the cursor:\n${t.consoleOut.text().slice(cursor)}`,
    );
  }
  async function answer(lines: [RegExp, string][]): Promise<void> {
    for (const [prompt, line] of lines) {
      await read(prompt);
      type(line);
    }
  }

  it('a day on the ward: two concerns about pupils not on the roll reach the DSL; none is lost', async () => {
    // 09:10, the ward round.
    type('as ecc@riverside.example');
    await read(/Acting as Erin Cole\.\n/);
    type('concern');
    await answer([[/Pupil: $/m, 'Kai Hospital-Patient']]);
    const offer = await read(/\(or `cancel`\)\.\n/);
    expect(offer).toContain(
      'If the pupil is not on the roll (a hospital or home-tuition pupil, a new arrival, a sibling)',
    );
    type('yes');
    // Asked the year group now that the pupil goes as given; she does not know it (Enter skips).
    expect(await read(/Year group, if not on our roll \(optional\): $/m)).toContain(
      'Recorded as given: K.H. (not on roll).',
    );
    type('');
    await read(/Category \(optional\)[^\n]*: $/m);
    type('Self-harm or mental health');
    await answer([
      [
        /What you saw or heard[^\n]*: $/m,
        'He told me he had been cutting his arms again and nobody at home knows',
      ],
      [/When [^\n]*: $/m, '09:05'],
      [/immediate risk\? \[yes\/no\]: $/m, 'no'],
      [/Actions you have already taken \(optional\): $/m, 'Told the ward nurse in charge'],
    ]);
    const thanks = await read(/Thank you\.[^\n]*\n/);
    expect(thanks).toContain('has gone to Dana Lead (DSL).');
    expect(thanks).toContain('The pupil is not on the roll');
    const ref = /C-[A-Z0-9]{6}/.exec(thanks)![0];

    // The DSL reads it at once: initials and "not on roll", never the name.
    await t.tickAndDeliver();
    const toDsl = await read(
      new RegExp(
        `── to Dana Lead, DSL ─ \\[(r\\d+)\\][^\\n]*\\n!! URGENT: Safeguarding concern ${ref} for K\\.H\\. \\(not on roll\\)\\n`,
      ),
    );
    const r = /\[(r\d+)\]/.exec(toDsl.slice(toDsl.lastIndexOf('── to Dana Lead')))![1]!;
    const dslMessages = t.console.transcript().filter((m) => m.staffId === ids.dsl);
    expect(JSON.stringify(dslMessages)).not.toContain('Hospital-Patient');

    // 11:00: a second pupil, a new arrival; she is called away half way through.
    t.clock.set('2026-11-24T11:00:00Z');
    type('concern');
    await answer([[/Pupil: $/m, 'Zephyrine Quilborough']]);
    // A slip of the keyboard for a pupil who is on the roll: the closest name is offered.
    expect(await read(/\(or `cancel`\)\.\n/)).toContain(
      'Closest on the roll: Zephyrine Quillborough (Year 8), UPN A123456789012',
    );
    type('A123456789012');
    await answer([
      [/Category \(optional\)[^\n]*: $/m, 'Neglect'],
      [
        /What you saw or heard[^\n]*: $/m,
        'She arrived without her medication again and said there is no food at home',
      ],
      [/When [^\n]*: $/m, 'cancel'],
    ]);
    const cancelled = await read(/`concern drafts` to list your drafts\.\n/);
    expect(cancelled).toContain('Cancelled: nothing was sent to anyone.');
    expect(cancelled).toContain(
      'Your answers are kept as draft 1 (encrypted; only you can see it; nothing was sent).',
    );
    expect(await t.hub.dbh.db.concern.count()).toBe(1);
    const draft = (await t.hub.dbh.db.concernDraft.findFirst())!;
    expect(draft.valuesEnc).not.toContain('medication');

    // 14:00: back from the ward, she finds the draft and sends it.
    t.clock.set('2026-11-24T14:00:00Z');
    type('concern drafts');
    expect(await read(/concern discard <n>` to delete one\.\n/)).toContain(
      '1. started 24 Nov 2026, 11:00, cancelled',
    );
    type('concern resume 1');
    await answer([
      [/Pupil \{A123456789012\}: $/m, ''],
      [/Category \(optional\)[^\n]*\{Neglect\}: $/m, ''],
      [/What you saw or heard[^\n]*\{She arrived[^\n]*: $/m, ''],
      [/When [^\n]*: $/m, '10:50'],
      [/immediate risk\? \[yes\/no\]: $/m, 'no'],
      [/Actions you have already taken \(optional\): $/m, ''],
    ]);
    expect(await read(/Thank you\.[^\n]*\n/)).toContain('has gone to Dana Lead (DSL).');
    expect(await t.hub.dbh.db.concern.count()).toBe(2);
    expect(await t.hub.dbh.db.concernDraft.count()).toBe(0);

    // The DSL acknowledges the first; the ECC is told; the outcome is chosen from the listed set.
    type('as dsl@riverside.example');
    await read(/Acting as Dana Lead\.\n/);
    type(`acknowledge ${r}`);
    await read(/Acknowledged: concern [^\n]*\n/);
    await t.tickAndDeliver();
    // Delivered in one pass, in either order: her receipt, and the DSL's outcome prompt.
    const delivered = t.consoleOut.text().slice(cursor);
    expect(delivered).toMatch(
      new RegExp(
        `── to Erin Cole, staff ─ \\[r\\d+\\][^\\n]*\\nYour concern ${ref} was acknowledged by Dana Lead`,
      ),
    );
    const p = /Reply: record-outcome (r\d+) advice-given/.exec(delivered)![1]!;
    expect(delivered).toContain(`record-outcome ${p} referral-csc`);
    cursor = t.consoleOut.text().length;
    type(`record-outcome ${p}`);
    expect(await read(/say which: [^\n]*\n/)).toContain(`record-outcome ${p} early-help`);
    expect((await t.hub.dbh.db.concern.findFirst({ where: { studentId: null } }))!.outcome).toBeNull();
    type(`record-outcome ${p} early-help`);
    expect(await read(/Outcome recorded[^\n]*\n/)).toContain(
      `Outcome recorded for concern ${ref}: Early help.`,
    );

    // 15:30: the home school's record arrives (the MIS sync adds Kai to the roll); the DSL links the concern.
    await t.hub.dbh.db.student.create({
      data: {
        orgId: (await t.hub.dbh.db.organisation.findFirst())!.id,
        givenName: 'Kai',
        familyName: 'Hospital-Patient',
        yearGroup: '9',
        upn: 'K123456789012',
      },
    });
    const linked = await run(
      process.execPath,
      ['bin/send-hub.mjs', 'concern', 'link', ref, 'K123456789012'],
      {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: t.url,
          DATA_DIR: t.hub.config.dataDir,
          SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
          SEND_HUB_ENV: 'test',
          LOG_LEVEL: 'silent',
        },
        timeout: 120_000,
      },
    );
    expect(linked.stdout).toBe(`Concern ${ref} (K.H. (not on roll)) is now linked to K.H. (Y9).\n`);
    const c = (await t.hub.dbh.db.concern.findMany({ orderBy: { raisedAt: 'asc' } }))[0]!;
    expect(c.studentId).not.toBeNull();
    const audit = (await t.hub.audit.forSubject('concern', c.id)).map((e) => [e.action, e.channel]);
    expect(audit).toContainEqual(['concern.student_linked', 'CLI']);
    // Linked twice: refused plainly.
    type(`concern link ${ref} K123456789012`);
    expect(await read(/already linked to a pupil\.\n/)).toContain(
      `Concern ${ref} is already linked to a pupil.`,
    );
  }, 300_000);
});
