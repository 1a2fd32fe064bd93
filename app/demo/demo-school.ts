/**
 * A fictional demo school, loaded by `send-hub demo` and by `npm start` on an empty database: staff in
 * every role, a few students (invented names), cases and meetings placed relative to now so that a
 * reminder falls due within the first minute.
 */
import { addSchoolDays, schoolDays } from '../../core/calendar/school-days.ts';
import { addWorkingDays } from '../../core/calendar/working-days.ts';
import { RuleBook } from '../../core/deadlines/registry.ts';
import type { CaseKind } from '../../core/deadlines/types.ts';
import { BankHolidayCalendar } from '../../integrations/bank-holidays/bank-holidays.ts';
import type { Db } from '../../store/db.ts';

export const DEMO_ORG_NAME = 'Elmfield Primary (demo)';
/** The demo organisation's URN: how the guided tour (app/demo/tour.ts) recognises it. */
export const DEMO_URN = 'DEMO-000001';

const staff = [
  { key: 'head', displayName: 'Daniel Hughes', email: 'head@elmfield.example', roles: ['HEAD', 'ADMIN'] },
  { key: 'dsl', displayName: 'Tom Reed', email: 'dsl@elmfield.example', roles: ['DSL'] },
  { key: 'deputy', displayName: 'Grace Okafor', email: 'deputy.dsl@elmfield.example', roles: ['DEPUTY_DSL'] },
  {
    key: 'sendco',
    displayName: 'Priya Shah',
    email: 'sendco@elmfield.example',
    roles: ['SENDCO', 'DEPUTY_DSL'],
  },
  { key: 'teacher', displayName: 'Ellie Marsh', email: 'e.marsh@elmfield.example', roles: ['STAFF'] },
  {
    key: 'behaviour',
    displayName: 'Marcus Bell',
    email: 'behaviour@elmfield.example',
    roles: ['BEHAVIOUR_LEAD'],
  },
  { key: 'dt', displayName: 'Hannah Cole', email: 'dt@elmfield.example', roles: ['DESIGNATED_TEACHER'] },
  // The educational care coordinator of the hospital and home tuition service that teaches the school's
  // pupils in hospital (an invented person; not line-managed by the school's head).
  {
    key: 'ecc',
    displayName: 'Sian Pryce',
    email: 's.pryce@hhts.example',
    roles: ['CARE_COORDINATOR'],
  },
] as const;

const students = [
  {
    key: 'ab',
    upn: 'A123456789012',
    givenName: 'Amelia',
    familyName: 'Brook',
    yearGroup: '7',
    senStatus: 'E',
    ehcp: true,
    childInCare: false,
  },
  {
    key: 'jt',
    upn: 'B123456789012',
    givenName: 'Jayden',
    familyName: 'Thorne',
    yearGroup: '5',
    senStatus: 'K',
    ehcp: false,
    childInCare: true,
  },
  {
    key: 'lw',
    upn: 'C123456789012',
    givenName: 'Layla',
    familyName: 'Winters',
    yearGroup: '3',
    senStatus: 'K',
    ehcp: false,
    childInCare: false,
  },
  {
    key: 'ok',
    upn: 'D123456789012',
    givenName: 'Oscar',
    familyName: 'Kendrick',
    yearGroup: '6',
    // On SEN support while his EHC needs assessment runs (DEMO-EHC-1): no plan yet.
    senStatus: 'K',
    ehcp: false,
    childInCare: false,
  },
  {
    key: 'rm',
    upn: 'E123456789012',
    givenName: 'Ruby',
    familyName: 'Marlowe',
    yearGroup: '4',
    senStatus: 'NONE',
    ehcp: false,
    childInCare: false,
  },
] as const;

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

const REF: Partial<Record<CaseKind, string>> = {
  EHC_NEEDS_ASSESSMENT: 'EHC',
  ANNUAL_REVIEW: 'AR',
  PEP: 'PEP',
  HEALTH_NEEDS: 'HN',
};

/**
 * Typical English term dates (autumn, spring, summer) for the school years around `year`: enough for the
 * demo's school-day counts and termly PEP reviews. A real school imports its own (send-hub import ics).
 */
export function demoTerms(
  year: number,
): { kind: string; startDate: string; endDate: string; label: string }[] {
  const out: { kind: string; startDate: string; endDate: string; label: string }[] = [];
  for (let y = year - 1; y <= year + 1; y++)
    out.push(
      { kind: 'TERM', startDate: `${y}-09-03`, endDate: `${y}-12-18`, label: `Autumn ${y}` },
      { kind: 'TERM', startDate: `${y + 1}-01-05`, endDate: `${y + 1}-03-26`, label: `Spring ${y + 1}` },
      { kind: 'TERM', startDate: `${y + 1}-04-12`, endDate: `${y + 1}-07-21`, label: `Summer ${y + 1}` },
    );
  return out;
}

export async function loadDemoSchool(db: Db, now: Date): Promise<{ orgId: string }> {
  const org = await db.organisation.create({
    data: { name: DEMO_ORG_NAME, kind: 'SCHOOL', urn: DEMO_URN },
  });
  const ids = new Map<string, string>();
  for (const s of staff) {
    const row = await db.staff.create({
      data: {
        orgId: org.id,
        displayName: s.displayName,
        email: s.email,
        roles: { create: s.roles.map((role) => ({ role })) },
      },
    });
    ids.set(s.key, row.id);
  }
  const head = ids.get('head')!;
  await db.staff.updateMany({
    where: { orgId: org.id, id: { notIn: [head, ids.get('ecc')!] } },
    data: { lineManagerId: head },
  });
  const studentIds = new Map<string, string>();
  for (const s of students) {
    const { key, ...data } = s;
    const row = await db.student.create({
      data: { ...data, orgId: org.id, keyWorkerId: ids.get(key === 'jt' ? 'dt' : 'sendco') ?? null },
    });
    studentIds.set(key, row.id);
  }
  // The DSL rota: DSL, then deputies, then the head (KCSIE 2025 para 103: a DSL or deputy always available).
  await db.rotaEntry.createMany({
    data: [
      { orgId: org.id, staffId: ids.get('dsl')!, level: 'DSL', rank: 0 },
      { orgId: org.id, staffId: ids.get('deputy')!, level: 'DEPUTY_DSL', rank: 0 },
      { orgId: org.id, staffId: ids.get('sendco')!, level: 'DEPUTY_DSL', rank: 1 },
      { orgId: org.id, staffId: head, level: 'HEAD', rank: 0 },
    ],
  });
  const daysAgo = (n: number) => isoDate(new Date(now.getTime() - n * 86_400_000));
  // The school's term dates: school-day counts and termly PEP reviews need them.
  const terms = demoTerms(now.getUTCFullYear());
  await db.termDate.createMany({ data: terms.map((t) => ({ ...t, orgId: org.id, source: 'demo' })) });
  // Each case names the versioned pack in force for its kind (the engine evaluates it against that pack,
  // e.g. england-send-2014@cop-2015) and its key events by the names the pack uses (docs/deadlines.md).
  const book = new RuleBook();
  const kase = (
    studentKey: string,
    kind: CaseKind,
    owner: string,
    events: { kind: string; occurredOn: string }[],
  ) =>
    db.case.create({
      data: {
        orgId: org.id,
        studentId: studentIds.get(studentKey)!,
        kind,
        rulePack: book.packFor(kind, events[0]!.occurredOn).id,
        startDate: events[0]!.occurredOn,
        ownerId: ids.get(owner)!,
        reference: `DEMO-${REF[kind] ?? kind}-1`,
        events: { create: events },
        // The case's assignment history begins with it (store/case-assignment-repository.ts).
        assignments: { create: [{ officerId: ids.get(owner)!, fromOn: events[0]!.occurredOn }] },
      },
    });
  // Request received 6 weeks ago: the LA's decision whether to assess (reg 5, 6 weeks) is due today, shown
  // to the SENDCo as the LA's date (never nudged as hers; told the day after if nothing is recorded).
  await kase('ok', 'EHC_NEEDS_ASSESSMENT', 'sendco', [{ kind: 'request_received', occurredOn: daysAgo(42) }]);
  // Plan issued 11 months ago; the review meeting is in 16 days (the meeting below): invitations and
  // advice are due 2 weeks before it (reg 20(3)-(4)).
  await kase('ab', 'ANNUAL_REVIEW', 'sendco', [
    { kind: 'plan_issued', occurredOn: daysAgo(330) },
    { kind: 'review_meeting_scheduled', occurredOn: daysAgo(-16) },
  ]);
  // In care for 19 working days: the first LAC review (the LA's, reg 33(1)(a): 20 working days) is due
  // the next working day, shown to the designated teacher as the LA's date; the PEP started 8 working days
  // after coming into care (within 10), reviewed each term.
  const holidays = new BankHolidayCalendar();
  const inCare = addWorkingDays(addWorkingDays(isoDate(now), 1, holidays), -20, holidays);
  await kase('jt', 'PEP', 'dt', [
    { kind: 'became_looked_after', occurredOn: inCare },
    { kind: 'pep_initiated', occurredOn: addWorkingDays(inCare, 8, holidays) },
  ]);
  // Health needs (docs/deadlines.md): Ruby, Y4, was off for 5 school days earlier in the year (a plan agreed
  // for her return) and has been
  // in hospital for 8 school days (today the 9th when it is a school day), the hospital service's ECC her
  // named officer. The year's spells add up to 15 on the next school day (H1c); this spell's own 15th
  // school day is H1. Counted in the demo school's school days.
  const sd = schoolDays(
    { terms: terms.map((t) => ({ start: t.startDate, end: t.endDate })), closures: [] },
    new BankHolidayCalendar(),
  );
  const admitted = addSchoolDays(isoDate(now), -8, sd);
  const back = addSchoolDays(admitted, -15, sd);
  await kase('rm', 'HEALTH_NEEDS', 'ecc', [
    { kind: 'first_day_of_absence', occurredOn: addSchoolDays(back, -5, sd) },
    { kind: 'return_date', occurredOn: back },
    { kind: 'reintegration_plan_agreed', occurredOn: back },
    { kind: 'first_day_of_absence', occurredOn: admitted },
  ]);
  // A TAC meeting 1 hour and 40 seconds from now: its "1 hour before" reminder falls due within a minute.
  const meeting = async (
    kind: 'TAC' | 'CIN' | 'EHCP_ANNUAL_REVIEW',
    studentKey: string,
    startsAt: Date,
    attendees: string[],
  ) =>
    db.meeting.create({
      data: {
        orgId: org.id,
        source: 'manual',
        externalId: `demo-${kind}-${studentKey}`,
        kind,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 3_600_000),
        studentId: studentIds.get(studentKey)!,
        organiserEmail: 'sendco@elmfield.example',
        noteTakerId: ids.get('sendco')!,
        joinUrl: 'https://teams.microsoft.com/l/meetup-join/demo',
        attendees: {
          create: attendees.map((k) => ({
            email: staff.find((s) => s.key === k)!.email,
            staffId: ids.get(k)!,
          })),
        },
      },
    });
  await meeting('TAC', 'lw', new Date(now.getTime() + 3_640_000), ['sendco', 'teacher']);
  await meeting('CIN', 'jt', new Date(now.getTime() + 3 * 86_400_000), ['dsl', 'dt']);
  await meeting('EHCP_ANNUAL_REVIEW', 'ab', new Date(now.getTime() + 16 * 86_400_000), [
    'sendco',
    'teacher',
    'head',
  ]);
  return { orgId: org.id };
}
