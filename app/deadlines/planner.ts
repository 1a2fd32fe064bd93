/**
 * The deadline tick (docs/deadlines.md "How the tick works", issue 18). A **full sweep** plans every open
 * case, as the planner always did; a **steady tick** plans only the cases whose next moment has come
 * (`Case.planOn <= today`: a nudge or escalation to store that day), whose inputs changed (`planOn` reset
 * by the writer), whose organisation's staff or term dates changed (a signature per organisation) or whose
 * student changed (`Student.updatedAt`).
 * The full sweep still runs every `DEADLINE_FULL_SWEEP_SECONDS` (hourly), on the first tick of a process
 * and of the digest day, when the bank holidays change, and on the digest day before the digests go out
 * if anything changed: it catches a change whose writer did not mark the case.
 */
import { addDays, type IsoDate } from '../../core/calendar/iso-date.ts';
import { zonedInstant } from '../../core/calendar/zoned-time.ts';
import {
  DEADLINE_REMINDER_KINDS,
  hash53,
  type NudgeSlot,
  planNudgeSlots,
  renderNudge,
} from '../../core/deadlines/nudges.ts';
import { type CasePlanRepository, PLAN_NEVER, type PlanMark } from '../../store/case-plan-repository.ts';
import type { NudgeState, NudgeWrite, StoredNudge } from '../../store/deadline-repository.ts';
import { DIGEST_KINDS, isDigestDay, planDigests } from './digests.ts';
import {
  FLAG_AT_RISK,
  FLAG_NEEDS_TERMS,
  FLAG_UNKNOWN_PACK,
  FLAG_WAITING,
  type OrgContext,
  planCases,
} from './plan-cases.ts';
import type { DeadlineService, TickReport } from './service.ts';

/** How far ahead deadline nudges become Reminder rows. */
export const NUDGE_HORIZON_DAYS = 3;
/** Past nudges younger than this still go out (a case recorded late). */
export const NUDGE_LOOKBACK_DAYS = 7;

type Terms = { orgId: string; kind: string; startDate: string; endDate: string }[];
type Staff = Awaited<ReturnType<CasePlanRepository['staff']>>;
/** What a tick writes: the new nudges (rendered as written), the re-armed and the withdrawn ones. */
type NudgeWrites = { creates: NudgeSlot[]; upsert: boolean; updates: NudgeWrite[]; cancels: string[] };

/** One string per organisation standing for its staff (names, managers, roles) and term dates. */
function orgSignatures(terms: Terms, staff: Staff): Map<string, string> {
  const parts = new Map<string, string[]>();
  const add = (orgId: string, s: string) => {
    const l = parts.get(orgId);
    if (l) l.push(s);
    else parts.set(orgId, [s]);
  };
  for (const t of terms) add(t.orgId, `t|${t.kind}|${t.startDate}|${t.endDate}`);
  for (const s of staff)
    add(s.orgId, `s|${s.id}|${s.displayName}|${s.lineManagerId ?? ''}|${[...s.roles].sort().join(',')}`);
  const out = new Map<string, string>();
  for (const [orgId, l] of parts) out.set(orgId, hash53(l.sort().join('\n')));
  return out;
}

export class DeadlinePlanner {
  /** Hub-clock time of the last full sweep, and its local day. */
  private lastFullAt: number | undefined;
  private lastFullDay = '';
  private holidaysAtFull = '';
  private orgSigs = new Map<string, string>();
  /** Wall-clock start of the last tick's reads (Student.updatedAt is written in wall-clock time). */
  private studentsSeen: Date | undefined;
  /** Each open case's flags as last planned (health counts without reading every case). */
  private readonly flags = new Map<string, number>();

  constructor(
    private readonly svc: DeadlineService,
    private readonly plans: CasePlanRepository,
  ) {}

  /** Whether the next tick at `now` must be a full sweep whatever changed. */
  mustSweep(now: Date, today: IsoDate): boolean {
    return (
      this.lastFullAt === undefined ||
      now.getTime() - this.lastFullAt >= this.svc.env.DEADLINE_FULL_SWEEP_SECONDS * 1000 ||
      now.getTime() < this.lastFullAt ||
      this.svc.holidaysSignature !== this.holidaysAtFull ||
      (isDigestDay(this.svc.env, today) && this.lastFullDay !== today)
    );
  }

  /**
   * One tick: a full sweep (`full`, or when `mustSweep`) or a steady one. With `dryRun` nothing is written
   * and no state kept: the report says what the tick would write (a check of the stored state).
   */
  async run(now: Date, today: IsoDate, opts: { full: boolean; dryRun?: boolean }): Promise<TickReport> {
    const svc = this.svc;
    const dryRun = opts.dryRun ?? false;
    let full = opts.full || this.mustSweep(now, today);
    const report: TickReport = {
      full: full ? 1 : 0,
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
    const digestDay = isDigestDay(svc.env, today);
    let t0 = performance.now();
    const seen = new Date(Date.now() - 1000);
    const [terms, staff] = await Promise.all([this.plans.termDates(), this.plans.staff()]);
    const sigs = orgSignatures(terms, staff);
    // The steady tick's pick: cases due or marked changed, of organisations whose staff or terms changed,
    // and of students changed since the last tick.
    let picked: string[] = [];
    const marks: PlanMark[] = [];
    if (!full) {
      const due = await this.plans.due(today);
      const changedOrgs = [...new Set([...sigs.keys(), ...this.orgSigs.keys()])].filter(
        (o) => sigs.get(o) !== this.orgSigs.get(o),
      );
      const [ofOrgs, ofStudents] = await Promise.all([
        this.plans.openOfOrgs(changedOrgs),
        this.studentsSeen ? this.plans.openWithStudentChangedSince(this.studentsSeen) : [],
      ]);
      picked = [...new Set([...due.map((d) => d.id), ...ofOrgs, ...ofStudents])];
      // Closed (or otherwise not open) cases marked changed: their pending nudges are cancelled below.
      for (const d of due)
        if (!d.open) marks.push({ id: d.id, planOn: PLAN_NEVER, planVersion: d.planVersion });
      // The digests say what every case says: on the digest day, before they go out, any change re-plans all.
      const digestAt = zonedInstant(today, svc.env.DEADLINE_NUDGE_TIME, svc.zone);
      if (digestDay && picked.length > 0 && now < digestAt) {
        full = true;
        report.full = 1;
        marks.length = 0;
      }
    }
    // The stored nudges of the cases to plan, read while the cases are read and planned (on PostgreSQL the
    // query runs beside the tick's JavaScript; the slots are compared with it once both are done). Cancelled
    // reminders older than `since` are not re-armed from this read; a wanted one is found by key.
    const since = new Date(`${addDays(today, -(NUDGE_LOOKBACK_DAYS + 14))}T00:00:00Z`);
    const storedRead = svc.deadlines.nudgeState(
      DEADLINE_REMINDER_KINDS,
      since,
      full ? undefined : [...picked, ...marks.map((m) => m.id)],
    );
    // Awaited below; a failure of the tick before then must not leave it unhandled.
    storedRead.catch(() => undefined);
    const page = full ? await svc.cases.openForPlanning() : await svc.cases.forPlanning(picked);
    if (full)
      for (const d of await this.plans.due(today))
        if (!d.open) marks.push({ id: d.id, planOn: PLAN_NEVER, planVersion: d.planVersion });
    report.readMs += performance.now() - t0;
    const org = this.orgContext(terms, staff);
    const nudge = {
      leadTimes: svc.leadTimes,
      holidays: svc.holidays,
      zone: svc.zone,
      sendAt: svc.env.DEADLINE_NUDGE_TIME,
      // Nudges are planned a few days ahead only: fewer pending rows keep each tick cheap at LA scale.
      horizonDays: NUDGE_HORIZON_DAYS,
      lookbackDays: NUDGE_LOOKBACK_DAYS,
    };
    const plan = await planCases(
      svc,
      page,
      today,
      org,
      { digestDay: full && digestDay, dryRun, nudge },
      report,
    );
    t0 = performance.now();
    const slots = planNudgeSlots(plan.nudgeItems, today, nudge);
    report.nudges = slots.length;
    report.computeMs += performance.now() - t0;
    t0 = performance.now();
    const stored = await storedRead;
    const writes = await this.reconcileNudges(slots, stored, report);
    if (full && digestDay) {
      const digests = planDigests(
        svc.env,
        svc.zone,
        plan.digestItems,
        today,
        org.staffNames,
        plan.problemsByOwner,
      );
      report.digests = digests.length;
      if (digests.length && !dryRun) {
        const r = await svc.hub.reminders.reconcile(
          digests.map((d) => d.subject),
          digests,
          DIGEST_KINDS,
        );
        report.remindersCreated += r.created;
        report.remindersUpdated += r.updated;
      }
    }
    // Each case's next moment, written only where it moved (and only if the case did not change meanwhile).
    for (const c of plan.perCase) {
      const next = c.next ?? PLAN_NEVER;
      if (next !== c.planOn) marks.push({ id: c.id, planOn: next, planVersion: c.planVersion });
    }
    report.reconcileMs += performance.now() - t0;
    if (dryRun) return this.rounded(report);
    t0 = performance.now();
    // The nudges and the cases' next moments in one transaction: a case's moment moves with its nudges.
    // None when nothing is to be written (a steady tick with nothing due: no BEGIN, no commit).
    if (writes.creates.length + writes.updates.length + writes.cancels.length + marks.length > 0)
      await svc.deadlines.inTransaction(async (tx) => {
        const n = await svc.deadlines.writeNudges(
          rendered(writes.creates),
          writes.updates,
          writes.cancels,
          tx,
          { upsert: writes.upsert },
        );
        // A key stored after all (upsert): re-armed or left, not created.
        if (writes.upsert) {
          report.remindersCreated += n.created - writes.creates.length;
          report.remindersUpdated += n.rearmed;
        }
        await this.plans.setPlanned(marks, tx);
      });
    report.writeMs += performance.now() - t0;
    if (full) {
      this.flags.clear();
      this.lastFullAt = now.getTime();
      this.lastFullDay = today;
      this.holidaysAtFull = svc.holidaysSignature;
    }
    for (const m of marks) this.flags.delete(m.id);
    for (const c of plan.perCase) this.flags.set(c.id, c.flags);
    this.orgSigs = sigs;
    this.studentsSeen = seen;
    this.countFlags(report);
    return this.rounded(report);
  }

  private rounded(report: TickReport): TickReport {
    for (const k of ['readMs', 'computeMs', 'writeMs', 'reconcileMs'] as const)
      report[k] = Math.round(report[k]);
    return report;
  }

  /** Whole-caseload counts (health, `doctor`, the log line) from each case's flags as last planned. */
  private countFlags(report: TickReport): void {
    let unknown = 0;
    let waiting = 0;
    let terms = 0;
    let risk = 0;
    for (const f of this.flags.values()) {
      if (f & FLAG_UNKNOWN_PACK) unknown++;
      if (f & FLAG_WAITING) waiting++;
      if (f & FLAG_NEEDS_TERMS) terms++;
      if (f & FLAG_AT_RISK) risk++;
    }
    report.casesUnknownPack = unknown;
    report.casesWaitingForEvent = waiting;
    report.casesNeedTermDates = terms;
    report.casesAtRisk = risk;
  }

  private orgContext(terms: Terms, staff: Staff): OrgContext {
    const staffNames = new Map<string, string>();
    const lineManager = new Map(staff.map((s) => [s.id, s.lineManagerId]));
    for (const s of staff) staffNames.set(s.id, s.displayName);
    // Where an owner has no line manager, escalate to the organisation's head (or an admin).
    const fallback = new Map<string, string>();
    for (const s of staff)
      if (s.roles.includes('HEAD') && !fallback.has(s.orgId)) fallback.set(s.orgId, s.id);
    for (const s of staff)
      if (s.roles.includes('ADMIN') && !fallback.has(s.orgId)) fallback.set(s.orgId, s.id);
    // The DSLs: told too when the LA's date on a child-protection case passes (Working Together 2023).
    const dsls = new Map<string, string[]>();
    for (const s of staff)
      if (s.roles.includes('DSL')) dsls.set(s.orgId, [...(dsls.get(s.orgId) ?? []), s.id]);
    return {
      ctxFor: this.svc.calendarsFor(terms),
      withTerms: new Set(terms.filter((t) => t.kind === 'TERM').map((t) => t.orgId)),
      lineManager,
      fallback,
      staffNames,
      dsls,
    };
  }

  /**
   * What makes the stored deadline reminders match the slots: compare key, status and fingerprint (which
   * covers the planned due time, recipient and message; one packed read), render messages only for changed
   * slots (new ones are rendered as they are written), cancel pending ones no longer wanted (among `stored`:
   * every deadline's in a full sweep, the picked cases' in a steady tick). The slots `stored` lacks are new
   * ones, or nudges already handed to the outbox: looked up by key in one bulk read, unless `stored` holds
   * every status (PostgreSQL's steady tick): then they are new, and written with `upsert` (a key stored
   * after all is treated as the lookup would have). Same outcome as ReminderRepository.reconcile over those
   * deadlines; the caller writes the result in the tick's transaction.
   */
  private async reconcileNudges(
    slots: NudgeSlot[],
    stored: NudgeState,
    report: TickReport,
  ): Promise<NudgeWrites> {
    const svc = this.svc;
    // One lookup per slot by key; the stored entries found are remembered (by object) for the cancels.
    const found: (StoredNudge | undefined)[] = new Array(slots.length);
    const missing: string[] = [];
    const wanted = new Set<StoredNudge>();
    for (let k = 0; k < slots.length; k++) {
      const cur = stored.byKey.get(slots[k]!.dedupeKey);
      found[k] = cur;
      if (cur) wanted.add(cur);
      else missing.push(slots[k]!.dedupeKey);
    }
    const upsert = stored.everyStatus;
    const more =
      missing.length > 0 && !upsert
        ? await svc.deadlines.storedNudges(missing)
        : new Map<string, StoredNudge>();
    const creates: NudgeSlot[] = [];
    const updates: NudgeWrite[] = [];
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[k]!;
      const cur = found[k] ?? more.get(slot.dedupeKey);
      if (!cur) creates.push(slot);
      else if (
        (cur.status === 'PENDING' || cur.status === 'CANCELLED') &&
        (cur.status === 'CANCELLED' || cur.fingerprint !== slot.fingerprint)
      )
        updates.push({ spec: renderNudge(slot), fingerprint: slot.fingerprint });
    }
    const cancels: string[] = [];
    for (const [key, cur] of stored.byKey)
      if (cur.status === 'PENDING' && !wanted.has(cur)) cancels.push(key);
    report.remindersCreated += creates.length;
    report.remindersUpdated += updates.length;
    report.remindersCancelled += cancels.length;
    return { creates, upsert, updates, cancels };
  }
}

/** New nudges rendered one by one as the writer takes them (on PostgreSQL, beside the server's insert). */
function* rendered(slots: NudgeSlot[]): Generator<NudgeWrite> {
  for (const slot of slots) yield { spec: renderNudge(slot), fingerprint: slot.fingerprint };
}
