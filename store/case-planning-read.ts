/**
 * The deadline planner's packed reads (docs/deadlines.md "Performance"): open cases with their students,
 * key dates and deadlines in three queries, each aggregated by the database into one string, for every
 * open case (the full sweep), one page, or the cases a steady tick picked (issue 18).
 */
import type { Db, Provider } from './db.ts';

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
  /** The case's next moment as last planned ('' = its inputs changed since; docs/deadlines.md). */
  planOn?: string;
  /** Bumped by every change to the case's inputs: the planner records its moment only if unchanged. */
  planVersion?: number;
}

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
/** A JSON array parameter of strings as a one-column subquery (SQLite json_each, PostgreSQL json_array_elements_text). */
export const jsonIds = (provider: Provider, param: string) =>
  provider === 'postgres'
    ? `SELECT json_array_elements_text(${param}::json)`
    : `SELECT value FROM json_each(${param})`;

type PlanningMode = 'all' | 'paged' | 'ids';
/** The three packed reads: every open case, one page after a cursor, or the open cases among given ids. */
function planningSql(provider: Provider, mode: PlanningMode): PlanningSql {
  const cacheKey = `${provider}|${mode}`;
  let q = planningSqlCache.get(cacheKey);
  if (q) return q;
  const paged = mode === 'paged';
  const p = (i: number) => (provider === 'postgres' ? `$${i}` : '?');
  // The page's cases: ids greater than the cursor, up to `take`, in id order; the given ones; or every open case.
  // PostgreSQL, given ids: the ids as one text[] parameter in all three reads, the key dates and deadlines
  // by the given ids (read beside the cases; those of a case not open are dropped), without resolving the
  // ids against Case again in each read.
  const pgIds = provider === 'postgres' && mode === 'ids';
  const cases = paged
    ? `SELECT "id" FROM "Case" WHERE "status" = 'OPEN' AND "id" > ${p(1)} ORDER BY "id" LIMIT ${p(2)}`
    : mode === 'ids'
      ? `SELECT "id" FROM "Case" WHERE "status" = 'OPEN' AND "id" IN (${jsonIds(provider, p(1))})`
      : `SELECT "id" FROM "Case" WHERE "status" = 'OPEN'`;
  // The same set again, by range: open cases after the cursor up to the page's last id.
  const range = paged
    ? `SELECT "id" FROM "Case" WHERE "status" = 'OPEN' AND "id" > ${p(1)} AND "id" <= ${p(2)}`
    : cases;
  const ofCases = (col: string) => (pgIds ? `${col} = ANY($1::text[])` : `${col} IN (${range})`);
  const caseCols = j([
    'c."id"',
    'c."orgId"',
    'CAST(c."kind" AS TEXT)',
    'c."rulePack"',
    'c."startDate"',
    packOpt('c."ownerId"'),
    packOpt(clean('c."reference"')),
    packOpt(clean('s."yearGroup"')),
    'c."planOn"',
    'CAST(c."planVersion" AS TEXT)',
    clean('s."givenName"'),
    clean('s."familyName"'),
  ]);
  q = {
    cases: `SELECT ${aggregate(provider, caseCols, 'c."id"')} AS "x", max(c."id") AS "last" FROM "Case" c JOIN "Student" s ON s."id" = c."studentId" WHERE ${mode === 'all' ? `c."status" = 'OPEN'` : pgIds ? `c."id" = ANY($1::text[]) AND c."status" = 'OPEN'` : `c."id" IN (${cases})`}`,
    events: `SELECT ${aggregate(provider, j(['e."caseId"', 'e."id"', clean('e."kind"'), 'e."occurredOn"']))} AS "x" FROM "CaseEvent" e WHERE ${ofCases('e."caseId"')}`,
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
    )} AS "x" FROM "Deadline" d WHERE ${ofCases('d."caseId"')}`,
  };
  planningSqlCache.set(cacheKey, q);
  return q;
}

/**
 * Open cases with everything the planner needs, in id order: a page after a cursor (`take` given; the
 * cursor is the last id), or every open case (the planner: an LA's caseload fits in memory). Set-based and
 * packed: three queries per page (cases with their students, the page's key dates, the page's deadlines),
 * each returning one string aggregated in the database, so a tick at LA scale pays for a few cells rather
 * than half a million (the per-cell cost of the driver dominated the tick; docs/deadlines.md).
 */
export async function readPlanningCases(
  db: Db,
  provider: Provider,
  sel: { after?: string; take?: number; ids?: string[] },
): Promise<PlanningCase[]> {
  const mode: PlanningMode = sel.ids ? 'ids' : sel.take !== undefined ? 'paged' : 'all';
  if (sel.ids?.length === 0) return [];
  const q = planningSql(provider, mode);
  const pgIds = provider === 'postgres' && mode === 'ids';
  const ids = sel.ids ? (pgIds ? sel.ids : JSON.stringify(sel.ids)) : '';
  const rest = (args: unknown[]) =>
    Promise.all([
      db.$queryRawUnsafe<{ x: string | null }[]>(q.events, ...args),
      db.$queryRawUnsafe<{ x: string | null }[]>(q.deadlines, ...args),
    ]);
  // Every open case or given ids: the key dates and deadlines are read beside the cases (three statements
  // at once; given ids, the rows of a case that is not open are read and dropped below). A page: once its
  // last id is known.
  const early = mode === 'paged' ? undefined : rest(mode === 'ids' ? [ids] : []);
  // Awaited below; a failure of the first read must not leave it unhandled.
  early?.catch(() => undefined);
  const head = await db.$queryRawUnsafe<{ x: string | null; last: string | null }[]>(
    q.cases,
    ...(mode === 'paged' ? [sel.after ?? '', sel.take] : mode === 'ids' ? [ids] : []),
  );
  const last = head[0]?.last;
  if (!head[0]?.x || !last) return [];
  // A page's key dates and deadlines, started before its cases are unpacked.
  const rows = early ?? rest([sel.after ?? '', last]);
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
    const planOn = r.field();
    const planVersion = Number(r.field());
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
      planOn,
      planVersion,
      events: [],
      deadlines: [],
    };
    byId.set(id, c);
    out.push(c);
  }
  const [ev, dl] = await rows;
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
