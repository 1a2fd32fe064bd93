/**
 * Sync the configured mailboxes' Outlook calendars through Microsoft Graph (app-only) into meetings.
 * The first round per day reads the whole window with calendarView/delta (meetings gone from it are
 * cancelled); later rounds send the stored @odata.deltaLink and get only changes. Delta links live in
 * DATA_DIR/graph-delta.json; losing it only costs one full round (the upsert is idempotent).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@microsoft/microsoft-graph-client';
import {
  createGraphClient,
  GraphUnavailableError,
} from '../../integrations/graph-calendar/graph-transport.ts';
import { GraphCalendarReader, toOccurrence } from '../../integrations/graph-calendar/read-graph-calendar.ts';
import { CalendarSyncRepository } from '../../store/calendar-sync-repository.ts';
import { importsConfig } from '../config/imports.ts';
import type { Hub } from '../container.ts';
import { meetingUpsertsFrom } from './sync-ics-feed.ts';

interface DeltaState {
  [user: string]: { deltaLink: string; day: string };
}

export interface GraphSyncResult {
  users: number;
  created: number;
  updated: number;
  unchanged: number;
  cancelled: number;
  invalid: number;
}

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
): Promise<GraphSyncResult> {
  const cfg = importsConfig(hub.config.raw);
  const split = (s: string | undefined) =>
    (s ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
  const reader = new GraphCalendarReader(input.client);
  const named = input.users ?? split(cfg.GRAPH_CALENDAR_USERS);
  const members: string[] = [];
  for (const g of input.groups ?? split(cfg.GRAPH_CALENDAR_GROUPS))
    members.push(...(await reader.groupMembers(g)));
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
  };
  const changed: string[] = [];
  for (const user of users) {
    const source = `graph:${user.toLowerCase()}`;
    const prior = state[user]?.day === day ? state[user]?.deltaLink : null;
    let delta = await reader.calendarViewDelta(user, from, to, prior).catch(async (err: unknown) => {
      // 410 Gone: the sync state expired on the server; start a full round.
      if (prior && err instanceof GraphUnavailableError && err.status === 410) return null;
      throw err;
    });
    const full = !prior || delta === null;
    if (delta === null) delta = await reader.calendarViewDelta(user, from, to, null);
    const upserts = meetingUpsertsFrom(hub, delta.events.map(toOccurrence), students);
    const m = await repo.upsertMeetings(input.orgId, source, upserts, full ? { from, to } : null);
    const removed = await repo.cancelMeetings(input.orgId, source, delta.removedIds);
    changed.push(...m.changedIds, ...removed);
    result.users++;
    result.created += m.created;
    result.updated += m.updated;
    result.unchanged += m.unchanged;
    result.cancelled += m.cancelled + removed.length;
    result.invalid += delta.invalid;
    if (delta.deltaLink) state[user] = { deltaLink: delta.deltaLink, day };
    saveState(hub, state);
  }
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
  return result;
}
