/**
 * The SEN register (chat `register` for the SENDCo, the head, an admin or the designated teacher;
 * `send-hub register`): pupils on SEN support (K) or with an EHCP (E), and children in care, each with
 * their key worker and next review (docs/deadlines.md "Caseload views"). The next review is the earliest
 * open review deadline of the pupil's open cases (annual review R1, PEP C2, LAC C3, CP W6, CIN W7, TAC EH1)
 * or the next review meeting in the calendar, whichever comes first.
 *
 * The review deadlines are read as the next tick will store them (core/deadlines/projection.ts: the
 * tick's own engine and diff applied in memory to the stored rows, as `case list` reads them), so the
 * register is true before the first tick (right after `send-hub demo`, a case written behind the
 * service) and after a change no tick has planned yet (term dates, bank holidays). For a case planned
 * since its last change the projection is its stored rows. Nothing is written and nobody is nudged.
 */
import type { IsoDate } from '../../core/calendar/iso-date.ts';
import { localDate } from '../../core/calendar/zoned-time.ts';
import { evaluateCase, ruleIdOfKey } from '../../core/deadlines/engine.ts';
import { formatDate } from '../../core/deadlines/nudges.ts';
import { type ProjectedDeadline, projectDeadlines } from '../../core/deadlines/projection.ts';
import type { CaseKind } from '../../core/deadlines/types.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import { CaseloadRepository, type RegisterPupil } from '../../store/caseload-repository.ts';
import type { Hub } from '../container.ts';
import type { DeadlineService } from './service.ts';
import { suspensionOthers } from './suspension-totals.ts';
import { packOf } from './truth.ts';

/** Rule ids that are reviews (annual review R1, PEP review C2, LAC reviews C3*, CP reviews W6*, CIN W7, TAC EH1). */
const REVIEW_RULE = /^(R1|C2|C3[a-z]?|W6[a-z]?|W7|EH1)$/;

const REVIEW_WORDS: Record<string, string> = {
  R1: 'annual review',
  C2: 'PEP review',
  C3: 'LAC review',
  W6: 'CP review',
  W7: 'CIN review',
  EH1: 'TAC review',
  EHCP_ANNUAL_REVIEW: 'annual review meeting',
  PEP: 'PEP meeting',
  CIN: 'CIN meeting',
  CPA: 'CPA meeting',
  TAC: 'TAC meeting',
};

export interface NextReview {
  on: string;
  /** What the review is, in words ("LAC review", "annual review meeting"). */
  what: string;
  /** A review deadline's status (a meeting is OPEN). */
  status: 'OPEN' | 'PAUSED';
}

export interface RegisterEntry extends RegisterPupil {
  nextReview: NextReview | null;
  /** An open review deadline whose date has passed: said OVERDUE, never "next review". */
  overdue: boolean;
  /** The LA's review (a LAC review at a school) whose date has passed: their lateness. */
  laLate?: boolean;
}

/** A review deadline's words: the rule id without the event it hangs on or its letter (C3b: LAC review). */
const reviewWords = (key: string): string => {
  const id = ruleIdOfKey(key);
  return REVIEW_WORDS[id] ?? REVIEW_WORDS[id.replace(/[a-z]+$/, '')] ?? id;
};

/**
 * The next review of one pupil (pure): the earliest open or paused review deadline, or the next review
 * meeting (its local date) when it is no later.
 */
export function nextReviewOf(
  deadlines: readonly { ruleId: string; dueOn: string; status: string }[],
  meeting: { kind: string; on: string } | null,
): NextReview | null {
  let best: { ruleId: string; dueOn: string; status: string } | undefined;
  for (const d of deadlines)
    if (
      (d.status === 'OPEN' || d.status === 'PAUSED') &&
      REVIEW_RULE.test(ruleIdOfKey(d.ruleId)) &&
      (!best || d.dueOn < best.dueOn)
    )
      best = d;
  if (best && (!meeting || best.dueOn <= meeting.on))
    return { on: best.dueOn, what: reviewWords(best.ruleId), status: best.status as NextReview['status'] };
  if (meeting)
    return { on: meeting.on, what: REVIEW_WORDS[meeting.kind] ?? 'review meeting', status: 'OPEN' };
  return null;
}

/** The SEN register line of one pupil. */
export function registerLine(r: RegisterEntry, withEmail: boolean): string {
  const status = r.senStatus === 'E' || r.ehcp ? 'EHCP' : r.senStatus === 'K' ? 'SEN support' : 'no SEN';
  const bits = [studentLabel(r), status];
  if (r.childInCare) bits.push('in care');
  if (r.keyWorker)
    bits.push(`key worker ${r.keyWorker.displayName}${withEmail ? ` <${r.keyWorker.email}>` : ''}`);
  const n = r.nextReview;
  // An EHC plan is reviewed at least every 12 months (Children and Families Act 2014 s.44(1),
  // https://www.legislation.gov.uk/ukpga/2014/6/section/44): a plan with none recorded is a gap to fill.
  if (!n)
    bits.push(
      status === 'EHCP'
        ? 'no annual review recorded ⚠ (an EHC plan is reviewed at least every 12 months: CFA 2014 s.44)'
        : 'no review date recorded',
    );
  else {
    const on = formatDate(n.on as IsoDate);
    // A review date already passed is not "next": it is said overdue, as `cases` says of a deadline; a
    // paused one (an exception recorded) says so, with its date.
    if (r.overdue) bits.push(`review OVERDUE since ${on} (${n.what})`);
    else if (r.laLate) bits.push(`the LA's ${n.what} passed ${on}, not recorded (chase the LA)`);
    else if (n.status === 'PAUSED') bits.push(`review paused, due ${on} (${n.what})`);
    else bits.push(`next review ${on} (${n.what})`);
  }
  return bits.join(' · ');
}

/** Open cases' deadlines as the next tick will store them, by case id (reads; writes nothing). */
async function projectedDeadlines(
  svc: DeadlineService,
  caseIds: string[],
): Promise<Map<string, ProjectedDeadline[]>> {
  const out = new Map<string, ProjectedDeadline[]>();
  if (caseIds.length === 0) return out;
  await svc.ensureHolidays(); // the tick's calendar, also in a process that has not ticked
  const cases = await svc.cases.forPlanning(caseIds);
  const ctxFor = svc.calendarsFor(await svc.cases.termDates([...new Set(cases.map((c) => c.orgId))]));
  const others = await suspensionOthers(svc, cases);
  for (const c of cases) {
    const computed = evaluateCase(
      {
        kind: c.kind as CaseKind,
        rulePack: packOf(svc.book, c),
        events: c.events,
        others: others.get(c.id) ?? [],
      },
      svc.book,
      ctxFor(c.orgId),
    );
    out.set(c.id, projectDeadlines(computed, c.deadlines));
  }
  return out;
}

/** The register of an organisation, each pupil with their next review as the next tick will store it. */
export async function registerRows(hub: Hub, svc: DeadlineService, orgId: string): Promise<RegisterEntry[]> {
  const now = hub.clock.now();
  const zone = hub.config.env.TIME_ZONE;
  const today = localDate(now, zone);
  const pupils = await new CaseloadRepository(hub.dbh.db).register(orgId, now);
  const projected = await projectedDeadlines(
    svc,
    pupils.flatMap((p) => p.openCaseIds),
  );
  return pupils.map((p) => {
    const deadlines = p.openCaseIds.flatMap((id) => projected.get(id) ?? []);
    const meeting = p.nextMeeting
      ? { kind: p.nextMeeting.kind, on: localDate(p.nextMeeting.startsAt, zone) }
      : null;
    const nextReview = nextReviewOf(deadlines, meeting);
    const passed = nextReview !== null && nextReview.status === 'OPEN' && nextReview.on < today;
    // A LAC review is the LA's (reg 33; Rule.owner): passed, it is their lateness, not the school's.
    const laLate = passed && nextReview.what === 'LAC review' && !svc.isLocalAuthority(orgId);
    return { ...p, nextReview, overdue: passed && !laLate, laLate };
  });
}
