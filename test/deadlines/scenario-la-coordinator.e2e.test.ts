/**
 * The LA EHCNA coordinator's seat and her manager's (issue 14 points 3, 8, 9): Karen Obi ("SEND EHCNA
 * Co-ordinator") and Tom Reed ("EHCNA Coordinator") are line-managed by Grace Mensah ("SEN Team Manager").
 * Their roles come from an Arbor staff export imported with the CLI. Karen holds 30 of 40 generated EHC
 * needs assessments at different stages (requests from 1 to 20 weeks ago, some with the decision to assess
 * recorded, some with a draft served); several are at risk of missing 20 weeks. They read, as they would:
 * - CLI (another process): `send-hub case list --owner …` (every case by reference, the child by initials
 *   and year, the owner by name and email, the next deadline by name and date), `case list --at-risk`,
 *   `due --owner …` (deadline owners and nudges named, no internal ids as subjects or recipients);
 * - console: `as <email>`, `cases`, `due`, `digest` (Karen: her own; Grace: her team under headings, each
 *   figure with its key).
 * The CLI runs on the system clock, so the hub's clock is set to now and the key dates are in the past.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { loadDemoSchool } from '../../app/demo/demo-school.ts';
import { registerStudentNames } from '../../app/start.ts';
import type { CliResult } from '../support/cli.ts';
import { providers } from '../support/db.ts';
import { hubAndCli } from '../support/hub-cli.ts';

const GIVEN = ['Marisol', 'Thaddeus', 'Ingrid', 'Cosimo', 'Peregrine'];
const FAMILY = [
  'Ashcombe',
  'Brackley',
  'Corrigan',
  'Dunmore',
  'Elsworth',
  'Fairweather',
  'Glenister',
  'Hollinsby',
];

const STAFF_CSV = [
  'Staff ID,First Name,Last Name,Work Email,Job Title,Line Manager',
  'LA1,Grace,Mensah,grace.mensah@la.example,SEN Team Manager,',
  'LA2,Karen,Obi,karen.obi@la.example,SEND EHCNA Co-ordinator,grace.mensah@la.example',
  'LA3,Tom,Reed,tom.reed@la.example,EHCNA Coordinator,grace.mensah@la.example',
].join('\n');

const isoDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

describe.each(providers)('the LA EHCNA coordinator and her manager: 40 cases (%s)', (provider) => {
  const scenario = hubAndCli(provider);

  it('reads her caseload, what is due and the risk; her manager reads the team, names included', async () => {
    const t = await scenario.start({ now: new Date().toISOString(), modules: [deadlinesModule()] });
    const { orgId } = await loadDemoSchool(t.hub.dbh.db, t.clock.now());
    // Karen Obi is the LA's EHCNA coordinator: the organisation is the local authority, so its duties (the
    // decisions and the plan, SEND Regulations 2014 regs 4, 5, 10, 13) are hers, nudged and escalated.
    await t.hub.dbh.db.organisation.update({ where: { id: orgId }, data: { kind: 'LOCAL_AUTHORITY' } });
    // The CLI in another process, on the hub's database.
    const session = scenario.session();
    const dir = session.dir;
    const cli = (...args: string[]): Promise<CliResult> => session.cli(...args);

    // Point 9: the roles come from their job titles.
    fs.writeFileSync(path.join(dir, 'la-staff.csv'), STAFF_CSV);
    const imported = await cli('import', 'arbor-staff', path.join(dir, 'la-staff.csv'));
    expect(imported.code, imported.err).toBe(0);
    const staffList = (await cli('staff', 'list')).out;
    expect(staffList).toContain('Grace Mensah <grace.mensah@la.example>  SEN team manager');
    expect(staffList).toContain(
      'Karen Obi <karen.obi@la.example>  EHCNA officer  · line manager Grace Mensah',
    );
    expect(staffList).toContain('Tom Reed <tom.reed@la.example>  EHCNA officer  · line manager Grace Mensah');

    // 40 generated EHC needs assessments at different stages.
    const db = t.hub.dbh.db;
    const staff = await db.staff.findMany({ where: { orgId }, select: { id: true, email: true } });
    const karen = staff.find((s) => s.email === 'karen.obi@la.example')!.id;
    const tom = staff.find((s) => s.email === 'tom.reed@la.example')!.id;
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    const labels = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const given = GIVEN[i % 5]!;
      const family = FAMILY[Math.floor(i / 5)]!;
      const year = String(1 + (i % 11));
      const s = await db.student.create({
        data: { orgId, givenName: given, familyName: family, yearGroup: year, senStatus: 'K' },
      });
      const ref = `EHC-${String(i + 1).padStart(2, '0')}`;
      labels.set(ref, `${given[0]}.${family[0]}. (Y${year})`);
      const weeksAgo = 1 + (i % 20);
      const events: { kind: string; occurredOn: string }[] = [];
      if (weeksAgo >= 7 && i % 3 === 0)
        events.push({ kind: 'assessment_decision', occurredOn: isoDaysAgo((weeksAgo - 5) * 7) });
      if (weeksAgo >= 17 && i % 2 === 0)
        events.push({ kind: 'draft_served', occurredOn: isoDaysAgo((weeksAgo - 15) * 7) });
      await svc.openCase({
        orgId,
        studentId: s.id,
        kind: 'EHC_NEEDS_ASSESSMENT',
        startDate: isoDaysAgo(weeksAgo * 7),
        ownerId: i < 30 ? karen : tom,
        reference: ref,
        ...(events.length ? { events } : {}),
      });
    }
    await registerStudentNames(t.hub);
    // The planner's tick plans the nudges (reminders) the `due` lists name.
    await t.tickAndDeliver();

    // Point 8: her caseload from the CLI.
    const list = await cli('case', 'list', '--owner', 'karen.obi@la.example');
    expect(list.code, list.err).toBe(0);
    const lines = list.out.trim().split('\n');
    expect(lines[0]).toBe('30 cases of Karen Obi <karen.obi@la.example>');
    expect(lines).toHaveLength(31);
    const line01 = lines.find((l) => l.startsWith('EHC-01 '))!;
    expect(line01).toContain(`EHC needs assessment   ${labels.get('EHC-01')}`);
    expect(line01).toContain('owner Karen Obi <karen.obi@la.example>');
    expect(line01).toMatch(/Decision whether to assess due \w{3} \d{1,2} \w{3} \d{4}/);
    expect(list.out).not.toContain('EHC-31 ');
    const atRisk = await cli('case', 'list', '--owner', 'karen.obi@la.example', '--at-risk');
    const riskLines = atRisk.out.trim().split('\n').slice(1);
    expect(atRisk.out.split('\n')[0]).toMatch(/^\d+ cases? of Karen Obi <karen\.obi@la\.example> at risk$/);
    expect(riskLines.length).toBeGreaterThan(3);
    expect(riskLines.length).toBeLessThan(30);
    for (const l of riskLines) expect(l).toMatch(/AT RISK \(week \d+: /);
    // A request a week old is not at risk.
    expect(atRisk.out).not.toContain('EHC-01 ');
    expect(riskLines.some((l) => l.startsWith('EHC-20 '))).toBe(true);
    const kinds = await cli('case', 'list', '--kind', 'EHC_NEEDS_ASSESSMENT', '--status', 'open');
    expect(kinds.out.split('\n')[0]).toMatch(/^4[01] cases$/);
    expect(kinds.out).toContain('owner Tom Reed <tom.reed@la.example>');

    // Point 3: `due` names owners and what each reminder is about.
    const due = await cli('due', '--owner', 'karen.obi@la.example', '--within', '14d');
    expect(due.code, due.err).toBe(0);
    expect(due.out).toContain('owner Karen Obi <karen.obi@la.example>');
    expect(due.out).not.toMatch(/owner -/);
    expect(due.out).not.toMatch(/\b(meeting|deadline):c[a-z0-9]{8,}/);
    expect(due.out).not.toMatch(/ to c[a-z0-9]{20,}/);
    expect(due.out).toMatch(
      /deadline {7}.+ due \w{3} \d{1,2} \w{3} \d{4} · [A-Z]\.[A-Z]\. \(Y\d+\) · case EHC-\d\d {2}to Karen Obi <karen\.obi@la\.example> {2}\[ref /,
    );

    // Point 8 and 3 in chat, as Karen.
    const say = (line: string) => t.say(line);
    await say('as karen.obi@la.example');
    const cases = await say('cases');
    expect(cases).toContain('Your caseload: 30 open cases');
    expect(cases).toContain(
      `case EHC-01 · EHC needs assessment · ${labels.get('EHC-01')} · Decision whether to assess due`,
    );
    expect(cases).toMatch(/case EHC-20 · EHC needs assessment · .* · ⚠ at risk: week \d+: /);
    const mine = await say('due');
    expect(mine).toMatch(/Overdue deadlines \(\d+\)/);
    expect(mine).toMatch(
      /deadline · .+ due \w{3} \d{1,2} \w{3} \d{4} · [A-Z]\.[A-Z]\. \(Y\d+\) · case EHC-\d\d/,
    );
    const digest = await say('digest');
    expect(digest).toMatch(/At risk of breaching 20 weeks \(\d+\)/);

    // Her manager: the team under headings, each figure with its key.
    await say('as grace.mensah@la.example');
    const team = await say('cases');
    expect(team).toContain('Team caseload: 40 open cases');
    expect(team).toMatch(/Karen Obi: 30 open · \d+ overdue deadlines · \d+ at risk/);
    expect(team).toMatch(/Tom Reed: 10 open · \d+ overdue deadlines · \d+ at risk/);
    expect(team).toContain(`case EHC-31 · EHC needs assessment · ${labels.get('EHC-31')}`);
    const teamDigest = await say('digest');
    expect(teamDigest).toContain('Caseloads by officer');
    expect(teamDigest).toMatch(/Karen Obi: \d+ open deadlines · \d+ due in 2 weeks · \d+ overdue/);

    // Nobody's name in full anywhere she or her manager read (initials and year only).
    const everything = `${list.out}${atRisk.out}${due.out}${t.consoleOut.text()}`;
    for (const w of [...GIVEN, ...FAMILY]) expect(everything).not.toContain(w);
  }, 600_000);
});
