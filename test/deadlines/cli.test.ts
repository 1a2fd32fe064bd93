/**
 * The CLI an administrator uses (real process, real database): load the demo school, refresh bank
 * holidays from a gov.uk-format file, open an EHCNA case, record a key date, read the timeline, list
 * what is due. Bad input names the file, row and field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliSession, cliSession } from '../support/cli.ts';

describe('send-hub case / holidays / due (sqlite)', () => {
  let session: CliSession;
  let dir: string;
  const cli = (...args: string[]) => session.cli(...args);

  beforeAll(async () => {
    session = await cliSession('sqlite');
    dir = session.dir;
  });
  afterAll(async () => {
    await session.close();
  });

  it('refreshes bank holidays, keeping good rows and naming bad ones', async () => {
    const file = path.join(dir, 'bank-holidays.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        'england-and-wales': {
          division: 'england-and-wales',
          events: [
            { title: 'New Year’s Day', date: '2029-01-01', notes: '', bunting: true },
            { title: 'Broken', date: '2029-02-30', notes: '', bunting: true },
          ],
        },
      }),
    );
    const r = await cli('holidays', 'refresh', '--file', file);
    expect(r.out).toMatch(/Loaded 1 bank holidays/);
    expect(r.err).toMatch(/bank-holidays\.json: england-and-wales event 2: field "date"/);
  }, 60_000);

  it('opens a case, records a key date, shows the timeline and what is due', async () => {
    expect((await cli('demo')).out).toMatch(/Demo school loaded/);
    const opened = await cli(
      'case',
      'open',
      '--student',
      'A123456789012',
      '--kind',
      'EHC_NEEDS_ASSESSMENT',
      '--start',
      '2026-11-23',
      '--owner',
      'head@elmfield.example',
      '--reference',
      'EHC-42',
    );
    expect(opened.code).toBe(0);
    expect(opened.out).toMatch(/Case EHC-42 opened/);
    expect(opened.out).toMatch(/Mon 12 Apr 2027 {2}Final EHC plan issued \(20 weeks\)/);
    expect(opened.out).toMatch(/A\.B\. \(Y7\)/);
    expect(opened.out).not.toMatch(/Amelia|Brook/);
    expect((await cli('case', 'event', 'EHC-42', 'assessment_decision', '2026-12-04')).code).toBe(0);
    const tl = await cli('case', 'timeline', 'EHC-42');
    expect(tl.out).toMatch(/Decision whether to assess \(the LA's\): met on Fri 4 Dec 2026/);
    expect(tl.out).toMatch(/source: SEND Regulations 2014 \(SI 2014\/1530\) reg 13\(2\)/);
    const due = await cli('due', '--within', '3650d', '--owner', 'head@elmfield.example');
    expect(due.out).toMatch(
      /2027-04-12 {2}(OPEN|OVERDUE) +Final EHC plan issued \(20 weeks\) \(the LA's\) {2}A\.B\. \(Y7\) {2}case EHC-42/,
    );
    const wrong = await cli('case', 'open', '--student', 'nobody', '--kind', 'PEP', '--start', '2026-11-23');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/--student: no student "nobody"/);
  }, 120_000);
  it('opens a KCSIE CP file transfer (K5); refuses a staff allegation until its nudges name nobody', async () => {
    // 'demo' ran in the test above (same database).
    const k5 = await cli(
      'case',
      'open',
      '--student',
      'A123456789012',
      '--kind',
      'cp_file_transfer',
      '--start',
      '2026-04-30',
      '--reference',
      'CPT-7',
    );
    expect(k5.code).toBe(0);
    expect(k5.out).toMatch(/Case CPT-7 opened/);
    expect(k5.out).toMatch(/Child protection file sent to the new school \(5 school days\)/);
    const k7 = await cli(
      'case',
      'open',
      '--student',
      'A123456789012',
      '--kind',
      'STAFF_ALLEGATION',
      '--start',
      '2026-05-22',
    );
    expect(k7.code).toBe(0);
    expect(k7.out).toMatch(/Referral to the LADO|LADO/);
    expect(k7.out).not.toMatch(/\(Y\d+\)/);
  }, 120_000);
});
