/**
 * From the seat of an educational care coordinator (ECC) in a Hospital and Home Tuition Service, on both
 * providers, with the real `send-hub` CLI (another process) and the console (docs/deadlines.md, health
 * needs):
 * - a Year 6 pupil off for 5 school days in September and 5 in October is away again from Mon 2 Nov
 *   2026: the hub adds the spells of the school year up and H1c is due Fri 6 Nov 2026, the 15th school day
 *   of absence in all, before this spell's own 15th (H1, Fri 20 Nov); the register shows 15 reached on Wed
 *   4 Nov, she records it and the same deadline moves; education arranged meets both;
 * - a planned admission on Mon 16 Nov, teaching arranged by the hospital school on Thu 12 Nov: H1 is met
 *   from the start, no Done needed;
 * - the demo school (`send-hub demo`) has a health-needs case the ECC finds with `cases`.
 * The hub and the CLI (SEND_HUB_TEST_NOW) run on a fixed clock (Fri 20 Nov 2026 09:00).
 */
import { describe, expect, it } from 'vitest';
import { loadDemoSchool } from '../../app/demo/demo-school.ts';
import type { CliResult } from '../support/cli.ts';
import { providers } from '../support/db.ts';
import { hubAndCli } from '../support/hub-cli.ts';

const H1 = 'Education arranged by the 15th school day of absence \\(sooner once it is clear\\)';
const H1C = 'Education arranged \\(absences this school year added up have reached 15 school days\\)';
const NOW = '2026-11-20T09:00:00Z';

describe.each(
  providers,
)('hospital education: spells of absence added up, from the ECC seat (%s)', (provider) => {
  const scenario = hubAndCli(provider);

  const { say } = scenario;

  it('adds up the spells of the school year (H1c), takes her own record, counts education arranged in advance', async () => {
    const t = await scenario.start(
      { now: NOW, env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' } },
      { SEND_HUB_TEST_NOW: NOW },
    );
    const db = t.hub.dbh.db;
    const org = await db.organisation.create({
      data: { name: 'Riverside Hospital and Home Tuition Service', kind: 'HOSPITAL_EDUCATION' },
    });
    await db.staff.create({
      data: { orgId: org.id, displayName: 'Esme Carter', email: 'esme.carter@hhts.example' },
    });
    for (const [upn, givenName, familyName] of [
      ['H801200012346', 'Marigold', 'Pennywhistle'],
      ['H801200012347', 'Barnaby', 'Thistlecombe'],
    ])
      await db.student.create({
        data: { orgId: org.id, givenName: givenName!, familyName: familyName!, yearGroup: '6', upn: upn! },
      });
    for (const [startDate, endDate] of [
      ['2026-09-02', '2026-10-23'],
      ['2026-11-02', '2026-12-18'],
    ])
      await db.termDate.create({
        data: { orgId: org.id, kind: 'TERM', startDate: startDate!, endDate: endDate! },
      });
    const session = scenario.session();
    const cli = async (...args: string[]): Promise<CliResult> => {
      const r = await session.cli(...args);
      expect(r.code, r.err).toBe(0);
      return r;
    };

    // Mon 14 to Fri 18 Sep (back Mon 21 Sep) and Mon 5 to Fri 9 Oct (back Mon 12 Oct): 5 + 5 school days,
    // recorded as she opens the case; no spell reaches 15, nor do they in all.
    const opened = await cli(
      'case',
      'open',
      '--student',
      'H801200012346',
      '--kind',
      'HEALTH_NEEDS',
      '--start',
      '2026-09-14',
      '--owner',
      'esme.carter@hhts.example',
      '--reference',
      'HN-2',
      '--event',
      'return_date=2026-09-21',
      'first_day_of_absence=2026-10-05',
      'return_date=2026-10-12',
    );
    expect(opened.out).toContain('Case HN-2 opened');
    expect(opened.out).not.toMatch(new RegExp(H1));
    expect(opened.out).not.toMatch(new RegExp(H1C));
    // Away again from Mon 2 Nov: 2-6 Nov are days 11-15 of the school year's absence.
    const third = await cli('case', 'event', 'HN-2', 'first_day_of_absence', '2026-11-02');
    expect(third.out).toMatch(new RegExp(`Fri 6 Nov 2026 +${H1C}`));
    expect(third.out).toMatch(new RegExp(`Fri 20 Nov 2026 +${H1}`));
    const h1c = async () =>
      (await db.deadline.findMany({ where: { case: { reference: 'HN-2' } } }))
        .filter((r) => r.ruleId.startsWith('H1c'))
        .map((r) => [r.id, r.dueOn, r.status]);
    const before = await h1c();
    expect(before.map((r) => r.slice(1))).toEqual([['2026-11-06', 'OPEN']]);

    // The register shows single days of illness too: 15 reached on Wed 4 Nov. Her record takes the
    // hub's place, on the same deadline.
    const mine = await cli('case', 'event', 'HN-2', 'absences_reached_15_days', '2026-11-04');
    expect(mine.out).toMatch(new RegExp(`Wed 4 Nov 2026 +${H1C}`));
    expect(mine.out).not.toMatch(new RegExp(`Fri 6 Nov 2026 +${H1C}`));
    expect(await h1c()).toEqual([[before[0]![0], '2026-11-04', 'OPEN']]);

    // The hub's morning tick; her `due` lists it.
    await t.tickAndDeliver();
    await say('as esme.carter@hhts.example');
    const due = await say('due');
    expect(due).toContain('M.P. (Y6)');
    expect(due).toMatch(
      /Education arranged \(absences this school year added up have reached 15 school days\)/,
    );

    // Teaching arranged from Mon 9 Nov meets both: H1c 5 days late (the register's day was Wed 4 Nov).
    const met = await cli('case', 'event', 'HN-2', 'education_arranged', '2026-11-09');
    expect(met.out).toMatch(new RegExp(`${H1C}: MET LATE on Mon 9 Nov 2026 \\(5 days late\\)`));
    expect(met.out).toMatch(new RegExp(`${H1}: met on Mon 9 Nov 2026`));

    // A planned admission on Mon 16 Nov: the hospital school arranged teaching on Thu 12 Nov.
    const planned = await cli(
      'case',
      'open',
      '--student',
      'H801200012347',
      '--kind',
      'HEALTH_NEEDS',
      '--start',
      '2026-11-16',
      '--owner',
      'esme.carter@hhts.example',
      '--reference',
      'HN-3',
      '--event',
      'education_arranged=2026-11-12',
    );
    expect(planned.out).toMatch(new RegExp(`${H1}: met on Thu 12 Nov 2026`));
    const rows = await db.deadline.findMany({ where: { case: { reference: 'HN-3' } } });
    expect(rows.map((r) => [r.ruleId.split('#')[0], r.dueOn, r.status, r.metOn])).toEqual([
      ['H1', '2026-12-04', 'MET', '2026-11-12'],
    ]);
    expect(`${t.consoleOut.text()}${t.logOut.text()}`).not.toMatch(/Marigold|Pennywhistle|Barnaby/);
  }, 600_000);

  it("the demo school's health-needs case is on the hospital ECC's list", async () => {
    const t = await scenario.start({ now: NOW, env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' } });
    await loadDemoSchool(t.hub.dbh.db, t.clock.now());
    await t.tickAndDeliver();
    expect(await say('as s.pryce@hhts.example')).toContain('Sian Pryce');
    const cases = await say('cases');
    // Demo term dates (autumn 3 Sep to 18 Dec): off Tue 13 to Mon 19 Oct (5 school days), in hospital
    // from Tue 10 Nov; the 15th school day in all is Mon 23 Nov, this spell's own 15th Mon 30 Nov.
    expect(cases).toContain('DEMO-HN-1');
    expect(cases).toContain('R.M. (Y4)');
    expect(cases).toMatch(
      /absences this school year added up have reached 15 school days\) due Mon 23 Nov 2026/,
    );
  }, 300_000);
});
