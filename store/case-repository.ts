/**
 * Cases (a statutory or local process about one student), their key dates (events) and exceptions.
 * Reads for the deadline planner are batched (habit: no per-case queries in loops).
 */
import { randomUUID } from 'node:crypto';
import { withImpliedTerms } from '../core/calendar/implied-terms.ts';
import type { Role } from '../core/staff/roles.ts';
import type { AuditRepository } from './audit-repository.ts';
import { recordFirstOfficer } from './case-assignment-repository.ts';
import { markCasesChanged, PLAN_CHANGED } from './case-plan-repository.ts';
import { type PlanningCase, readPlanningCases } from './case-planning-read.ts';
import type { FieldCipher } from './crypto/field-cipher.ts';
import type { Db, Provider } from './db.ts';

export {
  aggregate,
  type DeadlineRow,
  jsonIds,
  opt,
  PackedReader,
  type PlanningCase,
  packOpt,
  RS,
  US,
} from './case-planning-read.ts';

export interface CaseEventRow {
  id: string;
  kind: string;
  occurredOn: string;
  recordedById: string | null;
  createdAt: Date;
}

export interface CaseExceptionRow {
  id: string;
  ruleId: string | null;
  reason: string;
  fromDate: string;
  toDate: string | null;
  recordedById: string;
  createdAt: Date;
}

export interface CaseDetail extends PlanningCase {
  status: string;
  studentId: string;
  exceptions: CaseExceptionRow[];
  eventRows: CaseEventRow[];
}

export interface OpenCaseInput {
  orgId: string;
  studentId: string;
  kind: string;
  rulePack: string;
  startDate: string;
  startEvent: string;
  ownerId: string | null;
  reference?: string;
  events?: { kind: string; occurredOn: string }[];
}

/** Another suspension case of the same pupil in the same organisation (CaseRepository.otherSuspensions). */
export interface SuspensionSibling {
  id: string;
  reference: string | null;
  status: string;
  events: { id: string; kind: string; occurredOn: string }[];
}

export interface Who {
  actorId: string | null;
  actorKind: 'staff' | 'system' | 'admin-cli';
  channel: 'CONSOLE' | 'TEAMS' | 'SLACK' | 'CLI' | 'SYSTEM';
}

export const deadlineSelect = {
  id: true,
  caseId: true,
  ruleId: true,
  dueOn: true,
  ownerId: true,
  status: true,
  metOn: true,
  snoozedUntil: true,
  pausedReason: true,
} as const;

const planningSelect = {
  id: true,
  orgId: true,
  kind: true,
  rulePack: true,
  startDate: true,
  ownerId: true,
  reference: true,
  student: { select: { givenName: true, familyName: true, yearGroup: true } },
  events: { select: { id: true, kind: true, occurredOn: true } },
  deadlines: { select: deadlineSelect },
} as const;

export class CaseRepository {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditRepository,
    private readonly cipher: FieldCipher,
    private readonly provider: Provider = 'sqlite',
  ) {}

  /** Open a case with its start event (and any earlier key dates), audited in the same transaction. */
  async open(input: OpenCaseInput, who: Who): Promise<{ id: string; reference: string }> {
    return this.db.$transaction(async (tx) => {
      const id = randomUUID();
      const reference = input.reference ?? `C-${id.slice(0, 8).toUpperCase()}`;
      await tx.case.create({
        data: {
          id,
          orgId: input.orgId,
          studentId: input.studentId,
          kind: input.kind as never,
          rulePack: input.rulePack,
          startDate: input.startDate,
          ownerId: input.ownerId,
          reference,
        },
      });
      // The assignment history begins with the opening: this officer from the start date.
      await recordFirstOfficer(tx, id, input.ownerId, input.startDate);
      // `--start D --event <the start event>=D` names the start once more: one key date, not two.
      const start = { kind: input.startEvent, occurredOn: input.startDate };
      const given = (input.events ?? []).filter(
        (e) => !(e.kind === start.kind && e.occurredOn === start.occurredOn),
      );
      const events = [start, ...given];
      await tx.caseEvent.createMany({
        data: events.map((e) => ({
          caseId: id,
          kind: e.kind,
          occurredOn: e.occurredOn,
          recordedById: who.actorId,
        })),
      });
      await this.audit.recordIn(tx, {
        orgId: input.orgId,
        actorId: who.actorId,
        actorKind: who.actorKind,
        action: 'case.opened',
        subjectType: 'case',
        subjectId: id,
        studentId: input.studentId,
        channel: who.channel,
        details: {
          kind: input.kind,
          rulePack: input.rulePack,
          startDate: input.startDate,
          events: events.length,
        },
      });
      return { id, reference };
    });
  }

  async addEvent(caseId: string, kind: string, occurredOn: string, who: Who): Promise<string> {
    return this.db.$transaction(async (tx) => {
      const c = await tx.case.findUniqueOrThrow({
        where: { id: caseId },
        select: { orgId: true, studentId: true },
      });
      const e = await tx.caseEvent.create({
        data: { caseId, kind, occurredOn, recordedById: who.actorId },
        select: { id: true },
      });
      await markCasesChanged(tx, [caseId]);
      await this.audit.recordIn(tx, {
        orgId: c.orgId,
        actorId: who.actorId,
        actorKind: who.actorKind,
        action: 'case.event_recorded',
        subjectType: 'case',
        subjectId: caseId,
        studentId: c.studentId,
        channel: who.channel,
        details: { kind, occurredOn },
      });
      return e.id;
    });
  }

  async close(caseId: string, who: Who): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const c = await tx.case.update({
        where: { id: caseId },
        // Closed: its pending nudges are cancelled by the next tick (store/case-plan-repository.ts).
        data: { status: 'CLOSED', planOn: PLAN_CHANGED, planVersion: { increment: 1 } },
        select: { orgId: true, studentId: true },
      });
      await tx.deadline.updateMany({
        where: { caseId, status: { in: ['OPEN', 'PAUSED'] } },
        data: { status: 'CANCELLED' },
      });
      await this.audit.recordIn(tx, {
        orgId: c.orgId,
        actorId: who.actorId,
        actorKind: who.actorKind,
        action: 'case.closed',
        subjectType: 'case',
        subjectId: caseId,
        studentId: c.studentId,
        channel: who.channel,
      });
    });
  }

  /** Every open case, or one page after a cursor (`take` given), for the planner (store/case-planning-read.ts). */
  openForPlanning(after?: string, take?: number): Promise<PlanningCase[]> {
    return readPlanningCases(this.db, this.provider, {
      ...(after !== undefined ? { after } : {}),
      ...(take !== undefined ? { take } : {}),
    });
  }

  /**
   * The open cases of one organisation, read as `openForPlanning` reads them: a view of one school's or
   * LA's caseload reads its own cases (Case @@index([orgId, status])), not every organisation's.
   */
  async openOfOrg(orgId: string): Promise<PlanningCase[]> {
    const ids = await this.db.case.findMany({ where: { orgId, status: 'OPEN' }, select: { id: true } });
    return this.forPlanning(ids.map((c) => c.id));
  }

  /** The open cases among `ids`, read as `openForPlanning` reads them (a steady tick's pick). */
  forPlanning(ids: string[]): Promise<PlanningCase[]> {
    return readPlanningCases(this.db, this.provider, { ids });
  }

  /**
   * For each suspension case among `caseIds`: the same pupil's other suspension cases in the same
   * organisation (open or closed), with their key dates. A pupil's suspensions in a term add up (School
   * Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012 reg 6(3)(b); core/deadlines/suspension.ts).
   * Two indexed reads (Case.id, then Case.studentId), 5,000 ids at a time; cases of other kinds are skipped.
   */
  async otherSuspensions(caseIds: string[]): Promise<Map<string, SuspensionSibling[]>> {
    const out = new Map<string, SuspensionSibling[]>();
    const own: { id: string; orgId: string; studentId: string }[] = [];
    for (let i = 0; i < caseIds.length; i += 5000)
      own.push(
        ...(await this.db.case.findMany({
          where: { id: { in: caseIds.slice(i, i + 5000) }, kind: 'SUSPENSION' },
          select: { id: true, orgId: true, studentId: true },
        })),
      );
    if (own.length === 0) return out;
    const students = [...new Set(own.map((c) => c.studentId))];
    const byPupil = new Map<string, SuspensionSibling[]>();
    for (let i = 0; i < students.length; i += 5000) {
      const rows = await this.db.case.findMany({
        where: { kind: 'SUSPENSION', studentId: { in: students.slice(i, i + 5000) } },
        select: {
          id: true,
          orgId: true,
          studentId: true,
          reference: true,
          status: true,
          events: { select: { id: true, kind: true, occurredOn: true } },
        },
      });
      for (const r of rows) {
        const key = `${r.orgId}|${r.studentId}`;
        const list = byPupil.get(key) ?? [];
        list.push({ id: r.id, reference: r.reference, status: r.status, events: r.events });
        byPupil.set(key, list);
      }
    }
    for (const c of own) {
      const others = (byPupil.get(`${c.orgId}|${c.studentId}`) ?? []).filter((x) => x.id !== c.id);
      if (others.length) out.set(c.id, others);
    }
    return out;
  }

  async byId(id: string): Promise<CaseDetail | null> {
    const c = await this.db.case.findUnique({
      where: { id },
      select: {
        ...planningSelect,
        status: true,
        studentId: true,
        events: { select: { id: true, kind: true, occurredOn: true, recordedById: true, createdAt: true } },
        exceptions: {
          select: {
            id: true,
            ruleId: true,
            reason: true,
            fromDate: true,
            toDate: true,
            recordedById: true,
            createdAt: true,
          },
        },
      },
    });
    if (!c) return null;
    return { ...(c as unknown as CaseDetail), eventRows: c.events as CaseEventRow[] };
  }

  async byReference(orgId: string | undefined, reference: string): Promise<{ id: string } | null> {
    return this.db.case.findFirst({
      where: { reference, ...(orgId ? { orgId } : {}) },
      select: { id: true },
    });
  }

  /** Term dates of several organisations at once (TERM ranges; INSET and CLOSURE days). */
  /** The ids of the organisations that are local authorities. */
  async localAuthorityIds(): Promise<string[]> {
    const rows = await this.db.organisation.findMany({
      where: { kind: 'LOCAL_AUTHORITY' },
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  async termDates(
    orgIds: string[],
  ): Promise<{ orgId: string; kind: string; startDate: string; endDate: string }[]> {
    if (orgIds.length === 0) return [];
    // A holidays-only calendar implies its school years' term time (core/calendar/implied-terms.ts).
    return withImpliedTerms(
      await this.db.termDate.findMany({
        where: { orgId: { in: orgIds } },
        select: { orgId: true, kind: true, startDate: true, endDate: true },
      }),
    );
  }

  /** Active staff of several organisations with their line managers and roles (escalation targets). */
  async staffOf(
    orgIds: string[],
  ): Promise<
    { id: string; orgId: string; displayName: string; lineManagerId: string | null; roles: Role[] }[]
  > {
    if (orgIds.length === 0) return [];
    const rows = await this.db.staff.findMany({
      where: { orgId: { in: orgIds }, active: true },
      select: {
        id: true,
        orgId: true,
        displayName: true,
        lineManagerId: true,
        roles: { select: { role: true } },
      },
    });
    return rows.map((r) => ({ ...r, roles: r.roles.map((x) => x.role as Role) }));
  }

  /** Cases whose stored rule pack has no version ("england-send-2014"): migrated at start-up. */
  async unversionedPacks(): Promise<{ id: string; kind: string; rulePack: string; startDate: string }[]> {
    return this.db.case.findMany({
      where: { NOT: { rulePack: { contains: '@' } } },
      select: { id: true, kind: true, rulePack: true, startDate: true },
    });
  }

  /** Point cases at a versioned pack (one statement per target pack), audited as a data migration. */
  async setRulePack(ids: string[], from: string, to: string): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.$transaction(async (tx) => {
      const r = await tx.case.updateMany({
        where: { id: { in: ids }, rulePack: from },
        data: { rulePack: to, planOn: PLAN_CHANGED, planVersion: { increment: 1 } },
      });
      await this.audit.recordIn(tx, {
        orgId: null,
        actorId: null,
        actorKind: 'system',
        action: 'case.rule_pack_migrated',
        subjectType: 'case',
        subjectId: ids[0]!,
        channel: 'SYSTEM',
        details: { from, to, cases: r.count },
      });
      return r.count;
    });
  }

  /** Find a student by id, UPN or external id within an organisation. */
  async findStudent(orgId: string, ref: string): Promise<{ id: string } | null> {
    return this.db.student.findFirst({
      where: { orgId, OR: [{ id: ref }, { upn: ref }, { externalId: ref }] },
      select: { id: true },
    });
  }

  encryptEvidence(evidence: string, caseId: string): string {
    return this.cipher.encrypt(evidence, `case-exception:${caseId}`);
  }
}
