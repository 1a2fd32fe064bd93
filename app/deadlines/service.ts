/**
 * The deadline service: wires the pure engine (core/deadlines) to the stores, the reminder machinery and
 * the audit trail. One instance per hub, exposed to other modules as `hub.services.get('deadlines')`.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { addDays, type IsoDate, isIsoDate } from '../../core/calendar/iso-date.ts';
import { type SchoolCalendar, type SchoolDays, schoolDays } from '../../core/calendar/school-days.ts';
import { localDate, zonedInstant } from '../../core/calendar/zoned-time.ts';
import type { CalendarContext } from '../../core/deadlines/arithmetic.ts';
import { caseSubjectLabel } from '../../core/deadlines/case-label.ts';
import { type DigestItem, officerDigest, summarise, teamDigest } from '../../core/deadlines/digest.ts';
import {
  type ComputedDeadline,
  type DeadlineCreate,
  type DeadlineStatus,
  diffDeadlines,
  evaluateCase,
  lateness,
  ruleIdOfKey,
} from '../../core/deadlines/engine.ts';
import { checkEvent, isPlannedKind, PLANNED_PREFIX } from '../../core/deadlines/events.ts';
import { emptyLocalRules, type LocalRulesFile, parseLocalRules } from '../../core/deadlines/local-rules.ts';
import {
  DEADLINE_REMINDER_KINDS,
  formatDate,
  type NudgeItem,
  type NudgeSlot,
  planNudgeSlots,
  renderNudge,
} from '../../core/deadlines/nudges.ts';
import { RuleBook } from '../../core/deadlines/registry.ts';
import { type CaseKind, caseKinds, type Rule } from '../../core/deadlines/types.ts';
import { ValidationError } from '../../core/errors.ts';
import type { ReminderSpec } from '../../core/reminders/reminder.ts';
import { BankHolidayCalendar, DIVISION } from '../../integrations/bank-holidays/bank-holidays.ts';
import { BankHolidayRepository } from '../../store/bank-holiday-repository.ts';
import { CaseRepository, type PlanningCase, type Who } from '../../store/case-repository.ts';
import { DeadlineRepository, type StoredNudge } from '../../store/deadline-repository.ts';
import { ConfigError } from '../config/index.ts';
import type { Hub } from '../container.ts';
import { type DeadlinesEnv, readDeadlinesEnv } from './config.ts';
import { caseloadTruth, dayNoteOf, packOf, problemLine, problemsOfCase, riskItem } from './truth.ts';

/** How far ahead deadline nudges become Reminder rows. */
export const NUDGE_HORIZON_DAYS = 3;
/** Past nudges younger than this still go out (a case recorded late). */
export const NUDGE_LOOKBACK_DAYS = 7;

export const DIGEST_KINDS = ['deadline_digest', 'deadline_team_digest'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

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

export function loadLocalRules(file: string | undefined): LocalRulesFile {
  if (!file) return emptyLocalRules;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `config error: DEADLINE_RULES_FILE "${file}": cannot read (${(err as Error).message})`,
    ]);
  }
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError([
      `config error: DEADLINE_RULES_FILE "${file}": not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} (${(err as Error).message})`,
    ]);
  }
  const r = parseLocalRules(data, path.basename(file));
  if (!r.ok) throw new ConfigError(r.problems.map((p) => `config error: DEADLINE_RULES_FILE ${p}`));
  return r.value;
}

type PlannedDigestItem = DigestItem & { escalateToId: string | null; orgId: string };

export interface TickReport {
  cases: number;
  deadlines: number;
  created: number;
  updated: number;
  nudges: number;
  remindersCreated: number;
  remindersUpdated: number;
  remindersCancelled: number;
  digests: number;
  /** Cases that say why they lack deadlines (counts only: no child, no case in the log). */
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
  private readonly leadTimes: string[];
  /** Cases lacking deadlines, per reason, as of the last tick (health, `doctor`). */
  caseCounts:
    | { casesUnknownPack: number; casesWaitingForEvent: number; casesNeedTermDates: number }
    | undefined;
  private dirty = true;
  private lastRun = 0;
  private holidaysLoadedOn = '';

  constructor(private readonly hub: Hub) {
    this.env = readDeadlinesEnv(hub.config.raw);
    this.book = new RuleBook(undefined, loadLocalRules(this.env.DEADLINE_RULES_FILE));
    this.cases = new CaseRepository(hub.dbh.db, hub.audit, hub.cipher, hub.dbh.provider);
    this.deadlines = new DeadlineRepository(hub.dbh.db, hub.audit, hub.dbh.provider);
    this.bankHolidays = new BankHolidayRepository(hub.dbh.db);
    this.leadTimes = this.env.DEADLINE_LEAD_TIMES.split(',').map((s) => s.trim());
  }

  get zone(): string {
    return this.hub.config.env.TIME_ZONE;
  }

  today(): IsoDate {
    return localDate(this.hub.clock.now(), this.zone);
  }

  /** Something changed through the hub: the next tick recomputes whatever the interval. */
  touch(): void {
    this.dirty = true;
  }

  async reloadHolidays(): Promise<void> {
    try {
      this.holidays.load(await this.bankHolidays.forDivision(DIVISION));
    } catch (err) {
      this.hub.log.warn(
        { err: (err as Error).message },
        'bank holidays table unreadable; using the bundled list',
      );
    }
    this.holidaysLoadedOn = this.today();
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
    const cache = new Map<string, SchoolDays>();
    return (orgId: string): CalendarContext => {
      let sd = cache.get(orgId);
      if (!sd) {
        sd = schoolDays(byOrg.get(orgId), this.holidays);
        cache.set(orgId, sd);
      }
      return { holidays: this.holidays, schoolDays: sd };
    };
  }

  ruleFor(kind: string, pack: string, key: string): Rule | undefined {
    const resolved = this.book.pack(pack)
      ? pack
      : (this.book.resolvePackId(pack, kind as CaseKind, '9999-12-31') ?? pack);
    return this.book.rule(kind as CaseKind, resolved, ruleIdOfKey(key));
  }

  /** Open a case and compute its deadlines at once (the caller sees them; nudges follow on the next tick). */
  async openCase(input: OpenCaseInput): Promise<{
    caseId: string;
    reference: string;
    /** Why the case lacks deadlines (unknown pack, missing key date, no term dates); empty when none. */
    problems: string[];
    deadlines: { ruleId: string; dueOn: string; status: string }[];
  }> {
    if (!caseKinds.includes(input.kind))
      throw new ValidationError(`kind "${input.kind}": expected one of ${caseKinds.join(', ')}`, 'kind');
    if (!isIsoDate(input.startDate))
      throw new ValidationError(`startDate "${input.startDate}": expected YYYY-MM-DD`, 'startDate');
    for (const e of input.events ?? [])
      if (!isIsoDate(e.occurredOn) || !/^[a-z][a-z0-9_]*$/.test(e.kind))
        throw new ValidationError(`event ${e.kind}=${e.occurredOn}: expected kind=YYYY-MM-DD`, 'events');
    const pack = this.book.packFor(input.kind, input.startDate);
    // Key events validated (issue 14 point 5): known to the case kind, and not in the future unless set
    // in advance (a transfer date, a scheduled meeting).
    const today = this.today();
    const startEvent = this.book.startEvent(input.kind, pack.id);
    for (const e of [{ kind: startEvent, occurredOn: input.startDate }, ...(input.events ?? [])]) {
      const r = checkEvent(
        { caseKind: input.kind, packId: pack.id, kind: e.kind, occurredOn: e.occurredOn },
        today,
        this.book,
      );
      if (!r.ok) throw new ValidationError(r.message, r.field === 'kind' ? 'events' : 'startDate');
    }
    const { id, reference } = await this.cases.open(
      {
        orgId: input.orgId,
        studentId: input.studentId,
        kind: input.kind,
        rulePack: pack.id,
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
    this.touch();
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
    if (!isIsoDate(occurredOn))
      throw new ValidationError(`date "${occurredOn}": expected YYYY-MM-DD`, 'date');
    if (!/^[a-z][a-z0-9_]*$/.test(kind))
      throw new ValidationError(`event "${kind}": expected a name like draft_served`, 'kind');
    const c = await this.cases.byId(caseId);
    if (!c) throw new ValidationError(`case "${caseId}" not found`, 'case');
    const r = checkEvent(
      {
        caseKind: c.kind as CaseKind,
        packId: packOf(this.book, c),
        kind,
        occurredOn,
        ...(opts.planned ? { planned: true } : {}),
      },
      this.today(),
      this.book,
    );
    if (!r.ok) throw new ValidationError(r.message, r.field);
    await this.cases.addEvent(caseId, r.stored, occurredOn, who);
    await this.recompute(caseId);
    this.touch();
  }

  /** Recompute one case's deadlines now. */
  async recompute(caseId: string): Promise<void> {
    const c = await this.cases.byId(caseId);
    if (!c) return;
    if (this.holidaysLoadedOn === '') await this.reloadHolidays();
    const ctxFor = this.calendarsFor(await this.cases.termDates([c.orgId]));
    const computed = evaluateCase(
      { kind: c.kind as CaseKind, rulePack: packOf(this.book, c), events: c.events },
      this.book,
      ctxFor(c.orgId),
    );
    const { creates, updates } = diffDeadlines(computed, c.deadlines);
    await this.deadlines.apply(
      creates.map((x) => ({ ...x, caseId: c.id, ownerId: null })),
      updates,
    );
  }

  /** The planner: every open case's deadlines, then the nudges, escalations and digests they call for. */
  async tick(now: Date, force = false): Promise<TickReport | { skipped: number }> {
    const interval = this.env.DEADLINE_PLAN_INTERVAL_SECONDS * 1000;
    if (!force && !this.dirty && now.getTime() - this.lastRun < interval) return { skipped: 1 };
    this.dirty = false;
    this.lastRun = now.getTime();
    const today = localDate(now, this.zone);
    if (this.holidaysLoadedOn !== today) await this.reloadHolidays();
    const report: TickReport = {
      cases: 0,
      deadlines: 0,
      created: 0,
      updated: 0,
      nudges: 0,
      remindersCreated: 0,
      remindersUpdated: 0,
      remindersCancelled: 0,
      digests: 0,
      casesUnknownPack: 0,
      casesWaitingForEvent: 0,
      casesNeedTermDates: 0,
      casesAtRisk: 0,
      readMs: 0,
      computeMs: 0,
      writeMs: 0,
      reconcileMs: 0,
    };
    const nudgeItems: NudgeItem[] = [];
    const digestItems: PlannedDigestItem[] = [];
    const digestDay = WEEKDAYS[new Date(`${today}T00:00:00Z`).getUTCDay()] === this.env.DEADLINE_DIGEST_DAY;
    const problemsByOwner = new Map<string, string[]>();
    const staffNames = new Map<string, string>();
    // Every open case in one set-based read (three packed queries): an LA's caseload fits in memory, and
    // the nudges and digests below need all of it anyway.
    let t0 = performance.now();
    const page = await this.cases.openForPlanning();
    const orgIds = [...new Set(page.map((c) => c.orgId))];
    const [terms, staff] = await Promise.all([this.cases.termDates(orgIds), this.cases.staffOf(orgIds)]);
    report.readMs += performance.now() - t0;
    t0 = performance.now();
    const ctxFor = this.calendarsFor(terms);
    const withTerms = new Set(terms.filter((t) => t.kind === 'TERM').map((t) => t.orgId));
    const lineManager = new Map(staff.map((s) => [s.id, s.lineManagerId]));
    for (const s of staff) staffNames.set(s.id, s.displayName);
    // Where an owner has no line manager, escalate to the organisation's head (or an admin).
    const fallback = new Map<string, string>();
    for (const s of staff)
      if (s.roles.includes('HEAD') && !fallback.has(s.orgId)) fallback.set(s.orgId, s.id);
    for (const s of staff)
      if (s.roles.includes('ADMIN') && !fallback.has(s.orgId)) fallback.set(s.orgId, s.id);
    const perCase: { c: PlanningCase; computed: ComputedDeadline[]; creates: DeadlineCreate[] }[] = [];
    const allCreates: {
      caseId: string;
      ruleId: string;
      dueOn: string;
      status: string;
      metOn: string | null;
      ownerId: null;
    }[] = [];
    const allUpdates: { id: string; data: Record<string, unknown> }[] = [];
    for (const c of page) {
      const rulePack = packOf(this.book, c);
      const computed = evaluateCase(
        { kind: c.kind as CaseKind, rulePack, events: c.events },
        this.book,
        ctxFor(c.orgId),
      );
      // No silent emptiness: counted for the log, listed in the owner's digest.
      const problems = problemsOfCase(this.book, c, computed.length, withTerms.has(c.orgId));
      for (const p of problems) {
        if (p.code === 'unknown_pack' || p.code === 'no_rules') report.casesUnknownPack++;
        else if (p.code === 'waiting_for_event') report.casesWaitingForEvent++;
        else report.casesNeedTermDates++;
      }
      if (problems.length && c.ownerId && digestDay) {
        const list = problemsByOwner.get(c.ownerId) ?? [];
        list.push(
          problemLine({
            caseId: c.id,
            caseRef: c.reference ?? c.id.slice(0, 8),
            label: caseSubjectLabel(c.kind, c.student),
            ownerId: c.ownerId,
            orgId: c.orgId,
            problems,
          }),
        );
        problemsByOwner.set(c.ownerId, list);
      }
      const { creates, updates } = diffDeadlines(computed, c.deadlines);
      for (const x of creates) allCreates.push({ ...x, caseId: c.id, ownerId: null });
      allUpdates.push(...updates);
      perCase.push({ c, computed, creates });
    }
    report.computeMs += performance.now() - t0;
    t0 = performance.now();
    const created = await this.deadlines.apply(allCreates, allUpdates);
    report.writeMs += performance.now() - t0;
    t0 = performance.now();
    report.created += created.length;
    report.updated += allUpdates.length;
    const createdId = new Map(created.map((x) => [`${x.caseId}|${x.ruleId}`, x.id]));
    const updatedStatus = new Map(allUpdates.map((u) => [u.id, u.data.status as DeadlineStatus | undefined]));
    for (const { c, computed } of perCase) {
      report.cases++;
      // Initials and year for a child; nobody at all for a staff allegation (KCSIE Part 4).
      const label = caseSubjectLabel(c.kind, c.student);
      const caseRef = c.reference ?? c.id.slice(0, 8);
      // The 20-week risk, computed from the key dates (core/deadlines/at-risk.ts).
      const risk = c.kind === 'EHC_NEEDS_ASSESSMENT' ? riskItem(c, today, this.holidays) : null;
      if (risk) report.casesAtRisk++;
      for (const d of computed) {
        // The stored row of this key (a case has a handful: a scan, not a Map per case; the last one wins
        // as a Map built from them would).
        let s: (typeof c.deadlines)[number] | undefined;
        for (const x of c.deadlines) if (x.ruleId === d.key) s = x;
        const id = s?.id ?? createdId.get(`${c.id}|${d.key}`);
        if (!id) continue;
        const status: DeadlineStatus =
          (s && updatedStatus.size > 0 && updatedStatus.get(s.id)) ||
          (s ? s.status : d.metOn ? 'MET' : 'OPEN');
        report.deadlines++;
        const ownerId = s?.ownerId ?? c.ownerId;
        const escalateToId = ownerId
          ? (lineManager.get(ownerId) ?? fallback.get(c.orgId) ?? null)
          : (fallback.get(c.orgId) ?? null);
        // Only open deadlines are nudged (planNudgeSlots skips the others).
        if (status === 'OPEN')
          nudgeItems.push({
            deadlineId: id,
            orgId: c.orgId,
            caseRef,
            rule: d.rule,
            dueOn: d.dueOn,
            safeTargetOn: d.safeTargetOn,
            lowConfidence: d.lowConfidence,
            status,
            snoozedUntil: s?.snoozedUntil ?? null,
            ownerId,
            ownerName: ownerId ? (staffNames.get(ownerId) ?? 'The owner') : 'Nobody',
            escalateToId: escalateToId === ownerId ? null : escalateToId,
            studentLabel: label,
            calendar: ctxFor(c.orgId),
          });
        if (ownerId && (status === 'OPEN' || status === 'PAUSED'))
          digestItems.push({
            deadlineId: id,
            caseRef,
            ruleId: d.rule.id,
            // The LA's key dates (Rule.owner, issue 13) are named as theirs and never "overdue" for the school.
            ruleName: d.rule.owner === 'la' ? `${d.rule.name} (the LA's)` : d.rule.name,
            dueOn: d.dueOn,
            status,
            window: (d.rule.window ?? false) || d.rule.owner === 'la',
            ownerId,
            studentLabel: label,
            atRisk20Weeks: d.rule.id === 'E7' && status === 'OPEN' && risk !== null,
            ...(d.rule.id === 'E7' && risk?.atRiskReason ? { atRiskReason: risk.atRiskReason } : {}),
            ...(digestDay ? { dayNote: dayNoteOf(d.dueOn, d.rule, ctxFor(c.orgId)) } : {}),
            escalateToId: lineManager.get(ownerId) ?? null,
            orgId: c.orgId,
          });
      }
    }
    let t1 = performance.now();
    const slots = planNudgeSlots(nudgeItems, today, {
      leadTimes: this.leadTimes,
      holidays: this.holidays,
      zone: this.zone,
      sendAt: this.env.DEADLINE_NUDGE_TIME,
      // Nudges are planned a few days ahead only: the planner runs every few minutes, and fewer pending
      // rows keep each tick cheap at LA scale.
      horizonDays: NUDGE_HORIZON_DAYS,
      lookbackDays: NUDGE_LOOKBACK_DAYS,
    });
    report.nudges = slots.length;
    report.computeMs += performance.now() - t1;
    t1 = performance.now();
    await this.reconcileNudges(slots, today, report);
    this.caseCounts = {
      casesUnknownPack: report.casesUnknownPack,
      casesWaitingForEvent: report.casesWaitingForEvent,
      casesNeedTermDates: report.casesNeedTermDates,
    };
    if (report.casesUnknownPack || report.casesWaitingForEvent || report.casesNeedTermDates)
      this.hub.log.warn(
        {
          casesUnknownPack: report.casesUnknownPack,
          casesWaitingForEvent: report.casesWaitingForEvent,
          casesNeedTermDates: report.casesNeedTermDates,
        },
        'deadlines: some open cases lack deadlines (send-hub case timeline <case> says why)',
      );
    const digests = this.planDigests(digestItems, today, staffNames, problemsByOwner);
    report.digests = digests.length;
    if (digests.length) {
      const r = await this.hub.reminders.reconcile(
        digests.map((d) => d.subject),
        digests,
        DIGEST_KINDS,
      );
      report.remindersCreated += r.created;
      report.remindersUpdated += r.updated;
    }
    report.reconcileMs = performance.now() - t1;
    for (const k of ['readMs', 'computeMs', 'writeMs', 'reconcileMs'] as const)
      report[k] = Math.round(report[k]);
    return report;
  }

  /**
   * Make the stored deadline reminders match the slots: compare key, status and fingerprint (which covers
   * the planned due time, recipient and message; one packed read), render messages only for new or changed slots, cancel pending ones no
   * longer wanted. Same outcome as ReminderRepository.reconcile over every deadline, without reading and
   * comparing tens of thousands of message payloads per tick.
   */
  private async reconcileNudges(slots: NudgeSlot[], today: IsoDate, report: TickReport): Promise<void> {
    // Cancelled reminders older than this are not re-armed from the packed read; a wanted one is found by key.
    const since = new Date(`${addDays(today, -(NUDGE_LOOKBACK_DAYS + 14))}T00:00:00Z`);
    const stored = await this.deadlines.nudgeState(DEADLINE_REMINDER_KINDS, since);
    // One lookup per slot by key; the stored entries found are remembered (by object) for the cancels.
    const found: (StoredNudge | undefined)[] = new Array(slots.length);
    const missing: string[] = [];
    const wanted = new Set<StoredNudge>();
    for (let k = 0; k < slots.length; k++) {
      const cur = stored.get(slots[k]!.dedupeKey);
      found[k] = cur;
      if (cur) wanted.add(cur);
      else missing.push(slots[k]!.dedupeKey);
    }
    const more = missing.length > 0 ? await this.deadlines.storedNudges(missing) : new Map();
    const creates: { spec: ReminderSpec; fingerprint: string }[] = [];
    const updates: { spec: ReminderSpec; fingerprint: string }[] = [];
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[k]!;
      const cur = found[k] ?? more.get(slot.dedupeKey);
      if (!cur) creates.push({ spec: renderNudge(slot), fingerprint: slot.fingerprint });
      else if (
        (cur.status === 'PENDING' || cur.status === 'CANCELLED') &&
        (cur.status === 'CANCELLED' || cur.fingerprint !== slot.fingerprint)
      )
        updates.push({ spec: renderNudge(slot), fingerprint: slot.fingerprint });
    }
    const cancels: string[] = [];
    for (const [key, cur] of stored) if (cur.status === 'PENDING' && !wanted.has(cur)) cancels.push(key);
    await this.deadlines.writeNudges(creates, updates, cancels);
    report.remindersCreated += creates.length;
    report.remindersUpdated += updates.length;
    report.remindersCancelled += cancels.length;
  }

  /** On the digest day: one digest per named officer, one team view per line manager. */
  planDigests(
    items: PlannedDigestItem[],
    today: IsoDate,
    names: Map<string, string>,
    problemsByOwner: Map<string, string[]> = new Map(),
  ): ReminderSpec[] {
    const dow = new Date(`${today}T00:00:00Z`).getUTCDay();
    if (WEEKDAYS[dow] !== this.env.DEADLINE_DIGEST_DAY) return [];
    const dueAt = zonedInstant(today, this.env.DEADLINE_NUDGE_TIME, this.zone);
    const summaries = summarise(items, today);
    const orgOf = new Map<string, string>();
    for (const i of items) orgOf.set(i.ownerId, i.orgId);
    const specs: ReminderSpec[] = [];
    for (const s of summaries.values()) {
      const orgId = orgOf.get(s.ownerId) ?? '';
      specs.push({
        dedupeKey: `deadline-digest:${s.ownerId}:${today}`,
        orgId,
        kind: 'deadline_digest',
        subject: { type: 'deadline_digest', id: s.ownerId },
        recipientId: s.ownerId,
        dueAt,
        priority: 9,
        respectQuietHours: true,
        message: officerDigest(s, today, 25, {
          atRisk: items.filter((i) => i.atRisk20Weeks && i.ownerId === s.ownerId),
          problems: problemsByOwner.get(s.ownerId) ?? [],
        }),
      });
    }
    // Officers per line manager, in order of first appearance.
    const teams = new Map<string, Set<string>>();
    for (const i of items)
      if (i.escalateToId) {
        let team = teams.get(i.escalateToId);
        if (!team) {
          team = new Set();
          teams.set(i.escalateToId, team);
        }
        team.add(i.ownerId);
      }
    const atRiskItems = items.filter((i) => i.atRisk20Weeks);
    for (const [managerId, team] of teams) {
      const officers = [...team];
      const members = officers
        .map((o) => ({ ownerId: o, name: names.get(o) ?? o, summary: summaries.get(o)! }))
        .filter((m) => m.summary);
      const atRisk = atRiskItems.filter((i) => team.has(i.ownerId));
      specs.push({
        dedupeKey: `deadline-team-digest:${managerId}:${today}`,
        orgId: orgOf.get(officers[0]!) ?? '',
        kind: 'deadline_team_digest',
        subject: { type: 'deadline_team_digest', id: managerId },
        recipientId: managerId,
        dueAt,
        priority: 9,
        respectQuietHours: true,
        message: teamDigest(members, atRisk, today, this.env.DEADLINE_OVERLOAD),
      });
    }
    return specs;
  }

  /** Deadlines due by `until` (and overdue), with the rule and the child's initials. */
  async dueList(untilDays: number, opts: { orgId?: string; ownerId?: string } = {}) {
    const today = this.today();
    const rows = await this.deadlines.dueBy(addDays(today, untilDays), opts);
    if (this.holidaysLoadedOn === '') await this.reloadHolidays();
    const ctxFor = this.calendarsFor(await this.cases.termDates([...new Set(rows.map((d) => d.case.orgId))]));
    return rows.map((d) => {
      const rule = this.ruleFor(d.case.kind, d.case.rulePack, d.ruleId);
      return {
        /** " ⚠ Sun 31 Jan 2027 is a Sunday: …" when the due date falls on a day nobody works. */
        dayNote: dayNoteOf(d.dueOn, rule, ctxFor(d.case.orgId)),
        id: d.id,
        dueOn: d.dueOn,
        status: d.status,
        overdue: d.dueOn < today && d.status === 'OPEN' && !rule?.window && rule?.owner !== 'la',
        // The LA's key date (Rule.owner, issue 13): named as theirs, never the school's overdue work.
        laOwned: rule?.owner === 'la',
        ruleName: rule?.owner === 'la' ? `${rule.name} (the LA's)` : (rule?.name ?? d.ruleId),
        caseRef: d.case.reference ?? d.case.id,
        caseId: d.case.id,
        student: caseSubjectLabel(d.case.kind, d.case.student),
        ownerId: d.ownerId ?? d.case.ownerId,
        ownerName: d.owner?.displayName ?? null,
      };
    });
  }

  /** One line per open case that lacks deadlines, and why (for `due` lists). */
  async problemLines(opts: { orgId?: string; ownerId?: string } = {}): Promise<string[]> {
    return (await caseloadTruth(this, opts)).problems.map(problemLine);
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
  async timeline(caseId: string): Promise<string[] | null> {
    let c = await this.cases.byId(caseId);
    if (!c) return null;
    // Loaded or imported without deadlines (no tick yet): compute them now rather than show none.
    if (c.deadlines.length === 0 && c.status === 'OPEN') {
      await this.recompute(caseId);
      c = (await this.cases.byId(caseId)) ?? c;
    }
    const today = this.today();
    if (this.holidaysLoadedOn === '') await this.reloadHolidays();
    const terms = await this.cases.termDates([c.orgId]);
    const ctx = this.calendarsFor(terms)(c.orgId);
    const lines = [
      `Case ${c.reference ?? c.id} · ${c.kind} · ${caseSubjectLabel(c.kind, c.student)} · pack ${c.rulePack} · ${c.status}`,
      ...(await this.problemsOf(c.id)).map((p) => `Attention: ${p}`),
      'Key dates:',
      ...[...c.eventRows]
        .sort((a, b) => (a.occurredOn < b.occurredOn ? -1 : 1))
        .map((e) =>
          isPlannedKind(e.kind)
            ? `  ${formatDate(e.occurredOn)}  ${e.kind.slice(PLANNED_PREFIX.length)} (planned: meets no deadline)`
            : `  ${formatDate(e.occurredOn)}  ${e.kind}`,
        ),
      'Deadlines:',
    ];
    if (c.deadlines.length === 0) lines.push('  none (see Attention above)');
    const exceptions = new Map(c.exceptions.map((e) => [e.ruleId ?? '', e]));
    for (const d of [...c.deadlines].sort((a, b) => (a.dueOn < b.dueOn ? -1 : 1))) {
      const rule = this.ruleFor(c.kind, c.rulePack, d.ruleId);
      const name = rule?.name ?? d.ruleId;
      let state: string;
      if (d.status === 'MET') {
        const l = lateness(d.dueOn, d.metOn, today);
        state = l.late
          ? `MET LATE on ${formatDate(d.metOn!)} (${l.days} days late)`
          : `met on ${formatDate(d.metOn!)}`;
      } else if (d.status === 'PAUSED') {
        const e = exceptions.get(d.ruleId);
        const reason = rule?.exceptions?.find((x) => x.code === d.pausedReason);
        const excepted = e?.toDate
          ? ` · excepted date ${formatDate(addDays(d.dueOn, Math.round((Date.parse(e.toDate) - Date.parse(e.fromDate)) / 86_400_000) + 1))}`
          : '';
        state = `PAUSED by exception: ${reason?.label ?? d.pausedReason} (${reason?.source ?? ''}) from ${e ? formatDate(e.fromDate) : '?'}${e?.toDate ? ` to ${formatDate(e.toDate)}` : ''}${excepted}`;
      } else if (d.status === 'CANCELLED') state = 'no longer applies';
      else if (d.dueOn < today && !rule?.window)
        state = `OVERDUE by ${lateness(d.dueOn, null, today).days} days`;
      else state = 'open';
      const note = d.status === 'OPEN' || d.status === 'PAUSED' ? dayNoteOf(d.dueOn, rule, ctx) : '';
      lines.push(
        `  ${formatDate(d.dueOn)}  ${name}${rule?.window ? ' (window)' : ''}${rule?.owner === 'la' ? " (the LA's)" : ''}: ${state}${note}  [${d.id}]`,
      );
      if (rule) lines.push(`      source: ${rule.source}`);
    }
    return lines;
  }
}
