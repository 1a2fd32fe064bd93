/**
 * A new school's published calendar is often only its holidays and INSET days (no "Autumn term" event).
 * From the administrator's seat (the real CLI, each database): the import says what it understood (no term,
 * the holidays, the INSET day, the rule, what is missing), rejects an event whose DTEND is before its DTSTART
 * by file, line, UID and field while keeping the others, and a case's school days skip the holiday.
 *
 * Worked by hand: notice of a permanent exclusion Wed 2 Dec 2026; the governing board must consider it within
 * 15 school days (School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012 reg 6). School
 * days: Thu 3, Fri 4 (2), 7-11 Dec (7), 14-18 Dec (12); Christmas holidays Mon 21 Dec - Mon 4 Jan; INSET
 * Tue 5 Jan; Wed 6 (13), Thu 7 (14), Fri 8 Jan 2027 (15). Counted as working days it was Wed 23 Dec.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { impliedSchoolYears, withImpliedTerms } from '../../core/calendar/implied-terms.ts';
import { readIcsFeed } from '../../integrations/ics/read-ics-feed.ts';
import { type CliSession, cliSession, okCli } from '../support/cli.ts';
import { providers } from '../support/db.ts';

const ics = (...events: string[][]) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Elm Park Primary//School calendar//EN',
    ...events.flatMap((e) => ['BEGIN:VEVENT', ...e, 'END:VEVENT']),
    'END:VCALENDAR',
    '',
  ].join('\r\n');

const HOLIDAYS_ONLY = ics(
  [
    'UID:xmas-2026@elmpark.example',
    'SUMMARY:Christmas Holidays',
    'DTSTART;VALUE=DATE:20261221',
    'DTEND;VALUE=DATE:20270105',
  ],
  ['UID:inset-2027-01@elmpark.example', 'SUMMARY:INSET Day', 'DTSTART;VALUE=DATE:20270105'],
  [
    'UID:half-term-typo@elmpark.example',
    'SUMMARY:Half term',
    'DTSTART;VALUE=DATE:20261209',
    'DTEND;VALUE=DATE:20261202',
  ],
);

const STAFF = [
  'Staff ID,First Name,Last Name,Work Email,Job Title,Line Manager',
  'T1,Helen,Ashworth,h.ashworth@elmpark.example,Headteacher,',
  'T2,Dan,Reeve,d.reeve@elmpark.example,Behaviour Lead,h.ashworth@elmpark.example',
].join('\n');
const STUDENTS = ['Student ID,UPN,Forename,Surname,Year', 'S1,A123456789012,Marisol,Ashcombe,4'].join('\n');

describe('the ICS reader on the shapes school calendars come in', () => {
  const window = { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2027-09-01T00:00:00Z') };
  it('reads all-day events with an exclusive DTEND, no DTEND, a DURATION; rejects an end before the start', () => {
    const rejected: { file: string; line: number; event: string; field: string; reason: string }[] = [];
    const occ = readIcsFeed(
      ics(
        ['UID:a', 'SUMMARY:October half term', 'DTSTART;VALUE=DATE:20261026', 'DTEND;VALUE=DATE:20261031'],
        ['UID:b', 'SUMMARY:INSET day', 'DTSTART;VALUE=DATE:20261102'],
        ['UID:c', 'SUMMARY:February half term', 'DTSTART;VALUE=DATE:20270215', 'DURATION:P5D'],
        ['UID:d', 'SUMMARY:Bank holiday', 'DTSTART;VALUE=DATE:20270503', 'DTEND;VALUE=DATE:20270503'],
        ['UID:e', 'SUMMARY:Half term', 'DTSTART;VALUE=DATE:20261209', 'DTEND;VALUE=DATE:20261202'],
        ['UID:f', 'SUMMARY:TAC', 'DTSTART:20261110T100000Z', 'DTEND:20261110T090000Z'],
        ['UID:g', 'SUMMARY:Easter', 'DTSTART;VALUE=DATE:20270329', 'DURATION:-P5D'],
      ),
      'calendar.ics',
      window,
      rejected,
    );
    expect(occ.map((o) => [o.uid, o.startDate, o.lastDate])).toEqual([
      ['a', '2026-10-26', '2026-10-30'],
      ['b', '2026-11-02', '2026-11-02'],
      ['c', '2027-02-15', '2027-02-19'],
      ['d', '2027-05-03', '2027-05-03'],
    ]);
    expect(rejected.map((r) => [r.file, r.event, r.field, r.reason.split(':')[0]])).toEqual([
      ['calendar.ics', expect.stringContaining('UID e'), 'DTEND', 'before DTSTART'],
      ['calendar.ics', expect.stringContaining('UID f'), 'DTEND', 'before DTSTART'],
      ['calendar.ics', expect.stringContaining('UID g'), 'DURATION', 'negative'],
    ]);
  });

  it('implies a school year from its holidays, not from a summer break, never beside a listed term', () => {
    const xmas = { orgId: 'o', kind: 'CLOSURE', startDate: '2026-12-21', endDate: '2027-01-04' };
    const summer = { orgId: 'o', kind: 'CLOSURE', startDate: '2027-07-22', endDate: '2027-09-02' };
    const bankHoliday = { orgId: 'o', kind: 'CLOSURE', startDate: '2026-12-28', endDate: '2026-12-28' };
    expect(impliedSchoolYears([summer])).toEqual([]);
    expect(impliedSchoolYears([bankHoliday])).toEqual([]);
    expect(impliedSchoolYears([{ ...bankHoliday, kind: 'INSET' }])).toEqual([2026]);
    expect(impliedSchoolYears([xmas, summer])).toEqual([2026]);
    expect(withImpliedTerms([xmas]).filter((r) => r.kind === 'TERM')).toEqual([
      { orgId: 'o', kind: 'TERM', startDate: '2026-09-01', endDate: '2027-07-31' },
    ]);
    const term = { orgId: 'o', kind: 'TERM', startDate: '2027-01-05', endDate: '2027-03-26' };
    expect(withImpliedTerms([xmas, term])).toEqual([xmas, term]);
  });
});

describe.each(providers)('a holidays-only school calendar from the admin seat (%s)', (provider) => {
  let s: CliSession | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('says what it understood, rejects the end-before-start event, and counts school days past the holiday', async () => {
    // The calendar's dates (school year 2026/27) read as on Mon 7 Dec 2026.
    s = await cliSession(provider, { SEND_HUB_TEST_NOW: '2026-12-07T12:00:00Z' });
    const cli = okCli(() => s!);
    await cli('init');
    await cli(
      ...['org', 'create', '--kind', 'school', '--name', 'Elm Park Primary', '--urn', '123456'],
      ...['--admin', 'h.ashworth@elmpark.example'],
    );
    for (const [name, text] of [
      ['staff.csv', STAFF],
      ['students.csv', STUDENTS],
      ['calendar.ics', HOLIDAYS_ONLY],
    ] as const)
      fs.writeFileSync(path.join(s.dir, name), text);
    await cli('import', 'arbor-staff', path.join(s.dir, 'staff.csv'));
    await cli('import', 'students', path.join(s.dir, 'students.csv'));

    const imported = await cli('import', 'ics', path.join(s.dir, 'calendar.ics'));
    expect(imported).toMatch(/term dates created 2, .*; 1 event\(s\) rejected/);
    expect(imported).toContain(
      'ics:calendar line 19 (event UID half-term-typo@elmpark.example), DTEND: before DTSTART',
    );
    expect(imported).toContain('terms: none');
    expect(imported).toContain(
      'holidays and closures: 1: Christmas Holidays: Mon 21 Dec 2026 – Mon 4 Jan 2027',
    );
    expect(imported).toContain('INSET days: 1: Tue 5 Jan 2027');
    expect(imported).toMatch(
      /school days 2026\/27: no term in the calendar, so term time is read as the school year/,
    );
    expect(imported).toMatch(/missing for 2026\/27: the summer holidays before it/);
    // The import report keeps the same account.
    const runId = /send-hub import report (\S+)/.exec(imported)![1]!;
    expect(await cli('import', 'report', runId)).toContain('INSET days: 1: Tue 5 Jan 2027');

    const opened = await cli(
      ...['case', 'open', '--student', 'A123456789012', '--kind', 'PERMANENT_EXCLUSION'],
      ...['--start', '2026-12-02', '--event', 'exclusion_notified=2026-12-02'],
      ...['--owner', 'd.reeve@elmpark.example', '--reference', 'PX-9'],
    );
    expect(opened).not.toContain("needs the school's term dates");
    const timeline = await cli('case', 'timeline', 'PX-9');
    expect(timeline).not.toContain("needs the school's term dates");
    expect(timeline).toMatch(/Fri 8 Jan 2027 {2}Governing board considers reinstatement \(15 school days\)/);
    expect(timeline).not.toContain('Wed 23 Dec 2026');
  }, 240_000);
});
