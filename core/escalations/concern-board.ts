/**
 * The DSL board's view model (issue 17), pure: open concerns, unacknowledged first (red, with how long
 * they have waited), then by age; the ladder step reached (who has been asked so far); the raiser by role,
 * as the chat shows a concern's facts without the raiser's name (docs/safeguarding.md "What the DSL
 * receives"). KCSIE 2025 Part one: concerns are acted on immediately, so the oldest unacknowledged concern
 * is the first line a DSL reads.
 */
import { roleLabel } from '../staff/job-titles.ts';
import type { Role } from '../staff/roles.ts';
import { type ConcernOutcome, type ConcernStatus, outcomeLabels } from './concern.ts';
import { concernRef } from './concern-messages.ts';
import { levelLabel } from './escalation-ladder.ts';
import { reportDelay } from './report-delay.ts';
import type { RotaLevel } from './rota.ts';

/** One concern as the board reads it (names already resolved by the caller, after the access check). */
export interface BoardConcern {
  id: string;
  category: string;
  immediateRisk: boolean;
  /** When it happened (an imported incident's date, the raiser's "when"). */
  occurredAt: Date;
  raisedAt: Date;
  status: ConcernStatus;
  source: string;
  /** The raiser's roles; null for a concern raised by an import. */
  raiserRoles: Role[] | null;
  /** "Zephyrine Quillborough (Y8)", or the name as given and "(not on roll)". */
  child: string;
  ownerId: string | null;
  ownerName: string | null;
  acknowledgedByName: string | null;
  acknowledgedAt: Date | null;
  outcome: string | null;
  /** The ladder steps sent so far, in order: the levels each step went to ('resend' = everyone again). */
  steps: { step: number; levels: RotaLevel[]; resend: boolean }[];
}

export interface BoardRow {
  id: string;
  ref: string;
  child: string;
  category: string;
  immediateRisk: boolean;
  raisedAt: Date;
  raisedBy: string;
  /**
   * When it happened, if well before it was raised (report-delay.ts): the row says "Happened: <date>
   * (3 days before it reached you)"; null when it was raised at the time.
   */
  happened: { at: Date; delay: string } | null;
  /** Red: nobody has acknowledged it yet. */
  unacknowledged: boolean;
  /** "unacknowledged for 14 min", or "raised 3 days ago". */
  age: string;
  ageMinutes: number;
  status: ConcernStatus;
  statusLabel: string;
  /** "DSL → deputy DSL → head teacher (re-sent 2 times)"; "not yet sent" before the first step. */
  ladder: string;
  ownerId: string | null;
  owner: string;
  outcome: string;
}

export const statusLabels: Record<ConcernStatus, string> = {
  RAISED: 'Unacknowledged',
  ACKNOWLEDGED: 'Acknowledged',
  OWNED: 'Owned',
  CLOSED: 'Closed',
};

/**
 * "14 min", "2 h 5 min", "3 days".
 * @example formatAge(125) // '2 h 5 min'
 */
export function formatAge(minutes: number): string {
  const m = Math.max(0, Math.floor(minutes));
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) return m % 60 === 0 ? `${Math.floor(m / 60)} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
  const days = Math.floor(m / (24 * 60));
  return days === 1 ? '1 day' : `${days} days`;
}

/**
 * Who has been asked so far, step by step: "DSL → deputy DSL → head teacher", then the re-sends.
 * @example ladderText([{ step: 0, levels: ['DSL'], resend: false }]) // 'DSL'
 */
export function ladderText(steps: BoardConcern['steps']): string {
  if (steps.length === 0) return 'not yet sent';
  const ordered = [...steps].sort((a, b) => a.step - b.step);
  const climbed = ordered
    .filter((s) => !s.resend)
    .map((s) => s.levels.map((l) => levelLabel[l]).join(' + ') || 'nobody on duty');
  const resends = ordered.filter((s) => s.resend).length;
  const path = climbed.join(' → ') || 'the ladder';
  return resends > 0 ? `${path} (re-sent to all ${resends === 1 ? 'once' : `${resends} times`})` : path;
}

/** The raiser as the board names them: by role ("staff", "deputy DSL"), or the import's source. */
export function raisedByText(raiserRoles: Role[] | null, source: string): string {
  if (raiserRoles === null) return source === 'chat' ? 'a member of staff' : `import (${source})`;
  const shown = raiserRoles.filter((r) => r !== 'STAFF');
  return (shown.length > 0 ? shown : ['STAFF']).map((r) => roleLabel(r)).join(', ');
}

const late = (occurredAt: Date, raisedAt: Date) => {
  const delay = reportDelay(occurredAt, raisedAt);
  return delay ? { at: occurredAt, delay } : null;
};

/** The board's rows: unacknowledged first (the oldest first), then the others, the oldest first. */
export function boardRows(concerns: readonly BoardConcern[], now: Date): BoardRow[] {
  const rows = concerns.map((c): BoardRow => {
    const ageMinutes = (now.getTime() - c.raisedAt.getTime()) / 60_000;
    const unacknowledged = c.status === 'RAISED';
    return {
      id: c.id,
      ref: concernRef(c.id),
      child: c.child,
      category: c.category,
      immediateRisk: c.immediateRisk,
      raisedAt: c.raisedAt,
      raisedBy: raisedByText(c.raiserRoles, c.source),
      happened: late(c.occurredAt, c.raisedAt),
      unacknowledged,
      age: unacknowledged
        ? `unacknowledged for ${formatAge(ageMinutes)}`
        : `raised ${formatAge(ageMinutes)} ago`,
      ageMinutes: Math.floor(ageMinutes),
      status: c.status,
      statusLabel: statusLabels[c.status],
      ladder: ladderText(c.steps),
      ownerId: c.ownerId,
      owner:
        c.ownerName ?? (c.acknowledgedByName ? `none (acknowledged by ${c.acknowledgedByName})` : 'none'),
      outcome: c.outcome
        ? (outcomeLabels[c.outcome as ConcernOutcome] ?? c.outcome)
        : c.status === 'CLOSED'
          ? 'closed'
          : 'pending',
    };
  });
  return rows.sort(
    (a, b) =>
      Number(b.unacknowledged) - Number(a.unacknowledged) ||
      a.raisedAt.getTime() - b.raisedAt.getTime() ||
      a.id.localeCompare(b.id),
  );
}

/** The board's filters, parsed from the GET form (unknown values are ignored, never an error page). */
export interface BoardFilter {
  /** 'open' (default: everything not closed), or one status. */
  status: 'open' | ConcernStatus;
  category: string | null;
  /** A staff id, or 'none' for concerns nobody owns. */
  owner: string | null;
}

export function parseBoardFilter(q: Record<string, unknown>): BoardFilter {
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const status = str(q.status).toUpperCase();
  const statuses: ConcernStatus[] = ['RAISED', 'ACKNOWLEDGED', 'OWNED', 'CLOSED'];
  return {
    status: statuses.includes(status as ConcernStatus) ? (status as ConcernStatus) : 'open',
    category: str(q.category).slice(0, 100) || null,
    owner: str(q.owner).slice(0, 64) || null,
  };
}
