/**
 * Sync the configured mailboxes' Outlook calendars through Microsoft Graph (app-only) into meetings.
 * The first round per day reads the whole window with calendarView/delta (meetings gone from it are
 * cancelled); later rounds send the stored @odata.deltaLink and get only changes. Delta links live in
 * DATA_DIR/graph-delta.json; losing it only costs one full round (the upsert is idempotent).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@microsoft/microsoft-graph-client';
import { isDomainError } from '../../core/errors.ts';
import {
  createGraphClient,
  GraphSignInError,
  GraphUnavailableError,
} from '../../integrations/graph-calendar/graph-transport.ts';
import {
  GraphCalendarReader,
  GraphEventRejected,
  type GraphRejection,
  toOccurrence,
} from '../../integrations/graph-calendar/read-graph-calendar.ts';
import type { IcsOccurrence } from '../../integrations/ics/read-ics-feed.ts';
import { CalendarSyncRepository } from '../../store/calendar-sync-repository.ts';
import { importsConfig } from '../config/imports.ts';
import type { Hub } from '../container.ts';
import { meetingUpsertsFrom } from './sync-ics-feed.ts';

interface DeltaState {
  [user: string]: { deltaLink: string; day: string };
}

export interface GraphSyncResult {
  /** Calendars read to the end. */
  users: number;
  created: number;
  updated: number;
  unchanged: number;
  cancelled: number;
  /** Events left out, one at a time (the others of that calendar are kept). */
  invalid: number;
  /** Calendars that could not be read this round (the others are synced). */
  failed: number;
}

/** Why an event or a whole calendar was left out: user by position in the list, never a value. */
export interface GraphSyncProblem extends Partial<GraphRejection> {
  /** 1-based position of the mailbox in GRAPH_CALENDAR_USERS + group members (0: a group, see `group`). */
  user: number;
  /** 1-based position in GRAPH_CALENDAR_GROUPS of a group whose members could not be listed. */
  group?: number;
  reason: string;
}

/** A problem's one-line reason: a domain error's message (written to name no value), else the class. */
const problemReason = (err: unknown): string =>
  isDomainError(err) ? err.message : `could not be synced (${err instanceof Error ? err.name : 'Error'})`;

const stateFile = (hub: Hub) => path.join(hub.config.dataDir, 'graph-delta.json');

function loadState(hub: Hub): DeltaState {
  try {
    return JSON.parse(fs.readFileSync(stateFile(hub), 'utf8')) as DeltaState;
  } catch {
    return {};
  }
}

function saveState(hub: Hub, s: DeltaState): void {
  fs.mkdirSync(hub.config.dataDir, { recursive: true });
  const tmp = `${stateFile(hub)}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s), { mode: 0o600 });
  fs.renameSync(tmp, stateFile(hub));
}

export function graphClientFromConfig(hub: Hub): Client | null {
  const cfg = importsConfig(hub.config.raw);
  if (!cfg.GRAPH_TENANT_ID || !cfg.GRAPH_CLIENT_ID || !cfg.GRAPH_CLIENT_SECRET) return null;
  return createGraphClient({
    tenantId: cfg.GRAPH_TENANT_ID,
    clientId: cfg.GRAPH_CLIENT_ID,
    clientSecret: cfg.GRAPH_CLIENT_SECRET,
  });
}

/** @example await syncGraphCalendars(hub, { orgId, client: graphClientFromConfig(hub) }) */
export async function syncGraphCalendars(
  hub: Hub,
  input: { orgId: string; client: Client; users?: string[]; groups?: string[] },
): Promise<GraphSyncResult & { problems: GraphSyncProblem[] }> {
  const cfg = importsConfig(hub.config.raw);
  const split = (s: string | undefined) =>
    (s ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
  const reader = new GraphCalendarReader(input.client);
  const named = input.users ?? split(cfg.GRAPH_CALENDAR_USERS);
  const members: string[] = [];
  const groupProblems: GraphSyncProblem[] = [];
  for (const [gi, g] of (input.groups ?? split(cfg.GRAPH_CALENDAR_GROUPS)).entries()) {
    try {
      members.push(...(await reader.groupMembers(g)));
    } catch (err) {
      // One group Graph cannot list leaves its members out this round; the other mailboxes are synced.
      if (err instanceof GraphSignInError) throw err;
      groupProblems.push({ user: 0, group: gi + 1, reason: problemReason(err) });
      hub.log.warn({ orgId: input.orgId, group: gi + 1 }, 'graph group members not listed');
    }
  }
  const users = [...new Set([...named.map((u) => u.toLowerCase()), ...members])];
  const now = hub.clock.now();
  const from = new Date(now.getTime() - cfg.CALENDAR_SYNC_DAYS_BACK * 86_400_000);
  const to = new Date(now.getTime() + cfg.CALENDAR_SYNC_DAYS_AHEAD * 86_400_000);
  const day = now.toISOString().slice(0, 10);
  const repo = new CalendarSyncRepository(hub.dbh.db);
  const students = await repo.studentsForMatching(input.orgId);
  const state = loadState(hub);
  const result: GraphSyncResult = {
    users: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    cancelled: 0,
    invalid: 0,
    failed: 0,
  };
  const problems: GraphSyncProblem[] = [...groupProblems];
  result.failed += groupProblems.length;
  const changed: string[] = [];
  for (const [i, user] of users.entries()) {
    const source = `graph:${user.toLowerCase()}`;
    const prior = state[user]?.day === day ? state[user]?.deltaLink : null;
    try {
      let delta = await reader.calendarViewDelta(user, from, to, prior).catch(async (err: unknown) => {
        // 410 Gone: the sync state expired on the server; start a full round.
        if (prior && err instanceof GraphUnavailableError && err.status === 410) return null;
        throw err;
      });
      const full = !prior || delta === null;
      if (delta === null) delta = await reader.calendarViewDelta(user, from, to, null);
      // One event Graph sends in a shape or zone we cannot read is left out with a reason; the rest stay.
      const occurrences: IcsOccurrence[] = [];
      const rejected: GraphRejection[] = [...delta.invalid];
      for (const e of delta.events) {
        try {
          occurrences.push(toOccurrence(e));
        } catch (err) {
          if (!(err instanceof GraphEventRejected)) throw err;
          rejected.push(err.rejection);
        }
      }
      const upserts = meetingUpsertsFrom(hub, occurrences, students);
      // A full round cancels what is gone from the window; a left-out event is not gone, so it is kept.
      const keep = new Set(rejected.map((r) => r.event));
      const window = full && keep.size === 0 ? { from, to } : null;
      const m = await repo.upsertMeetings(input.orgId, source, upserts, window);
      const removed = await repo.cancelMeetings(input.orgId, source, delta.removedIds);
      changed.push(...m.changedIds, ...removed);
      result.users++;
      result.created += m.created;
      result.updated += m.updated;
      result.unchanged += m.unchanged;
      result.cancelled += m.cancelled + removed.length;
      result.invalid += rejected.length;
      for (const r of rejected) problems.push({ user: i + 1, ...r });
      if (delta.deltaLink) state[user] = { deltaLink: delta.deltaLink, day };
      saveState(hub, state);
    } catch (err) {
      // Sign-in failed: every other calendar would fail the same way, so the round stops with that line.
      if (err instanceof GraphSignInError) throw err;
      result.failed++;
      const reason = problemReason(err);
      problems.push({ user: i + 1, reason });
      hub.log.warn({ orgId: input.orgId, user: i + 1, reason }, 'graph calendar not synced');
    }
  }
  for (const p of problems.filter((x) => x.event))
    hub.log.warn({ orgId: input.orgId, ...p }, 'graph event left out');
  hub.log.info({ orgId: input.orgId, ...result }, 'graph calendars synced');

  if (changed.length > 0) {
    await hub.audit.record({
      orgId: input.orgId,
      actorKind: 'system',
      action: 'calendar.synced',
      subjectType: 'calendar',
      subjectId: 'graph',
      channel: 'SYSTEM',
      details: { ...result },
    });
    await hub.events.emit('meetings.changed', { orgId: input.orgId, meetingIds: [...new Set(changed)] });
  }
  return { ...result, problems };
}
