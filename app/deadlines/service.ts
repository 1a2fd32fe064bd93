/**
 * The deadline service: wires the pure engine (core/deadlines) to the stores, the reminder machinery and
 * the audit trail. One instance per hub, exposed to other modules as `hub.services.get('deadlines')`.
 */
import type { IsoDate } from '../../core/calendar/iso-date.ts';
import { type SchoolCalendar, type SchoolDays, schoolDays } from '../../core/calendar/school-days.ts';
import { localDate } from '../../core/calendar/zoned-time.ts';
import type { CalendarContext } from '../../core/deadlines/arithmetic.ts';
import { diffDeadlines, evaluateCase, ruleIdOfKey } from '../../core/deadlines/engine.ts';
import { hash53 } from '../../core/deadlines/nudges.ts';
import { ruleHeldBy } from '../../core/deadlines/ownership.ts';
import { RuleBook } from '../../core/deadlines/registry.ts';
import type { CaseKind, Rule } from '../../core/deadlines/types.ts';
import { ValidationError } from '../../core/errors.ts';
import { BankHolidayCalendar, DIVISION } from '../../integrations/bank-holidays/bank-holidays.ts';
import { BankHolidayRepository } from '../../store/bank-holiday-repository.ts';
import { CasePlanRepository, markCasesChanged } from '../../store/case-plan-repository.ts';
import { CaseRepository, type Who } from '../../store/case-repository.ts';
import { DeadlineRepository } from '../../store/deadline-repository.ts';
import type { Hub } from '../container.ts';
import { checkCaseEvent, checkEventForm, checkOpenCase } from './case-input.ts';
import { type DeadlinesEnv, readDeadlinesEnv } from './config.ts';
import { loadLocalRules } from './local-rules-file.ts';
import { DeadlinePlanner } from './planner.ts';
import { caseTimeline } from './timeline.ts';
import { packOf, problemsOfCase } from './truth.ts';

export { DIGEST_KINDS } from './digests.ts';
export { loadLocalRules } from './local-rules-file.ts';
export { NUDGE_HORIZON_DAYS, NUDGE_LOOKBACK_DAYS } from './planner.ts';

/** What issue 7 (safeguarding) and others call to start statutory clocks. */
export interface OpenCaseInput {
  orgId: string;
  studentId: string;
  kind: CaseKind;
  /** Date of the case's start event (e.g. the strategy discussion for CHILD_PROTECTION). */
  startDate: IsoDate;
  ownerId: string | null;
  /** Other key dates already known, e.g. [{ kind: 'referral_received', occurredOn: '2026-12-10' }]. */
  events?: { kind: string; occurredOn: IsoDate }[];
  reference?: string;
  /** Who opens it (audit); default: the system. */
  actorId?: string | null;
  via?: Who['channel'];
}

export interface TickReport {
  /** 1 for a full sweep (every open case), 0 for a steady tick (the cases due or changed). */
  full: number;
  /** Cases planned by this tick. */
  cases: number;
  deadlines: number;
  created: number;
  updated: number;
  nudges: number;
  remindersCreated: number;
  remindersUpdated: number;
  remindersCancelled: number;
  digests: number;
  /** Open cases that say why they lack deadlines, whole caseload (counts only: no child, no case in the log). */
  casesUnknownPack: number;
  casesWaitingForEvent: number;
  casesNeedTermDates: number;
  /** Open EHC needs assessments at risk of breaching 20 weeks. */
  casesAtRisk: number;
  readMs: number;
  computeMs: number;
  writeMs: number;
  reconcileMs: number;
}

export class DeadlineService {
  readonly cases: CaseRepository;
  readonly deadlines: DeadlineRepository;
  readonly bankHolidays: BankHolidayRepository;
  readonly book: RuleBook;
  readonly holidays = new BankHolidayCalendar();
  readonly env: DeadlinesEnv;
  readonly leadTimes: string[];
  readonly planner: DeadlinePlanner;
  /** Cases lacking deadlines, per reason, as of the last tick (health, `doctor`). */
  caseCounts:
    | { casesUnknownPack: number; casesWaitingForEvent: number; casesNeedTermDates: number }
    | undefined;
  private dirty = true;
  /** The next tick is a full sweep (something changed that no case marker records). */
  private sweepNext = false;
  /** Stands for the bank holidays loaded: a change makes the next tick a full sweep. */
  holidaysSignature = '';
  private lastRun = 0;
  private holidaysLoadedOn = '';
  private localAuthorities = new Set<string>();
  private readonly schoolDaysCache = new Map<string, { key: string; version: number; sd: SchoolDays }>();

  constructor(readonly hub: Hub) {
    this.env = readDeadlinesEnv(hub.config.raw);
    this.book = new RuleBook(undefined, loadLocalRules(this.env.DEADLINE_RULES_FILE));
    this.cases = new CaseRepository(hub.dbh.db, hub.audit, hub.cipher, hub.dbh.provider);
    this.deadlines = new DeadlineRepository(hub.dbh.db, hub.audit, hub.dbh.provider);
    this.bankHolidays = new BankHolidayRepository(hub.dbh.db);
    this.leadTimes = this.env.DEADLINE_LEAD_TIMES.split(',').map((s) => s.trim());
    this.planner = new DeadlinePlanner(this, new CasePlanRepository(hub.dbh.db, hub.dbh.provider));
  }

  get zone(): string {
    return this.hub.config.env.TIME_ZONE;
  }

  today(): IsoDate {
    return localDate(this.hub.clock.now(), this.zone);
  }

  /**
   * A case changed through the hub (its writer marked it, store/case-plan-repository.ts): the next tick
   * runs whatever the interval, and plans it.
   */
  changed(): void {
    this.dirty = true;
  }

  /** Something changed that no case marker records (written behind the repositories): a full sweep next. */
  touch(): void {
    this.dirty = true;
    this.sweepNext = true;
  }

  async reloadHolidays(): Promise<void> {
    await this.reloadLocalAuthorities();
    try {
      const stored = await this.bankHolidays.forDivision(DIVISION);
      this.holidays.load(stored);
      this.holidaysSignature = hash53(JSON.stringify(stored));
    } catch (err) {
      this.hub.log.warn(
        { err: (err as Error).message },
        'bank holidays table unreadable; using the bundled list',
      );
    }
    this.holidaysLoadedOn = this.today();
  }

  /** The organisations that are local authorities (their own duties are their officers', Rule.laOfficer). */
  async reloadLocalAuthorities(): Promise<void> {
    this.localAuthorities = new Set(await this.cases.localAuthorityIds());
  }

  isLocalAuthority(orgId: string): boolean {
    return this.localAuthorities.has(orgId);
  }

  /** Refresh the BankHoliday table from a gov.uk-format document (already parsed). */
  async refreshHolidays(events: { division: string; date: string; title: string }[]): Promise<number> {
    const n = await this.bankHolidays.replaceYears(events);
    await this.reloadHolidays();
    this.touch();
    return n;
  }

  calendarsFor(terms: { orgId: string; kind: string; startDate: string; endDate: string }[]) {
    const byOrg = new Map<string, SchoolCalendar>();
    for (const t of terms) {
      const cal = byOrg.get(t.orgId) ?? { terms: [], closures: [] };
      (t.kind === 'TERM' ? cal.terms : cal.closures).push({ start: t.startDate, end: t.endDate });
      byOrg.set(t.orgId, cal);
    }
    const cache = new Map<string, CalendarContext>();
    const today = this.today();
    return (orgId: string): CalendarContext => {
      let ctx = cache.get(orgId);
      if (!ctx) {
        ctx = {
          holidays: this.holidays,
          schoolDays: this.schoolDaysOf(orgId, byOrg.get(orgId)),
          localAuthority: this.localAuthorities.has(orgId),
          today,
        };
        cache.set(orgId, ctx);
      }
      return ctx;
    };
  }

  /**
   * An organisation's school days, the same object from tick to tick while its term dates and the bank
   * holidays are unchanged: the date arithmetic memoised on it (core/deadlines/arithmetic.ts: due dates
   * by offset and anchor) is kept, not recomputed on each tick's new calendar (issue 18, the morning tick).
   */
  private schoolDaysOf(orgId: string, cal: SchoolCalendar | undefined): SchoolDays {
    const key = cal ? JSON.stringify(cal) : '';
    const hit = this.schoolDaysCache.get(orgId);
    if (hit && hit.key === key && hit.version === this.holidays.version) return hit.sd;
    const sd = schoolDays(cal, this.holidays);
    // Bounded: one entry per organisation with open cases.
    if (this.schoolDaysCache.size > 10_000) this.schoolDaysCache.clear();
    this.schoolDaysCache.set(orgId, { key, version: this.holidays.version, sd });
    return sd;
  }

  /** A case's rule; with `orgId`, as the organisation holding it sees it (core/deadlines/ownership.ts). */
  ruleFor(kind: string, pack: string, key: string, orgId?: string): Rule | undefined {
    const resolved = this.book.pack(pack)
      ? pack
      : (this.book.resolvePackId(pack, kind as CaseKind, '9999-12-31') ?? pack);
    const rule = this.book.rule(kind as CaseKind, resolved, ruleIdOfKey(key));
    return rule && ruleHeldBy(rule, orgId !== undefined && this.localAuthorities.has(orgId));
  }

  /** Open a case and compute its deadlines at once (the caller sees them; nudges follow on the next tick). */
  async openCase(input: OpenCaseInput): Promise<{
    caseId: string;
    reference: string;
    /** Why the case lacks deadlines (unknown pack, missing key date, no term dates); empty when none. */
    problems: string[];
    deadlines: { ruleId: string; dueOn: string; status: string }[];
  }> {
    const { packId, startEvent } = checkOpenCase(this.book, input, this.today());
    const { id, reference } = await this.cases.open(
      {
        orgId: input.orgId,
        studentId: input.studentId,
        kind: input.kind,
        rulePack: packId,
        startDate: input.startDate,
        startEvent,
        ownerId: input.ownerId,
        ...(input.reference ? { reference: input.reference } : {}),
        events: input.events ?? [],
      },
      {
        actorId: input.actorId ?? null,
        actorKind: input.actorId ? 'staff' : input.via === 'CLI' ? 'admin-cli' : 'system',
        channel: input.via ?? 'SYSTEM',
      },
    );
    await this.recompute(id);
    this.changed();
    const c = await this.cases.byId(id);
    return {
      caseId: id,
      reference,
      problems: await this.problemsOf(id),
      deadlines: (c?.deadlines ?? [])
        .map((d) => ({ ruleId: d.ruleId, dueOn: d.dueOn, status: d.status }))
        .sort((a, b) => (a.dueOn < b.dueOn ? -1 : 1)),
    };
  }

  /**
   * Record a key date. The kind must be one the case kind knows (refused naming the valid ones); a date
   * in the future is refused for an event that has happened; `planned` stores a planned date that meets
   * no deadline (shown as planned on the timeline).
   */
  async recordEvent(
    caseId: string,
    kind: string,
    occurredOn: IsoDate,
    who: Who,
    opts: { planned?: boolean } = {},
  ): Promise<void> {
    checkEventForm(kind, occurredOn);
    const c = await this.cases.byId(caseId);
    if (!c) throw new ValidationError(`case "${caseId}" not found`, 'case');
    const stored = checkCaseEvent(
      this.book,
      { kind: c.kind, packId: packOf(this.book, c) },
      kind,
      occurredOn,
      this.today(),
      opts.planned === true,
    );
    await this.cases.addEvent(caseId, stored, occurredOn, who);
    await this.recompute(caseId);
    this.changed();
  }

  /**
   * Recompute one case's deadlines now; a suspension case's pupil's other open suspension cases too (their
   * term's total moved with it: app/deadlines/suspension-totals.ts), marked for the next tick's nudges.
   */
  async recompute(caseId: string, siblings = true): Promise<void> {
    const c = await this.cases.byId(caseId);
    if (!c) return;
    if (this.holidaysLoadedOn === '') await this.reloadHolidays();
    const ctxFor = this.calendarsFor(await this.cases.termDates([c.orgId]));
    const others =
      c.kind === 'SUSPENSION' ? ((await this.cases.otherSuspensions([c.id])).get(c.id) ?? []) : [];
    const computed = evaluateCase(
      {
        kind: c.kind as CaseKind,
        rulePack: packOf(this.book, c),
        events: c.events,
        others: others.map((o) => o.events),
      },
      this.book,
      ctxFor(c.orgId),
    );
    const { creates, updates } = diffDeadlines(computed, c.deadlines);
    await this.deadlines.apply(
      creates.map((x) => ({ ...x, caseId: c.id, ownerId: null })),
      updates,
    );
    const open = siblings ? others.filter((o) => o.status === 'OPEN').map((o) => o.id) : [];
    for (const id of open) await this.recompute(id, false);
    await markCasesChanged(this.hub.dbh.db, open);
  }

  /**
   * The planner tick (docs/deadlines.md "How the tick works"): a steady tick plans the cases whose moment
   * has come or whose inputs changed; a full sweep (`force`, hourly, and when `planner.mustSweep`) plans
   * every open case. Skipped when nothing changed through this hub within DEADLINE_PLAN_INTERVAL_SECONDS.
   */
  async tick(now: Date, force = false): Promise<TickReport | { skipped: number }> {
    const interval = this.env.DEADLINE_PLAN_INTERVAL_SECONDS * 1000;
    const today = localDate(now, this.zone);
    if (this.holidaysLoadedOn !== today) await this.reloadHolidays();
    if (
      !force &&
      !this.dirty &&
      now.getTime() - this.lastRun < interval &&
      !this.planner.mustSweep(now, today)
    )
      return { skipped: 1 };
    const full = force || this.sweepNext;
    this.dirty = false;
    this.sweepNext = false;
    this.lastRun = now.getTime();
    await this.reloadLocalAuthorities();
    const report = await this.planner.run(now, today, { full });
    this.caseCounts = {
      casesUnknownPack: report.casesUnknownPack,
      casesWaitingForEvent: report.casesWaitingForEvent,
      casesNeedTermDates: report.casesNeedTermDates,
    };
    if (report.full && (report.casesUnknownPack || report.casesWaitingForEvent || report.casesNeedTermDates))
      this.hub.log.warn(
        {
          casesUnknownPack: report.casesUnknownPack,
          casesWaitingForEvent: report.casesWaitingForEvent,
          casesNeedTermDates: report.casesNeedTermDates,
        },
        'deadlines: some open cases lack deadlines (send-hub case timeline <case> says why)',
      );
    return report;
  }

  /**
   * What a full sweep would write now, without writing it (tests: the steady ticks left the same state as
   * the full sweep would have; issue 18).
   */
  async sweepDryRun(now: Date): Promise<TickReport> {
    const today = localDate(now, this.zone);
    if (this.holidaysLoadedOn !== today) await this.reloadHolidays();
    return this.planner.run(now, today, { full: true, dryRun: true });
  }

  /** Why an open case lacks deadlines: one sentence per problem (empty when nothing is missing). */
  async problemsOf(caseId: string): Promise<string[]> {
    const c = await this.cases.byId(caseId);
    if (!c || c.status !== 'OPEN') return [];
    if (this.holidaysLoadedOn === '') await this.reloadHolidays();
    const terms = await this.cases.termDates([c.orgId]);
    const computed = evaluateCase(
      { kind: c.kind as CaseKind, rulePack: packOf(this.book, c), events: c.events },
      this.book,
      this.calendarsFor(terms)(c.orgId),
    );
    const hasTerms = terms.some((t) => t.kind === 'TERM');
    return problemsOfCase(this.book, c, computed.length, hasTerms).map((p) => p.message);
  }

  /** The case timeline: key dates, and each deadline met (on time or late), paused, open or overdue. */
  timeline(caseId: string): Promise<string[] | null> {
    return caseTimeline(this, caseId);
  }

  /** Load the bank holidays if not loaded yet (reads outside a tick). */
  async ensureHolidays(): Promise<void> {
    if (this.holidaysLoadedOn === '') await this.reloadHolidays();
  }
}
