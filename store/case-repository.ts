/**
 * Cases (a statutory or local process about one student), their key dates (events) and exceptions.
 * Reads for the deadline planner are batched (habit: no per-case queries in loops).
 */
import { randomUUID } from 'node:crypto';
import type { Role } from '../core/staff/roles.ts';
import type { AuditRepository } from './audit-repository.ts';
import type { FieldCipher } from './crypto/field-cipher.ts';
import type { Db, Provider } from './db.ts';

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

export interface DeadlineRow {
  id: string;
  caseId: string;
  ruleId: string;
  dueOn: string;
  ownerId: string | null;
  status: 'OPEN' | 'MET' | 'PAUSED' | 'CANCELLED';
  metOn: string | null;
  snoozedUntil: string | null;
  pausedReason: string | null;
}

export interface PlanningCase {
  id: string;
  orgId: string;
  kind: string;
  rulePack: string;
  startDate: string;
  ownerId: string | null;
  reference: string | null;
  student: { givenName: string; familyName: string; yearGroup: string | null };
  events: { id: string; kind: string; occurredOn: string }[];
  deadlines: DeadlineRow[];
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

/** Field and record separators of the packed planner reads (control characters no id or date contains). */
export const US = '\x1f';
export const RS = '\x1e';
/** A nullable column packed as '' (null) or '=value', so null and '' stay apart. */
export const packOpt = (col: string) => `coalesce('=' || ${col}, '')`;
export const opt = (s: string): string | null => (s === '' ? null : s.slice(1));

/**
 * Reads a packed string field by field with indexOf and slice: no per-record arrays (splitting 200,000
 * records into arrays was a good part of a tick's garbage). `field()` reads a field followed by US,
 * `last()` the record's last field (followed by RS or the end).
 */
export class PackedReader {
  private p = 0;
  constructor(private readonly s: string) {}
  get done(): boolean {
    return this.p >= this.s.length;
  }
  field(): string {
    return this.upTo(US);
  }
  last(): string {
    return this.upTo(RS);
  }
  private upTo(sep: string): string {
    const s = this.s;
    let e = s.indexOf(sep, this.p);
    if (e < 0) e = s.length;
    const v = s.slice(this.p, e);
    this.p = e + 1;
    return v;
  }
}
/** Free text (names, references, event kinds) cannot break the packing: separators become spaces. */
const clean = (col: string) => `replace(replace(${col}, '${US}', ' '), '${RS}', ' ')`;
const j = (cols: string[]) => cols.join(` || '${US}' || `);

/**
 * String aggregation (null over no rows): PostgreSQL's string_agg, SQLite's group_concat (ORDER BY inside
 * the aggregate needs SQLite 3.44, bundled by better-sqlite3 12).
 */
export const aggregate = (provider: Provider, expr: string, orderBy?: string) => {
  const order = orderBy ? ` ORDER BY ${orderBy}` : '';
  return provider === 'postgres'
    ? `string_agg(${expr}, '${RS}'${order})`
    : `group_concat(${expr}, '${RS}'${order})`;
};

interface PlanningSql {
  cases: string;
  events: string;
  deadlines: string;
}
const planningSqlCache = new Map<string, PlanningSql>();
/** The three packed reads, for one page after a cursor (`paged`) or for every open case. */
function planningSql(provider: Provider, paged: boolean): PlanningSql {
  const cacheKey = `${provider}|${paged}`;
  let q = planningSqlCache.get(cacheKey);
  if (q) return q;
  const p = (i: number) => (provider === 'postgres' ? `$${i}` : '?');
  // The page's cases: ids greater than the cursor, up to `take`, in id order; or every open case.
  const cases = paged
    ? `SELECT "id" FROM "Case" WHERE "status" = 'OPEN' AND "id" > ${p(1)} ORDER BY "id" LIMIT ${p(2)}`
    : `SELECT "id" FROM "Case" WHERE "status" = 'OPEN'`;
  // The same set again, by range: open cases after the cursor up to the page's last id.
  const range = paged
    ? `SELECT "id" FROM "Case" WHERE "status" = 'OPEN' AND "id" > ${p(1)} AND "id" <= ${p(2)}`
    : cases;
  const caseCols = j([
    'c."id"',
    'c."orgId"',
    'CAST(c."kind" AS TEXT)',
    'c."rulePack"',
    'c."startDate"',
    packOpt('c."ownerId"'),
    packOpt(clean('c."reference"')),
    packOpt(clean('s."yearGroup"')),
    clean('s."givenName"'),
    clean('s."familyName"'),
  ]);
  q = {
    cases: `SELECT ${aggregate(provider, caseCols, 'c."id"')} AS "x", max(c."id") AS "last" FROM "Case" c JOIN "Student" s ON s."id" = c."studentId" WHERE ${paged ? `c."id" IN (${cases})` : `c."status" = 'OPEN'`}`,
    events: `SELECT ${aggregate(provider, j(['e."caseId"', 'e."id"', clean('e."kind"'), 'e."occurredOn"']))} AS "x" FROM "CaseEvent" e WHERE e."caseId" IN (${range})`,
    deadlines: `SELECT ${aggregate(
      provider,
      j([
        'd."caseId"',
        'd."id"',
        'd."ruleId"',
        'd."dueOn"',
        'CAST(d."status" AS TEXT)',
        packOpt('d."metOn"'),
        packOpt('d."snoozedUntil"'),
        packOpt('d."ownerId"'),
        packOpt(clean('d."pausedReason"')),
      ]),
    )} AS "x" FROM "Deadline" d WHERE d."caseId" IN (${range})`,
  };
  planningSqlCache.set(cacheKey, q);
  return q;
}

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
      const events = [{ kind: input.startEvent, occurredOn: input.startDate }, ...(input.events ?? [])];
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
        data: { status: 'CLOSED' },
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

  /**
   * Open cases with everything the planner needs, in id order: a page after a cursor (`take` given; the
   * cursor is the last id), or every open case (the planner: an LA's caseload fits in memory). Set-based and
   * packed: three queries per page (cases with their students, the page's key dates, the page's deadlines),
   * each returning one string aggregated in the database, so a tick at LA scale pays for a few cells rather
   * than half a million (the per-cell cost of the driver dominated the tick; docs/deadlines.md).
   */
  async openForPlanning(after?: string, take?: number): Promise<PlanningCase[]> {
    const paged = take !== undefined;
    const q = planningSql(this.provider, paged);
    const head = await this.db.$queryRawUnsafe<{ x: string | null; last: string | null }[]>(
      q.cases,
      ...(paged ? [after ?? '', take] : []),
    );
    const last = head[0]?.last;
    if (!head[0]?.x || !last) return [];
    const args = paged ? [after ?? '', last] : [];
    const [ev, dl] = await Promise.all([
      this.db.$queryRawUnsafe<{ x: string | null }[]>(q.events, ...args),
      this.db.$queryRawUnsafe<{ x: string | null }[]>(q.deadlines, ...args),
    ]);
    const byId = new Map<string, PlanningCase>();
    const out: PlanningCase[] = [];
    for (const r = new PackedReader(head[0].x); !r.done; ) {
      const id = r.field();
      const orgId = r.field();
      const kind = r.field();
      const rulePack = r.field();
      const startDate = r.field();
      const ownerId = opt(r.field());
      const reference = opt(r.field());
      const yearGroup = opt(r.field());
      const givenName = r.field();
      const familyName = r.last();
      const c: PlanningCase = {
        id,
        orgId,
        kind,
        rulePack,
        startDate,
        ownerId,
        reference,
        student: { yearGroup, givenName, familyName },
        events: [],
        deadlines: [],
      };
      byId.set(id, c);
      out.push(c);
    }
    if (ev[0]?.x)
      for (const r = new PackedReader(ev[0].x); !r.done; ) {
        const caseId = r.field();
        const id = r.field();
        const kind = r.field();
        const occurredOn = r.last();
        byId.get(caseId)?.events.push({ id, kind, occurredOn });
      }
    if (dl[0]?.x)
      for (const r = new PackedReader(dl[0].x); !r.done; ) {
        const caseId = r.field();
        const id = r.field();
        const ruleId = r.field();
        const dueOn = r.field();
        const status = r.field() as DeadlineRow['status'];
        const metOn = opt(r.field());
        const snoozedUntil = opt(r.field());
        const ownerId = opt(r.field());
        const pausedReason = opt(r.last());
        byId.get(caseId)?.deadlines.push({
          caseId,
          id,
          ruleId,
          dueOn,
          status,
          metOn,
          snoozedUntil,
          ownerId,
          pausedReason,
        });
      }
    // In the database's id order (aggregated in that order): the last one is the next page's cursor.
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
  async termDates(
    orgIds: string[],
  ): Promise<{ orgId: string; kind: string; startDate: string; endDate: string }[]> {
    if (orgIds.length === 0) return [];
    return this.db.termDate.findMany({
      where: { orgId: { in: orgIds } },
      select: { orgId: true, kind: true, startDate: true, endDate: true },
    });
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
        data: { rulePack: to },
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
