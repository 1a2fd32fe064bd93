/**
 * The caseload timeline page's data (issue 17): the person's list scope (core/access/policy.ts
 * `caseloadScope`, each row checked with `canViewCase`), the GET form's filters and sort read and checked,
 * one page of cases read (store/timeline-repository.ts), each drawn as a bar (core/deadlines/timeline.ts)
 * and laid out for the SVG chart, with the same rows for the table beside it.
 */
import { KIND_LABELS, kindLabel } from '../../../app/deadlines/caseload.ts';
import type { DeadlineService } from '../../../app/deadlines/service.ts';
import { canViewCase, caseloadScope } from '../../../core/access/policy.ts';
import { ehcnaRisk } from '../../../core/deadlines/at-risk.ts';
import { caseSubjectLabel } from '../../../core/deadlines/case-label.ts';
import { formatDate } from '../../../core/deadlines/nudges.ts';
import { STATE_LABELS, type TimelineBar, timelineBar } from '../../../core/deadlines/timeline.ts';
import { STATE_STYLE, timelineChart } from '../../../core/deadlines/timeline-chart.ts';
import {
  TimelineRepository,
  type TimelineSort,
  type TimelineStateFilter,
} from '../../../store/timeline-repository.ts';
import type { WebContext } from '../../kit.ts';

export const PAGE_SIZE = 50;
export const EXPORT_MAX = 20_000;
const SORTS: Record<TimelineSort, string> = {
  next: 'Next deadline',
  age: 'Age (oldest first)',
  officer: 'Officer',
};
const STATES: Record<TimelineStateFilter | 'at_risk', string> = {
  late: 'Late',
  at_risk: 'At risk (20 weeks)',
  paused: 'Paused by an exception',
  met: 'Met on time',
};

export interface CaseloadQuery {
  officer?: string;
  kind?: string;
  state?: TimelineStateFilter | 'at_risk';
  sort: TimelineSort;
  page: number;
}

const one = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Read the GET form; a value that is not one of the choices is named in `errors` and ignored. */
export function readQuery(q: Record<string, unknown>): {
  query: CaseloadQuery;
  errors: { field: string; text: string }[];
} {
  const errors: { field: string; text: string }[] = [];
  const query: CaseloadQuery = { sort: 'next', page: 1 };
  const sort = one(q.sort);
  if (sort && sort in SORTS) query.sort = sort as TimelineSort;
  else if (sort)
    errors.push({ field: 'sort', text: `Sort by must be one of: ${Object.values(SORTS).join(', ')}` });
  const kind = one(q.kind);
  if (kind && kind in KIND_LABELS) query.kind = kind;
  else if (kind) errors.push({ field: 'kind', text: 'Kind of case must be one of the kinds listed' });
  const state = one(q.state);
  if (state && state in STATES) query.state = state as CaseloadQuery['state'];
  else if (state)
    errors.push({ field: 'state', text: `State must be one of: ${Object.values(STATES).join(', ')}` });
  const officer = one(q.officer);
  if (officer) query.officer = officer;
  const page = one(q.page);
  if (page && /^\d{1,5}$/.test(page) && Number(page) >= 1) query.page = Number(page);
  else if (page) errors.push({ field: 'page', text: 'Page must be a whole number from 1' });
  return { query, errors };
}

/** The page's view; `all`: every matching case on one page (the CSV export, at most EXPORT_MAX). */
export async function caseloadView(
  ctx: WebContext,
  svc: DeadlineService,
  raw: Record<string, unknown>,
  opts: { all?: boolean } = {},
) {
  const { hub, actor } = ctx;
  const { query, errors } = readQuery(raw);
  const today = svc.today();
  const repo = new TimelineRepository(hub.dbh.db, hub.dbh.provider);
  const scope = caseloadScope(actor, await repo.reportIds(actor.staffId));
  const officers = await repo.officers(actor.orgId, scope.ownerIds);
  let ownerIds = scope.ownerIds;
  if (query.officer) {
    if (officers.some((o) => o.id === query.officer)) ownerIds = [query.officer];
    else {
      errors.push({
        field: 'officer',
        text: 'Officer must be one of the officers listed (yours and your team)',
      });
      query.officer = undefined;
    }
  }
  await svc.ensureHolidays();
  let caseIds: string[] | undefined;
  if (query.state === 'at_risk') {
    const open = await repo.openAssessments(actor.orgId, ownerIds);
    caseIds = open
      .filter((c) => {
        const e7 = c.e7;
        if (e7 && e7.status !== 'OPEN') return false;
        const r = ehcnaRisk(
          { events: c.events, ...(e7 ? { finalDueOn: e7.dueOn } : {}) },
          today,
          svc.holidays,
        );
        return r?.atRisk === true;
      })
      .map((c) => c.id);
  }
  const windowRules = ['E5'];
  const { ids, total } = await repo.pageIds({
    orgId: actor.orgId,
    ...(ownerIds ? { ownerIds } : {}),
    ...(query.kind ? { kind: query.kind } : {}),
    ...(scope.restricted ? { restricted: scope.restricted } : {}),
    ...(query.state && query.state !== 'at_risk' ? { state: query.state } : {}),
    ...(caseIds ? { caseIds } : {}),
    sort: query.sort,
    today,
    windowRules,
    offset: opts.all ? 0 : (query.page - 1) * PAGE_SIZE,
    limit: opts.all ? EXPORT_MAX : PAGE_SIZE,
  });
  const rows = (await repo.cases(ids)).filter((c) =>
    canViewCase(actor, {
      orgId: c.orgId,
      kind: c.kind,
      ownerId: c.owner?.id ?? null,
      ownerLineManagerId: c.owner?.lineManagerId ?? null,
    }),
  );
  const bars = rows.map((c) => {
    const rules = {
      name: (id: string) => svc.ruleFor(c.kind, c.rulePack, id)?.name ?? id,
      isWindow: (id: string) =>
        svc.ruleFor(c.kind, c.rulePack, id)?.window === true || windowRules.includes(id),
    };
    const bar = timelineBar(c, today, svc.holidays, rules);
    const child = caseSubjectLabel(c.kind, c.student);
    return { bar, c, label: `${bar.ref} · ${child}` };
  });
  const chart = opts.all
    ? null
    : timelineChart(
        bars.map((b) => ({ ...b.bar, label: b.label })),
        today,
      );
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const link = (page: number, csv = false) => {
    const p = new URLSearchParams();
    if (query.officer) p.set('officer', query.officer);
    if (query.kind) p.set('kind', query.kind);
    if (query.state) p.set('state', query.state);
    if (query.sort !== 'next') p.set('sort', query.sort);
    if (page > 1) p.set('page', String(page));
    if (csv) p.set('format', 'csv');
    const s = p.toString();
    return `/app/caseload${s ? `?${s}` : ''}`;
  };
  return {
    query,
    errors,
    total,
    today,
    todayText: formatDate(today),
    csvUrl: link(1, true),
    chart,
    legend: Object.entries(STATE_STYLE).map(([k, s]) => ({
      label: STATE_LABELS[k as keyof typeof STATE_LABELS],
      colour: s.colour,
      path: legendShape(s.shape),
    })),
    rows: bars.map(({ bar, c }) => tableRow(bar, c)),
    options: {
      officers: officers.map((o) => ({ value: o.id, text: o.displayName, selected: o.id === query.officer })),
      kinds: Object.entries(KIND_LABELS).map(([value, text]) => ({
        value,
        text,
        selected: value === query.kind,
      })),
      states: Object.entries(STATES).map(([value, text]) => ({
        value,
        text,
        selected: value === query.state,
      })),
      sorts: Object.entries(SORTS).map(([value, text]) => ({ value, text, selected: value === query.sort })),
    },
    pagination: {
      page: query.page,
      pages,
      from: total === 0 ? 0 : (query.page - 1) * PAGE_SIZE + 1,
      to: Math.min(total, query.page * PAGE_SIZE),
      previous: query.page > 1 ? link(query.page - 1) : null,
      next: query.page < pages ? link(query.page + 1) : null,
    },
  };
}

function legendShape(shape: string): string {
  // A marker centred on (8, 8) of a 16 x 16 box.
  switch (shape) {
    case 'circle':
      return 'M2 8a6 6 0 1 0 12 0a6 6 0 1 0 -12 0Z';
    case 'square':
      return 'M3 3h10v10h-10Z';
    case 'triangle':
      return 'M8 1L15 14L1 14Z';
    case 'cross':
      return 'M2 4l2-2l4 4l4-4l2 2l-4 4l4 4l-2 2l-4-4l-4 4l-2-2l4-4Z';
    default:
      return 'M8 1L15 8L8 15L1 8Z';
  }
}

function tableRow(
  bar: TimelineBar,
  c: {
    kind: string;
    student: { givenName: string; familyName: string; yearGroup: string | null };
    owner: { displayName: string } | null;
    unplanned: boolean;
  },
) {
  // The child by name: the row is one the policy lets this person see (canViewCase); a staff allegation names nobody.
  const child =
    c.kind === 'STAFF_ALLEGATION'
      ? caseSubjectLabel(c.kind, c.student)
      : `${c.student.givenName} ${c.student.familyName}${yearText(c.student.yearGroup)}`;
  return {
    ref: bar.ref,
    kind: kindLabel(bar.kind),
    child,
    officer: c.owner?.displayName ?? 'No officer',
    started: formatDate(bar.start),
    startedOn: bar.start,
    week: bar.week,
    state: bar.state,
    stateLabel: STATE_LABELS[bar.state],
    // A case opened (or changed) since the hub's last tick has no stored deadlines yet: not "none open".
    next: bar.next
      ? `${bar.next.name}: ${formatDate(bar.next.dueOn)} (${bar.next.detail})`
      : c.unplanned
        ? 'Not computed yet: the hub computes it at its next tick'
        : 'None open',
    keyDates: bar.markers.map((m) => ({
      text: `${m.name}: ${formatDate(m.dueOn)}`,
      state: STATE_LABELS[m.state],
      detail: m.detail,
    })),
    risk: bar.riskReasons.join('; '),
  };
}

const yearText = (y: string | null) => (y ? ` (${/^\d+$/.test(y) ? `Y${y}` : y})` : '');
