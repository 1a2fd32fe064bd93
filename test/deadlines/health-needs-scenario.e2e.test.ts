/**
 * From the seat of an educational care coordinator (ECC) in a Hospital and Home Tuition Service, on both
 * providers: a Year 8 pupil is admitted to hospital on Mon 2 Nov 2026 (autumn term 2026, half-term before
 * it). With the real `send-hub` CLI (another process) she opens a HEALTH_NEEDS case, and sees the date
 * education must be arranged by at the latest: Fri 20 Nov 2026, the 15th school day of absence (H1,
 * docs/deadlines.md). On that morning the hub's tick nudges her in chat; `due` lists it; she records
 * `education_arranged` with the CLI and the timeline shows it met; a planned return asks for the
 * reintegration plan (H2); the caseload page lists the case under its kind. The hub runs on a fixed clock
 * (Fri 20 Nov 2026 09:00); the CLI on another, Mon 7 Dec 2026 (SEND_HUB_TEST_NOW), so every key date is in
 * the past for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type CliResult, type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';
import { signIn, startWebHub, type WebHub } from '../support/web.ts';

const H1 = 'Education arranged by the 15th school day of absence (sooner once it is clear)';

describe.each(providers)('hospital education: a HEALTH_NEEDS case from the ECC seat (%s)', (provider) => {
  let t: WebHub | undefined;
  let session: CliSession | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await session?.close();
    session = undefined;
  });

  it('opens the case, shows the 15th school day, nudges on the day, records education arranged', async () => {
    t = await startWebHub(provider, {
      now: '2026-11-20T09:00:00Z',
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' },
    });
    const db = t.hub.dbh.db;
    const org = await db.organisation.create({
      data: { name: 'Riverside Hospital and Home Tuition Service', kind: 'HOSPITAL_EDUCATION' },
    });
    const ecc = await db.staff.create({
      data: { orgId: org.id, displayName: 'Esme Carter', email: 'esme.carter@hhts.example' },
    });
    await db.student.create({
      data: {
        orgId: org.id,
        givenName: 'Zebedee',
        familyName: 'Quillfeather',
        yearGroup: '8',
        upn: 'H801200012345',
      },
    });
    for (const [startDate, endDate] of [
      ['2026-09-02', '2026-10-23'],
      ['2026-11-02', '2026-12-18'],
    ])
      await db.termDate.create({
        data: { orgId: org.id, kind: 'TERM', startDate: startDate!, endDate: endDate! },
      });
    session = await cliSession(provider, {
      DATABASE_URL: t.hub.config.databaseUrl,
      SEND_HUB_TEST_NOW: '2026-12-07T12:00:00Z',
    });
    const cli = (...args: string[]): Promise<CliResult> => session!.cli(...args);

    const opened = await cli(
      'case',
      'open',
      '--student',
      'H801200012345',
      '--kind',
      'HEALTH_NEEDS',
      '--start',
      '2026-11-02',
      '--owner',
      'esme.carter@hhts.example',
      '--reference',
      'HN-1',
    );
    expect(opened.code, opened.err).toBe(0);
    expect(opened.out).toContain('Case HN-1 opened');
    expect(opened.out).toContain('pack england-health-needs@2023');
    // Mon 2 Nov is day 1: 2-6, 9-13, 16-20 Nov are its 15 school days.
    expect(opened.out).toMatch(new RegExp(`Fri 20 Nov 2026 +${H1.replace(/[()]/g, '\\$&')}`));
    expect(opened.out).not.toMatch(/Zebedee|Quillfeather/);

    // The morning of the 15th school day: the planner's tick nudges her, privately, initials only.
    const before = t.console.transcript().length;
    await t.tickAndDeliver();
    const nudges = t.console
      .transcript()
      .slice(before)
      .filter((m) => m.staffId === ecc.id && m.message.kind === 'deadline_nudge');
    // The case was opened on the day: she reads one message, the one on the day. The nudge of 3 working
    // days before (Tue 17 Nov), late, is not sent beside it (one message per deadline a day); the one of
    // 10 working days before (Fri 6 Nov) is past the look-back.
    expect(nudges.map((m) => m.message.title)).toEqual([`${H1}: due today`]);
    const nudge = nudges[0];
    expect(nudge?.message.text).toBe('For Z.Q. (Y8), case HN-1.');
    expect(nudge?.message.audience).toBe('private');

    const say = (line: string) => t!.say(line);
    await say('as esme.carter@hhts.example');
    const due = await say('due');
    expect(due).toContain(`Fri 20 Nov 2026 · Z.Q. (Y8) · ${H1} · case HN-1`);

    // A misspelt key date is refused, naming the health-needs ones.
    const typo = await cli('case', 'event', 'HN-1', 'education_arrange', '2026-11-20');
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('expected one of: first_day_of_absence, education_arranged');
    const met = await cli('case', 'event', 'HN-1', 'education_arranged', '2026-11-20');
    expect(met.code, met.err).toBe(0);
    expect(met.out).toMatch(new RegExp(`${H1.replace(/[()]/g, '\\$&')}: met on Fri 20 Nov 2026`));

    // A return date set in advance asks for the reintegration plan on that school day (H2, guidance).
    const back = await cli('case', 'event', 'HN-1', 'return_date', '2026-12-07');
    expect(back.code, back.err).toBe(0);
    expect(back.out).toMatch(
      /Mon 7 Dec 2026 +Reintegration plan in place on the return to school \(guidance\)/,
    );
    const rows = await db.deadline.findMany({
      where: { case: { reference: 'HN-1' } },
      orderBy: { dueOn: 'asc' },
    });
    expect(rows.map((r) => [r.ruleId.split('#')[0], r.dueOn, r.status])).toEqual([
      ['H1', '2026-11-20', 'MET'],
      ['H2', '2026-12-07', 'OPEN'],
    ]);
    // The caseload page (web) lists it under its kind, and filters by it.
    const web = await signIn(t, 'esme.carter@hhts.example');
    const page = await web.fetch('/app/caseload?kind=HEALTH_NEEDS');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('HN-1');
    expect(html).toContain('health needs absence');
    expect(html).not.toContain('Kind of case must be one of');
    // The signed-in page's table names the child in full (docs/web.md); chat and the logs never do.
    expect(html).toContain('Zebedee Quillfeather (Y8)');
    expect(`${t.consoleOut.text()}${t.logOut.text()}`).not.toMatch(/Zebedee|Quillfeather/);
  }, 300_000);
});
