/**
 * Sync one ICS feed into an organisation: timed events (and all-day events that are not term dates) become
 * meetings, classified and linked to a student only by UPN (a name is just a suggestion for a coordinator);
 * all-day term, INSET and closure events go to the TermDate table for school-day counts. Idempotent: a re-sync
 * of the same feed writes nothing. Emits 'meetings.changed' when meetings were created, moved or cancelled.
 */
import { createHash } from 'node:crypto';
import { describeTermDates } from '../../core/calendar/implied-terms.ts';
import { addDays, daysBetween, fromUtcDate } from '../../core/calendar/iso-date.ts';
import { DomainError, isDomainError } from '../../core/errors.ts';
import { FileRefusedError } from '../../integrations/exports/errors.ts';
import { classifyTermEvent } from '../../integrations/ics/classify-term-event.ts';
import {
  fileSource,
  type IcsOccurrence,
  type IcsReadReport,
  type IcsRejection,
  scanIcsFeed,
  streamIcsFeed,
  textSource,
} from '../../integrations/ics/read-ics-feed.ts';
import {
  classifyMeeting,
  matchStudent,
  parsePatternConfig,
} from '../../integrations/meeting-classifier/classify-meeting.ts';
import {
  CalendarSyncRepository,
  type MeetingUpsert,
  type SyncCounts,
  type TermDateUpsert,
  upsertTermDatesIn,
} from '../../store/calendar-sync-repository.ts';
import { ImportRepository } from '../../store/import-repository.ts';
import { importsConfig } from '../config/imports.ts';
import type { Hub } from '../container.ts';

export interface IcsSyncResult {
  source: string;
  occurrences: number;
  meetings: { created: number; updated: number; unchanged: number; cancelled: number };
  termDates: { created: number; updated: number; unchanged: number; removed: number };
  meetingIds: string[];
  /**
   * What the hub understood of the organisation's term dates after this sync (terms, holidays, INSET days,
   * the holidays-only rule, what is missing: core/calendar/implied-terms.ts); empty when the feed held no
   * term date and was not imported by hand.
   */
  termSummary: string[];
  /** Events left out for a bad value (feed, event UID or position, field, what was expected). */
  rejected: IcsRejection[];
  /** Series kept but cut at their bound (MAX_INSTANCES_PER_EVENT inside the window). */
  notices: IcsRejection[];
  /**
   * The ImportRun (kind "ics") of this sync, with one ImportRejection per rejected event (file, line,
   * field, reason): `send-hub import report <id>`. Null when the sync changed and rejected nothing.
   */
  runId: string | null;
}

/** Bounded download: calendars are small; refuse anything larger than this. */
const MAX_ICS_BYTES = 20 * 1024 * 1024;

export async function fetchText(url: string, what: string, maxBytes = MAX_ICS_BYTES): Promise<string> {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(30_000) });
  if (!res.ok || !res.body) throw new FileRefusedError(what, `HTTP ${res.status} from ${new URL(url).host}`);
  // Read with a cap instead of trusting Content-Length: a feed that never ends must not fill memory.
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new FileRefusedError(what, `larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type TermCounts = { created: number; updated: number; unchanged: number; removed: number };

const sha = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

/** Turn occurrences into meeting upserts (shared with the Graph sync's shape). */
export function meetingUpsertsFrom(
  hub: Hub,
  occurrences: IcsOccurrence[],
  students: Awaited<ReturnType<CalendarSyncRepository['studentsForMatching']>>,
): MeetingUpsert[] {
  const patterns = parsePatternConfig(importsConfig(hub.config.raw).MEETING_KIND_PATTERNS);
  return occurrences.map((o) => {
    const kind = classifyMeeting({ title: o.summary, categories: o.categories }, patterns);
    const match = matchStudent(o.summary, students);
    const plain = {
      summary: o.summary,
      kind,
      start: o.start.toISOString(),
      end: o.end.toISOString(),
      joinUrl: o.joinUrl,
      organiser: o.organiserEmail,
      cancelled: o.cancelled,
      attendees: o.attendees,
      match,
    };
    return {
      externalId: o.externalId,
      kind,
      titleEnc: o.summary ? hub.cipher.encrypt(o.summary, 'Meeting.titleEnc') : null,
      startsAt: o.start,
      endsAt: o.end,
      joinUrl: o.joinUrl,
      organiserEmail: o.organiserEmail,
      cancelled: o.cancelled,
      studentId: match?.by === 'upn' ? match.studentId : null,
      suggestedStudentId: match?.by === 'name' ? match.suggestedStudentId : null,
      attendees: o.attendees,
      sourceHash: sha(plain),
    };
  });
}

/**
 * @example await syncIcsFeed(hub, { orgId, source: 'school-calendar', path: '/data/calendar.ics' })
 * @example await syncIcsFeed(hub, { orgId, source: 'school-calendar', text: icsText })
 * @example await syncIcsFeed(hub, { orgId, source: 'term-dates', url: 'https://school.example/term.ics' })
 */
export async function syncIcsFeed(
  hub: Hub,
  input: {
    orgId: string;
    source: string;
    text?: string;
    /** A file (or an open descriptor), read 64 KiB at a time: never whole in memory. */
    path?: string | number;
    url?: string;
    from?: Date;
    to?: Date;
    /** "cli" | "drop-folder" | "schedule" … (the import report's "via"). */
    via?: string;
  },
): Promise<IcsSyncResult> {
  const cfg = importsConfig(hub.config.raw);
  const now = hub.clock.now();
  const from = input.from ?? new Date(now.getTime() - cfg.CALENDAR_SYNC_DAYS_BACK * 86_400_000);
  const to = input.to ?? new Date(now.getTime() + cfg.CALENDAR_SYNC_DAYS_AHEAD * 86_400_000);
  const name = `ics:${input.source}`;
  let text = input.text;
  if (text === undefined && input.path === undefined) {
    if (!input.url) throw new FileRefusedError(name, 'neither text, path nor url given');
    text = await fetchText(input.url, name).catch((err: unknown) => {
      if (isDomainError(err)) throw err;
      hub.log.warn({ err, source: name }, 'ics feed not fetched');
      throw new FileRefusedError(
        name,
        'could not be fetched (network error or time-out; details in the log)',
      );
    });
  }
  const report: IcsReadReport = { rejected: [], notices: [] };
  const icsSource = text === undefined ? fileSource(input.path as string | number) : textSource(text);
  // The first pass (time zones, envelope, hash) refuses a wrong file before the transaction starts.
  const scanned = scanIcsFeed(icsSource, name);
  const feed = streamIcsFeed(icsSource, name, { from, to }, report, scanned);
  const repo = new CalendarSyncRepository(hub.dbh.db, hub.dbh.provider);
  let occurrences = 0;
  let m: SyncCounts;
  let t: TermCounts;
  try {
    const students = await repo.studentsForMatching(input.orgId);
    // The whole feed in one transaction: a crash, a lock or a bad moment leaves the previous sync whole.
    // Waiting for another writer: the lock is the transaction's first statement, so a SQLITE_BUSY there
    // (after the busy timeout) has read nothing of the feed yet and the transaction can simply start again.
    let started = false;
    ({ m, t } = await retryBusy(
      () =>
        repo.inFeedTransaction(input.orgId, name, async (w) => {
          started = true;
          const terms: TermDateUpsert[] = [];
          let batch: IcsOccurrence[] = [];
          const flush = async () => {
            await w.upsertBatch(meetingUpsertsFrom(hub, batch, students));
            batch = [];
          };
          for (const o of feed) {
            occurrences++;
            const termKind =
              o.allDay && o.startDate && o.lastDate && !o.cancelled
                ? classifyTermEvent(o.summary, daysBetween(o.startDate, o.lastDate) + 1)
                : null;
            if (termKind && o.startDate && o.lastDate)
              terms.push({
                kind: termKind,
                startDate: o.startDate,
                endDate: o.lastDate,
                label: o.summary.slice(0, 120) || null,
              });
            else if (!(o.allDay && o.cancelled && classifyTermEvent(o.summary, 2))) batch.push(o);
            if (batch.length >= WRITE_BATCH) await flush();
          }
          await flush();
          // A rejected event is not "gone from the feed": while any event is rejected, nothing is cancelled or
          // removed for being absent (it may be that event), only created or updated.
          const sweep = report.rejected.length === 0;
          if (sweep) await w.cancelAbsent({ from, to });
          const unique = [
            ...new Map(terms.map((x) => [`${x.kind}|${x.startDate}|${x.endDate}`, x])).values(),
          ];
          const termCounts = await upsertTermDatesIn(
            w.tx,
            input.orgId,
            name,
            unique,
            sweep ? { from: fromUtcDate(from), to: addDays(fromUtcDate(to), 0) } : null,
          );
          return { m: w.counts, t: termCounts };
        }),
      () => !started,
    ));
  } catch (err) {
    throw notImported(hub, name, err);
  }
  const rejected = report.rejected;
  let runId: string | null;
  let termSummary: string[];
  try {
    hub.log.info(
      {
        orgId: input.orgId,
        source: name,
        occurrences,
        rejected: rejected.length,
        cut: report.notices.length,
        ...m,
        changedIds: undefined,
        termDates: t,
      },
      'ics feed synced',
    );
    if (m.changedIds.length > 0 || t.created + t.updated + t.removed > 0) {
      await retryBusy(() =>
        hub.audit.record({
          orgId: input.orgId,
          actorKind: 'system',
          action: 'calendar.synced',
          subjectType: 'calendar',
          subjectId: name,
          channel: 'SYSTEM',
          details: { created: m.created, updated: m.updated, cancelled: m.cancelled, termDates: t },
        }),
      );
    }
    // Re-planned a slice at a time: a 100,000-event feed never has all its meetings' plans in memory at once.
    for (let i = 0; i < m.changedIds.length; i += REPLAN_SLICE) {
      const meetingIds = m.changedIds.slice(i, i + REPLAN_SLICE);
      await retryBusy(() => hub.events.emit('meetings.changed', { orgId: input.orgId, meetingIds }));
    }
    // The term dates as a whole (every calendar of the organisation), said whenever this feed held any.
    termSummary =
      t.created + t.updated + t.unchanged + t.removed > 0 || input.via === 'cli'
        ? describeTermDates(await retryBusy(() => repo.termDatesOf(input.orgId)))
        : [];
    runId = await recordIcsRun(hub, input, name, scanned.sha256, {
      termSummary,
      rowsRead: occurrences + rejected.length,
      created: m.created + t.created,
      updated: m.updated + m.cancelled + t.updated + t.removed,
      unchanged: m.unchanged + t.unchanged,
      rejected,
      notices: report.notices,
    });
  } catch (err) {
    // The meetings are saved (committed above); what failed is the report or the follow-up.
    throw notImported(hub, name, err, true);
  }
  return {
    source: name,
    occurrences,
    meetings: { created: m.created, updated: m.updated, unchanged: m.unchanged, cancelled: m.cancelled },
    termDates: t,
    meetingIds: m.changedIds,
    rejected,
    notices: report.notices,
    termSummary,
    runId,
  };
}

/** Rows of one feed written per statement batch. */
const WRITE_BATCH = 500;
/** Changed meetings handed to the reminder planner per 'meetings.changed' event. */
const REPLAN_SLICE = 2000;

/**
 * A feed that could not be written is not half written (one transaction): the user reads one line saying so,
 * the stack goes to the log.
 */
function notImported(hub: Hub, name: string, err: unknown, saved = false): unknown {
  if (isDomainError(err)) return err;
  hub.log.error({ err, source: name, saved }, 'ics feed not imported');
  if (saved)
    return new DomainError(
      'IMPORT_FILE_REFUSED',
      `${name}: meetings saved, but the import report or follow-up failed (details in the log)`,
    );
  const text = err instanceof Error ? `${err.message} ${String((err as { code?: unknown }).code ?? '')}` : '';
  if (/SQLITE_BUSY|database is locked|Unable to start a transaction|P2028|P2034/i.test(text))
    return new DomainError(
      'DATABASE_LOCKED',
      `${name}: not imported, nothing saved: the database stayed busy (another process kept it locked); try again`,
    );
  return new DomainError(
    'IMPORT_FILE_REFUSED',
    `${name}: not imported, nothing saved: an unexpected error (details in the log)`,
  );
}

/**
 * The sync's import report, like an export's: counts, and each rejected event as an ImportRejection (file,
 * line of its BEGIN:VEVENT, field, reason; never the value). A scheduled sync that changed and rejected
 * nothing leaves no report (it runs every hour).
 */
async function recordIcsRun(
  hub: Hub,
  input: { orgId: string; via?: string },
  name: string,
  sha256: string,
  r: {
    rowsRead: number;
    created: number;
    updated: number;
    unchanged: number;
    rejected: IcsRejection[];
    notices: IcsRejection[];
    termSummary: string[];
  },
): Promise<string | null> {
  if (r.created + r.updated === 0 && r.rejected.length === 0 && r.notices.length === 0 && input.via !== 'cli')
    return null;
  const repo = new ImportRepository(hub.dbh.db);
  const at = hub.clock.now();
  const runId = await retryBusy(() =>
    repo.start({
      orgId: input.orgId,
      kind: 'ics',
      fileName: name,
      sha256,
      via: input.via ?? 'feed',
      at,
    }),
  );
  await retryBusy(() =>
    repo.addRejections(
      runId,
      r.rejected.map((x) => ({ file: x.file, line: x.line, field: x.field, reason: x.reason })),
    ),
  );
  await retryBusy(() =>
    repo.finish(runId, {
      status: 'COMPLETED',
      rowsRead: r.rowsRead,
      created: r.created,
      updated: r.updated,
      unchanged: r.unchanged,
      rejected: r.rejected.length,
      // A series cut at its bound is kept, not rejected: said in the report's message, one line each.
      message: [noticeMessage(r.notices), ...r.termSummary].filter(Boolean).join('\n') || null,
      at,
    }),
  );
  return runId;
}

function noticeMessage(notices: IcsRejection[]): string | null {
  if (notices.length === 0) return null;
  const shown = notices
    .slice(0, 20)
    .map((n) => `  ${n.file} line ${n.line} (${n.event}), ${n.field}: ${n.reason}`);
  if (notices.length > shown.length) shown.push(`  … and ${notices.length - shown.length} more`);
  return [`${notices.length} recurring event(s) cut at their bound:`, ...shown].join('\n');
}

const isBusy = (err: unknown) =>
  err instanceof Error &&
  /SQLITE_BUSY|database is locked/i.test(
    `${err.message} ${JSON.stringify((err as { meta?: unknown }).meta ?? '')}`,
  );

/**
 * A statement (or a small transaction) that met another process's write with SQLITE_BUSY changed nothing:
 * try it again, with growing pauses, for up to about a minute. Any other error is thrown at once.
 */
async function retryBusy<T>(fn: () => Promise<T>, canRetry: () => boolean = () => true): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isBusy(err) || attempt >= 30 || !canRetry()) throw err;
      await new Promise((r) => setTimeout(r, Math.min(2000, 25 * 2 ** attempt)));
    }
  }
}
