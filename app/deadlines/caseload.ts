/**
 * Caseload views (issue 14 point 8): `send-hub case list` and chat `cases` (an officer's own; a manager's
 * team, by the line-manager relation); the SENDCo's `register` is app/deadlines/caseload-register.ts.
 * People by name (and email in the CLI), the child by initials and year group (docs/data-protection.md
 * §5), the case by its reference, internal ids only as short references for commands. The 20-week risk is part A's computation (app/deadlines/truth.ts).
 */
import type { IsoDate } from '../../core/calendar/iso-date.ts';
import { caseSubjectLabel } from '../../core/deadlines/case-label.ts';
import { formatDate } from '../../core/deadlines/nudges.ts';
import { nextOpen } from '../../core/deadlines/projection.ts';
import { isPlannedKey } from '../../core/deadlines/suspension.ts';
import { CaseloadRepository, type CaseloadRow } from '../../store/caseload-repository.ts';
import type { Hub } from '../container.ts';
import type { DeadlineService } from './service.ts';
import { type CaseProjection, caseloadTruth } from './truth.ts';

export const KIND_LABELS: Record<string, string> = {
  EHC_NEEDS_ASSESSMENT: 'EHC needs assessment',
  ANNUAL_REVIEW: 'annual review',
  PHASE_TRANSFER: 'phase transfer',
  TRIBUNAL_ORDER: 'tribunal order',
  CHILD_PROTECTION: 'child protection',
  CHILD_IN_NEED: 'child in need',
  SUSPENSION: 'suspension',
  PERMANENT_EXCLUSION: 'permanent exclusion',
  PEP: 'PEP',
  EARLY_HELP: 'early help',
  CP_FILE_TRANSFER: 'CP file transfer',
  STAFF_ALLEGATION: 'staff allegation',
  HEALTH_NEEDS: 'health needs absence',
};
export const kindLabel = (k: string): string => KIND_LABELS[k] ?? k.toLowerCase().replaceAll('_', ' ');

/** The short reference of an internal id, for commands ("[ref cmx1a2b3]"). */
export const shortRef = (id: string): string => id.slice(0, 10);

export interface CaseView extends CaseloadRow {
  ref: string;
  label: string;
  nextText: string | null;
  atRisk: string | null;
  /** Why an open case has no deadline (no key date its rules start from, an unknown pack), when known. */
  why: string | null;
}

export interface CaseListOptions {
  orgId: string;
  ownerIds?: string[];
  kind?: string;
  status?: 'OPEN' | 'CLOSED';
  atRisk?: boolean;
}

/**
 * The cases of the options, each with its next deadline named and its 20-week risk (if any). An open case's
 * deadlines are read as the next tick will store them, computed now by the tick's own engine and diff
 * (caseloadTruth's projection): the same as the stored rows once planned, and true too for a case whose
 * inputs changed since (just opened or loaded by `send-hub demo`, a key date just recorded: `Case.planOn`
 * ''), which the stored rows do not show yet. Nothing is written and nobody is nudged from here.
 */
export async function caseViews(hub: Hub, svc: DeadlineService, o: CaseListOptions): Promise<CaseView[]> {
  const today = svc.today();
  await svc.reloadLocalAuthorities(); // which organisations are local authorities (ruleFor below)
  const repo = new CaseloadRepository(hub.dbh.db);
  const rows = await repo.cases(o.orgId, {
    ...(o.ownerIds ? { ownerIds: o.ownerIds } : {}),
    ...(o.kind ? { kind: o.kind } : {}),
    ...(o.status ? { status: o.status } : {}),
    today,
  });
  const truth = await caseloadTruth(svc, { orgId: o.orgId, project: true });
  const risk = new Map(truth.atRisk.map((r) => [r.caseRef, r.atRiskReason ?? 'at risk']));
  const why = new Map(truth.problems.map((p) => [p.caseId, p.problems.map((x) => x.message).join('; ')]));
  const views = rows.map((stored): CaseView => {
    const p = stored.status === 'OPEN' ? truth.projected.get(stored.id) : undefined;
    // The LA's dates (Rule.owner) are theirs: never counted as this organisation's overdue work.
    const laOwned = (ruleId: string) =>
      svc.ruleFor(stored.kind, stored.rulePack, ruleId, o.orgId)?.owner === 'la';
    const r = p ? projectedRow(stored, p, today, laOwned) : stored;
    const ref = r.reference ?? shortRef(r.id);
    const nextRule = r.next ? svc.ruleFor(r.kind, r.rulePack, r.next.ruleId, o.orgId) : undefined;
    const name = r.next
      ? (nextRule?.name ?? r.next.ruleId) +
        (nextRule?.owner === 'la' ? " (the LA's)" : '') +
        (isPlannedKey(r.next.ruleId) ? ' (planned start)' : '')
      : null;
    const late = nextRule?.owner === 'la' ? 'passed' : 'OVERDUE since';
    return {
      ...r,
      ref,
      label: caseSubjectLabel(r.kind, r.student),
      nextText: r.next
        ? `${name} ${r.next.dueOn < today && r.next.status === 'OPEN' ? late : 'due'} ${formatDate(r.next.dueOn as IsoDate)}`
        : null,
      atRisk: r.status === 'OPEN' ? (risk.get(r.reference ?? r.id.slice(0, 8)) ?? null) : null,
      why: r.status === 'OPEN' ? (why.get(r.id) ?? null) : null,
    };
  });
  return o.atRisk ? views.filter((v) => v.atRisk) : views;
}

/** A caseload row with its deadlines as the next tick will store them. */
function projectedRow(
  r: CaseloadRow,
  p: CaseProjection,
  today: string,
  laOwned: (ruleId: string) => boolean,
): CaseloadRow {
  const open = p.deadlines.filter((d) => d.status === 'OPEN' || d.status === 'PAUSED');
  const next = nextOpen(open);
  return {
    ...r,
    next: next ? { ruleId: next.ruleId, dueOn: next.dueOn, status: next.status } : null,
    openDeadlines: open.length,
    overdue: open.filter((d) => d.status === 'OPEN' && d.dueOn < today && !laOwned(d.ruleId)).length,
  };
}

/** An open case without a next deadline: why, when a key date or the pack explains it. */
const noDeadline = (v: CaseView) => (v.why ? `no open deadline (${v.why})` : 'no open deadline');

/** One CLI line per case: reference, kind, child, owner (name and email), next deadline, risk, short id. */
export function caseCliLine(v: CaseView): string {
  const owner = v.owner ? `${v.owner.displayName} <${v.owner.email}>` : 'no owner';
  const parts = [
    v.ref.padEnd(10),
    kindLabel(v.kind).padEnd(21),
    v.label.padEnd(10),
    `owner ${owner}`,
    v.status === 'CLOSED' ? 'closed' : (v.nextText ?? noDeadline(v)),
  ];
  if (v.overdue) parts.push(`${v.overdue} overdue`);
  if (v.atRisk) parts.push(`AT RISK (${v.atRisk})`);
  // The case reference is what commands take (`case timeline EHC-12`); a case without one shows its id.
  return v.reference ? parts.join('  ') : `${parts.join('  ')}  [id ${v.id}]`;
}

/** One chat line per case (no email: the reader knows their colleagues). */
export function caseChatLine(v: CaseView): string {
  const bits = [
    `case ${v.ref}`,
    kindLabel(v.kind),
    v.label,
    v.status === 'CLOSED' ? 'closed' : (v.nextText ?? noDeadline(v)),
  ];
  if (v.overdue) bits.push(`${v.overdue} overdue`);
  if (v.atRisk) bits.push(`⚠ at risk: ${v.atRisk}`);
  return bits.join(' · ');
}

export async function reportsOf(hub: Hub, managerId: string) {
  return new CaseloadRepository(hub.dbh.db).reports(managerId);
}
