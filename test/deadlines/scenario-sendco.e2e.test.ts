/**
 * The primary SENDCo's seat (issue 14): Priya Shah at the demo school (Elmfield Primary) reviews EHCPs
 * with parents, is the designated teacher's partner for children in care, and leads the Year 6 transfer.
 * From the CLI (another process) and the chat console she:
 * - opens Amelia's annual review (plan issued 1 Feb 2026): the meeting is due within 12 months, Sun
 *   31 Jan 2027, flagged as a Sunday with the last school day before it (Fri 29 Jan 2027); she schedules
 *   it for Thu 28 Jan 2027 and reads the invitations and advice due Thu 14 Jan 2027 (reg 20(3)-(4));
 * - reads Jayden's PEP (in care): the termly review is computed from the school's term dates; a misspelt
 *   `pep_review` is refused naming `pep_reviewed` (the old demo stored exactly that), and a review in the
 *   future is refused;
 * - opens Oscar's phase transfer (Year 6 to secondary, 1 Sep 2027, a date set in advance): the plan must
 *   be amended by 15 Feb 2027 (reg 18(1)(b));
 * - types `due` in chat and reads each child by initials and year group, each deadline by name and date,
 *   the Sunday flagged.
 * The CLI runs on the system clock, so the hub's clock is set to now and the key dates are in the past.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import { loadDemoSchool } from '../../app/demo/demo-school.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const run = promisify(execFile);
const TEST_KEY = 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

describe.each(providers)('the SENDCo: annual reviews, a PEP, a phase transfer (%s)', (provider) => {
  let t: TestHub | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads what is due, names included, from the CLI and the console', async () => {
    t = await startTestHub(provider, { now: new Date().toISOString(), modules: [deadlinesModule()] });
    await loadDemoSchool(t.hub.dbh.db, t.clock.now());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-sendco-'));
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dir,
      DATABASE_URL: t.hub.config.databaseUrl,
      SEND_HUB_ENCRYPTION_KEY: TEST_KEY,
      LOG_LEVEL: 'silent',
      SEND_HUB_ENV: 'test',
    };
    const cli = async (...args: string[]) => {
      try {
        const r = await run(process.execPath, ['bin/send-hub.mjs', ...args], { env, timeout: 90_000 });
        return { code: 0, out: r.stdout, err: r.stderr };
      } catch (e) {
        const x = e as { code: number; stdout: string; stderr: string };
        return { code: x.code, out: x.stdout, err: x.stderr };
      }
    };

    // Annual review.
    const ar = await cli(
      'case',
      'open',
      '--student',
      'A123456789012',
      '--kind',
      'ANNUAL_REVIEW',
      '--start',
      '2026-02-01',
      '--owner',
      'sendco@elmfield.example',
      '--reference',
      'AR-AB-2',
    );
    expect(ar.code).toBe(0);
    expect(ar.out).toMatch(/Case AR-AB-2 · ANNUAL_REVIEW · A\.B\. \(Y7\) · pack england-send-2014@cop-2015/);
    expect(ar.out).toMatch(
      /Sun 31 Jan 2027 {2}Annual review meeting \(within 12 months\): open ⚠ Sun 31 Jan 2027 is a Sunday: hold it by Fri 29 Jan 2027/,
    );
    const scheduled = await cli('case', 'event', 'AR-AB-2', 'review_meeting_scheduled', '2027-01-28');
    expect(scheduled.code).toBe(0);
    expect(scheduled.out).toMatch(
      /Thu 14 Jan 2027 {2}Review invitations sent \(2 weeks before the meeting\)/,
    );
    expect(scheduled.out).toMatch(
      /Thu 14 Jan 2027 {2}Review advice circulated \(2 weeks before the meeting\)/,
    );

    // PEP for a child in care (the demo's case, under the children-in-care pack, with term dates).
    const pep = await cli('case', 'timeline', 'DEMO-PEP-1');
    expect(pep.out).toMatch(/Case DEMO-PEP-1 · PEP · J\.T\. \(Y5\) · pack england-children-in-care@2018/);
    expect(pep.out).toMatch(/PEP review this term: open/);
    expect(pep.out).not.toMatch(/Attention/);
    const typo = await cli('case', 'event', 'DEMO-PEP-1', 'pep_review', '2026-11-20');
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/"pep_review" is not a key event of PEP cases; expected one of: .*pep_reviewed/);
    const ahead = await cli('case', 'event', 'DEMO-PEP-1', 'pep_reviewed', '2099-03-01');
    expect(ahead.code).toBe(2);
    expect(ahead.err).toMatch(/pep_reviewed on 2099-03-01: that date is in the future/);

    // Phase transfer: Year 6 to secondary in September 2027.
    const pt = await cli(
      'case',
      'open',
      '--student',
      'D123456789012',
      '--kind',
      'PHASE_TRANSFER',
      '--start',
      '2027-09-01',
      '--owner',
      'sendco@elmfield.example',
      '--reference',
      'PT-OK',
    );
    expect(pt.code).toBe(0);
    expect(pt.out).toMatch(/Case PT-OK · PHASE_TRANSFER · O\.K\. \(Y6\)/);
    expect(pt.out).toMatch(/Mon 15 Feb 2027 {2}Plan reviewed and amended for phase transfer \(15 February\)/);
    expect(pt.out).toMatch(/source: SEND Regulations 2014 \(SI 2014\/1530\) reg 18\(1\)\(b\)/);

    // In chat: what is due for her.
    const say = (line: string) => t!.say(line);
    await say('as sendco@elmfield.example');
    const due = await say('due 90');
    expect(due).toMatch(
      /A\.B\. \(Y7\) · Annual review meeting \(within 12 months\) · case AR-AB-2.* ⚠ Sun 31 Jan 2027 is a Sunday: hold it by Fri 29 Jan 2027/,
    );
    expect(due).toMatch(
      /Thu 14 Jan 2027 · A\.B\. \(Y7\) · Review advice circulated \(2 weeks before the meeting\) · case AR-AB-2/,
    );
    expect(due).toMatch(
      /Mon 15 Feb 2027 · O\.K\. \(Y6\) · Plan reviewed and amended for phase transfer \(15 February\) \(the LA's\) · case PT-OK/,
    );
    const text = `${ar.out}${scheduled.out}${pep.out}${pt.out}${t.consoleOut.text()}`;
    expect(text).not.toMatch(/Amelia|Brook|Jayden|Thorne|Oscar|Kendrick/);
  }, 400_000);
});
