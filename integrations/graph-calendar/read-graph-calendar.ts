/**
 * Reads a mailbox calendar through Microsoft Graph: calendarView between two dates (every occurrence of a
 * series expanded by Exchange), following @odata.nextLink, and calendarView/delta for changes since the last
 * @odata.deltaLink ("@removed" entries are deleted or cancelled occurrences).
 * Docs: https://learn.microsoft.com/graph/api/user-list-calendarview ,
 * https://learn.microsoft.com/graph/api/event-delta , https://learn.microsoft.com/graph/delta-query-events
 */
import { createHash } from 'node:crypto';
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { IcsOccurrence } from '../ics/read-ics-feed.ts';
import { GraphTimeError, graphInstant } from './graph-time.ts';
import { asGraphError } from './graph-transport.ts';

const dateTimeTimeZone = z.object({ dateTime: z.string(), timeZone: z.string().optional() });
const emailAddress = z
  .object({ address: z.string().optional().nullable(), name: z.string().optional().nullable() })
  .partial();

export const graphEventSchema = z.object({
  id: z.string(),
  subject: z.string().nullable().optional(),
  categories: z.array(z.string()).optional().default([]),
  start: dateTimeTimeZone,
  end: dateTimeTimeZone,
  isAllDay: z.boolean().optional().default(false),
  isCancelled: z.boolean().optional().default(false),
  organizer: z.object({ emailAddress }).optional().nullable(),
  attendees: z
    .array(z.object({ type: z.string().optional(), emailAddress: emailAddress.optional() }))
    .optional()
    .default([]),
  onlineMeeting: z.object({ joinUrl: z.string().nullable().optional() }).nullable().optional(),
  onlineMeetingUrl: z.string().nullable().optional(),
  webLink: z.string().optional(),
});
export type GraphEvent = z.infer<typeof graphEventSchema>;

const removedSchema = z.object({ id: z.string(), '@removed': z.object({ reason: z.string().optional() }) });

const pageSchema = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});

/** One event left out: which event (a hash of its Graph id, or its place), the field and the rule. */
export interface GraphRejection {
  event: string;
  field: string;
  reason: string;
}

/** Graph ids are long and opaque; a short hash names the event in a report without repeating it. */
export const eventRef = (id: string): string =>
  `event ${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;

/** An event this module cannot use: the field and the rule, never the value. */
export class GraphEventRejected extends Error {
  constructor(readonly rejection: GraphRejection) {
    super(`${rejection.event}, ${rejection.field}: ${rejection.reason}`);
  }
}

/** A Graph event as the calendar-neutral occurrence the meeting sync stores. */
export function toOccurrence(e: GraphEvent): IcsOccurrence {
  let start: Date;
  let end: Date;
  try {
    start = graphInstant(e.start, 'start');
    end = graphInstant(e.end, 'end');
  } catch (err) {
    if (!(err instanceof GraphTimeError)) throw err;
    throw new GraphEventRejected({ event: eventRef(e.id), field: err.field, reason: err.rule });
  }
  if (end.getTime() < start.getTime())
    throw new GraphEventRejected({ event: eventRef(e.id), field: 'end', reason: 'is before the start' });
  const o: IcsOccurrence = {
    uid: e.id,
    externalId: e.id,
    summary: (e.subject ?? '').trim(),
    categories: e.categories,
    allDay: e.isAllDay,
    start,
    end,
    cancelled: e.isCancelled,
    organiserEmail: e.organizer?.emailAddress?.address?.toLowerCase() ?? null,
    attendees: e.attendees
      .filter((a) => a.type !== 'resource' && a.emailAddress?.address)
      .map((a) => ({
        email: (a.emailAddress?.address as string).toLowerCase(),
        optional: a.type === 'optional',
      })),
    joinUrl: e.onlineMeeting?.joinUrl ?? e.onlineMeetingUrl ?? null,
  };
  if (e.isAllDay) {
    o.startDate = e.start.dateTime.slice(0, 10);
    const endDate = new Date(`${e.end.dateTime.slice(0, 10)}T00:00:00Z`);
    endDate.setUTCDate(endDate.getUTCDate() - 1);
    o.lastDate = endDate.toISOString().slice(0, 10);
    o.start = new Date(`${o.startDate}T00:00:00Z`);
    o.end = new Date(`${e.end.dateTime.slice(0, 10)}T00:00:00Z`);
  }
  return o;
}

const SELECT =
  'id,subject,categories,start,end,isAllDay,isCancelled,organizer,attendees,onlineMeeting,onlineMeetingUrl';
/** Graph returns times in the mailbox zone unless asked; UTC keeps the maths simple and exact. */
const PREFER = 'outlook.timezone="UTC"';

export interface DeltaResult {
  events: GraphEvent[];
  removedIds: string[];
  deltaLink: string | null;
  /** Items that are not events as Graph documents them (each named by field and rule). */
  invalid: GraphRejection[];
}

function invalidItem(
  v: unknown,
  issue: z.core.$ZodIssue | undefined,
  page: number,
  index: number,
): GraphRejection {
  const id = (v as { id?: unknown } | null)?.id;
  const event = typeof id === 'string' && id ? eventRef(id) : `item ${index + 1} of page ${page + 1}`;
  const field = issue?.path.length ? issue.path.join('.') : 'event';
  // zod's message names the expected type ("expected string, received number"), never the value.
  const reason = issue?.code === 'invalid_type' ? `expected ${issue.expected}` : 'not as Graph documents it';
  return { event, field, reason };
}

export class GraphCalendarReader {
  constructor(private readonly client: Client) {}

  private async pages(first: string, what: string): Promise<DeltaResult> {
    const out: DeltaResult = { events: [], removedIds: [], deltaLink: null, invalid: [] };
    let url: string | undefined = first;
    // A guard against a server that never stops paging.
    for (let n = 0; url && n < 10_000; n++) {
      let raw: unknown;
      try {
        raw = await this.client.api(url).header('Prefer', `${PREFER}, odata.maxpagesize=100`).get();
      } catch (err) {
        throw asGraphError(err, what);
      }
      const page = pageSchema.parse(raw);
      for (const [i, v] of page.value.entries()) {
        const removed = removedSchema.safeParse(v);
        if (removed.success) {
          out.removedIds.push(removed.data.id);
          continue;
        }
        const ev = graphEventSchema.safeParse(v);
        if (ev.success) out.events.push(ev.data);
        else out.invalid.push(invalidItem(v, ev.error.issues[0], n, i));
      }
      url = page['@odata.nextLink'];
      if (page['@odata.deltaLink']) out.deltaLink = page['@odata.deltaLink'];
    }
    return out;
  }

  /**
   * Mailboxes of a group's members (GET /groups/{id}/members/microsoft.graph.user, paged); needs
   * GroupMember.Read.All. Members without a mailbox are skipped.
   */
  async groupMembers(groupId: string): Promise<string[]> {
    const out: string[] = [];
    let url: string | undefined =
      `/groups/${encodeURIComponent(groupId)}/members/microsoft.graph.user?$select=id,mail,userPrincipalName&$top=100`;
    for (let n = 0; url && n < 1000; n++) {
      let raw: unknown;
      try {
        raw = await this.client.api(url).get();
      } catch (err) {
        throw asGraphError(err, 'group members');
      }
      const page = pageSchema.parse(raw);
      for (const v of page.value) {
        const m = z.object({ mail: z.string().nullable().optional() }).safeParse(v);
        if (m.success && m.data.mail) out.push(m.data.mail.toLowerCase());
      }
      url = page['@odata.nextLink'];
    }
    return out;
  }

  /** Every occurrence in [from, to) of `user`'s calendar. */
  async calendarView(user: string, from: Date, to: Date): Promise<GraphEvent[]> {
    const q = new URLSearchParams({
      startDateTime: from.toISOString(),
      endDateTime: to.toISOString(),
      $select: SELECT,
      $top: '100',
    });
    return (await this.pages(`/users/${encodeURIComponent(user)}/calendarView?${q}`, 'calendarView')).events;
  }

  /** Changes since `deltaLink` (or a full initial round for the window, which ends with a deltaLink). */
  async calendarViewDelta(
    user: string,
    from: Date,
    to: Date,
    deltaLink?: string | null,
  ): Promise<DeltaResult> {
    const q = new URLSearchParams({ startDateTime: from.toISOString(), endDateTime: to.toISOString() });
    return this.pages(
      deltaLink ?? `/users/${encodeURIComponent(user)}/calendarView/delta?${q}`,
      'calendarView delta',
    );
  }
}
