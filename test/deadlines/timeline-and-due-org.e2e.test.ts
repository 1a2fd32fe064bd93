/**
 * Audit finding 10, from the behaviour lead's and the administrator's seat (the real `send-hub`, each
 * command its own process, no tick run):
 * - `case timeline` shows the date `case list` shows once the inputs changed: a permanent exclusion opened
 *   before the school's term dates (board date counted over weekdays: Wed 23 Dec 2026), then the term dates
 *   imported (Autumn term to Fri 18 Dec, Spring term from Tue 5 Jan): both read Thu 7 Jan 2027. Before, the
 *   timeline showed the stored Wed 23 Dec until the next tick.
 * - `due --org <id>` is taken, as `case list --org` (which insists on it once there are two organisations),
 *   and lists only that organisation's deadlines; an unknown id is refused naming `send-hub org list`.
 *   Before: "error: unknown option '--org'".
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliSession, cliSession, okCli } from '../support/cli.ts';
import { providers } from '../support/db.ts';

const STAFF = [
  'Staff ID,First Name,Last Name,Work Email,Job Title,Line Manager',
  'T1,Helen,Ashworth,h.ashworth@elmpark.example,Headteacher,',
  'T2,Dan,Reeve,d.reeve@elmpark.example,Behaviour Lead,h.ashworth@elmpark.example',
].join('\n');
const STUDENTS = ['Student ID,UPN,Forename,Surname,Year', 'S1,A123456789012,Mari,Ashby,4'].join('\n');
const term = (uid: string, from: string, to: string, title: string) =>
  `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20260801T000000Z\r\nDTSTART;VALUE=DATE:${from}\r\nDTEND;VALUE=DATE:${to}\r\nSUMMARY:${title}\r\nEND:VEVENT\r\n`;
const TERMS = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Elm Park//Terms//EN\r\n${term('aut@elmpark.example', '20260901', '20261219', 'Autumn term')}${term('spr@elmpark.example', '20270105', '20270327', 'Spring term')}END:VCALENDAR\r\n`;
const BOARD = 'Governing board considers reinstatement (15 school days)';

describe.each(providers)('case timeline and due --org (%s)', (provider) => {
  let s: CliSession | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('the timeline reads the date case list reads; due takes --org', async () => {
    // The data's dates (an exclusion on 2 Dec 2026, terms to spring 2027) read as in December 2026.
    s = await cliSession(provider, { SEND_HUB_TEST_NOW: '2026-12-07T12:00:00.000Z' });
    const cli = okCli(() => s!);
    await cli('init');
    const created = await cli(
      ...['org', 'create', '--kind', 'school', '--name', 'Elm Park Primary', '--urn', '123456'],
      ...['--admin', 'h.ashworth@elmpark.example'],
    );
    const elm = /id (\S+)\)/.exec(created)![1]!;
    for (const [name, text] of [
      ['staff.csv', STAFF],
      ['students.csv', STUDENTS],
      ['terms.ics', TERMS],
    ] as const)
      fs.writeFileSync(path.join(s.dir, name), text);
    await cli('import', 'arbor-staff', path.join(s.dir, 'staff.csv'));
    await cli('import', 'students', path.join(s.dir, 'students.csv'));
    const opened = await cli(
      ...['case', 'open', '--student', 'A123456789012', '--kind', 'PERMANENT_EXCLUSION'],
      ...['--start', '2026-12-02', '--event', 'exclusion_notified=2026-12-02'],
      ...['--owner', 'd.reeve@elmpark.example', '--reference', 'PX-9'],
    );
    expect(opened).toContain(`Wed 23 Dec 2026  ${BOARD}: open`);

    await cli('import', 'ics', path.join(s.dir, 'terms.ics'));
    expect(await cli('case', 'list')).toMatch(
      new RegExp(`^PX-9 .* ${BOARD.replace(/[()]/g, '\\$&')} due Thu 7 Jan 2027$`, 'm'),
    );
    const timeline = await cli('case', 'timeline', 'PX-9');
    expect(timeline).toContain(`Thu 7 Jan 2027  ${BOARD}: open`);
    expect(timeline).not.toContain('Wed 23 Dec 2026');
    // The start event named again by --event is one key date, not two.
    expect(timeline.match(/ {2}Wed 2 Dec 2026 {2}exclusion_notified$/gm)).toHaveLength(1);

    // A second organisation: case list insists on --org; due takes it too.
    const other = /id (\S+)\)/.exec(
      await cli(
        ...['org', 'create', '--kind', 'school', '--name', 'Other School', '--urn', '654321'],
        ...['--admin', 'a@other.example'],
      ),
    )![1]!;
    expect((await s.cli('case', 'list')).err).toContain('several organisations: pass --org <id>');
    expect(await cli('case', 'list', '--org', elm)).toContain('PX-9');
    const due = await cli('due', '--within', '60d', '--org', elm);
    expect(due).toMatch(/case PX-9 /);
    expect(await cli('due', '--within', '60d', '--org', other)).not.toContain('PX-9');
    const unknown = await s.cli('due', '--org', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--org: organisation nope was not found (send-hub org list shows the ids)');
  }, 600_000);
});
