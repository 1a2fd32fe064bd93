import { localDate } from '../../core/calendar/zoned-time.ts';
import {
  MEETING_REMINDER_KINDS,
  type MeetingForReminders,
  nextPlanChange,
  parseLeadTime,
  planMeetingReminders,
  planNotesPrompts,
  planReportNudges,
} from '../../core/reminders/plan-meeting-reminders.ts';
import type { ReminderSpec } from '../../core/reminders/reminder.ts';
import { nextMeetingReminderAt } from '../../core/tac-notes/tac-summary.ts';
import { TacMeetingRepository } from '../../store/tac-meeting-repository.ts';
import { TacNoteRepository } from '../../store/tac-note-repository.ts';
import type { MeetingsConfig } from '../config/meetings.ts';
import type { Hub } from '../container.ts';

/** A number per holiday calendar object (the deadline engine may replace the hub's). */
const holidayIds = new WeakMap<object, number>();
let holidayCount = 0;

export class MeetingPlanning {
  readonly notes: TacNoteRepository;
  readonly meetingFacts: TacMeetingRepository;
  protected readonly leadTimes;

  constructor(
    protected readonly hub: Hub,
    readonly cfg: MeetingsConfig,
  ) {
    this.notes = new TacNoteRepository(hub.dbh.db, hub.cipher, hub.audit, hub.clock);
    this.meetingFacts = new TacMeetingRepository(hub.dbh.db);
    this.leadTimes = hub.config.env.MEETING_LEAD_TIMES.split(',').map(parseLeadTime);
  }

  /** Rule names from the deadline engine (issue 3) when it runs: reminders say "Decision to assess", not "E1". */
  protected readonly ruleName = (kind: string, pack: string, ruleId: string): string | undefined => {
    const deadlines = this.hub.services.get('deadlines') as
      | { ruleFor?(kind: string, pack: string, key: string): { name?: string } | undefined }
      | undefined;
    try {
      return deadlines?.ruleFor?.(kind, pack, ruleId)?.name;
    } catch {
      return undefined;
    }
  };

  protected get zone(): string {
    return this.hub.config.env.TIME_ZONE;
  }

  /** Every reminder the meetings should have now (before: reminders and report nudges; after: notes prompts). */
  specsFor(ms: MeetingForReminders[], now: Date): ReminderSpec[] {
    const opts = { leadTimes: this.leadTimes, zone: this.zone, holidays: this.hub.holidays };
    return [
      ...planMeetingReminders(ms, now, opts),
      ...planReportNudges(ms, now, { ...opts, authorLeadWorkingDays: this.cfg.reportLeadWorkingDays }),
      ...planNotesPrompts(ms, now, {
        ...opts,
        notesKinds: this.cfg.notesKinds,
        overdueWorkingDays: this.cfg.notesNudgeWorkingDays,
      }),
    ];
  }

  /** @param goneIds meetings no longer in the store: their pending reminders are withdrawn. */
  private async reconcileMeetings(
    ms: MeetingForReminders[],
    now = this.hub.clock.now(),
    goneIds: string[] = [],
  ) {
    const specs = this.specsFor(ms, now);
    const r = await this.hub.reminders.reconcile(
      [...ms.map((m) => m.id), ...goneIds].map((id) => ({ type: 'meeting', id })),
      specs,
      MEETING_REMINDER_KINDS,
    );
    // A next meeting agreed in the notes that is now in the calendar is reminded from the calendar only.
    const pendingNext = await this.meetingFacts.pendingNextMeetingReminders();
    const replaced: string[] = [];
    for (const m of ms) {
      if (pendingNext.length === 0) break;
      if (m.cancelled || !m.studentId || m.startsAt <= now) continue;
      const due = nextMeetingReminderAt(localDate(m.startsAt, this.zone), this.zone, this.hub.holidays);
      for (const p of pendingNext)
        if (p.studentId === m.studentId && p.dueAt.getTime() === due.getTime()) replaced.push(p.id);
    }
    const replacedByCalendar = await this.meetingFacts.cancelPendingReminders(replaced);
    return { meetings: ms.length, ...r, replacedByCalendar };
  }

  /**
   * The last sweep that found nothing to change: the planner's inputs then (a fingerprint), until when
   * re-planning them would give the same reminders, and when the last full sweep ran.
   */
  private steady: { inputs: string; until: number; sweptAt: number } | undefined;

  /** A full sweep runs at least this often even when nothing seems to have changed (a safety net). */
  static readonly FULL_SWEEP_MS = 3_600_000;

  protected holidaysKey(): string {
    const h = this.hub.holidays as { version?: number };
    if (!holidayIds.has(h)) holidayIds.set(h, ++holidayCount);
    return `${holidayIds.get(h)}.${h.version ?? 0}`;
  }

  /**
   * The planner's sweep: meetings from 30 days ago (notes still owed) to the planning horizon, reconciled
   * with their stored reminders in a few set-based queries. A tick whose inputs are unchanged since a sweep
   * that changed nothing (same fingerprint, no reminder time or window edge passed, within the hour) skips
   * the sweep: it would plan the same reminders and write nothing.
   */
  async planWindow(now: Date, opts: { full?: boolean } = {}) {
    const inputs = `${await this.hub.meetings.planningFingerprint()}|${this.holidaysKey()}`;
    const s = this.steady;
    const t = now.getTime();
    if (
      !opts.full &&
      s &&
      s.inputs === inputs &&
      t < s.until &&
      t - s.sweptAt < MeetingPlanning.FULL_SWEEP_MS
    )
      return { skipped: 1 };
    this.steady = undefined;
    const from = new Date(t - 30 * 86_400_000);
    const horizonMs = this.hub.config.env.PLANNING_HORIZON_DAYS * 86_400_000;
    const to = new Date(t + horizonMs);
    const ms = await this.hub.meetings.planning({ from, to }, this.zone, this.ruleName);
    // Meetings outside the window that still have pending reminders (moved beyond it, or deleted, by a
    // writer that raised no 'meetings.changed' here): planned as well, or withdrawn.
    const inWindow = new Set(ms.map((m) => m.id));
    const strays = (await this.hub.reminders.pendingSubjects('meeting', MEETING_REMINDER_KINDS)).filter(
      (id) => !inWindow.has(id),
    );
    const found = strays.length
      ? await this.hub.meetings.planning({ ids: strays }, this.zone, this.ruleName)
      : [];
    ms.push(...found);
    const foundIds = new Set(found.map((m) => m.id));
    const gone = strays.filter((id) => !foundIds.has(id));
    const r = await this.reconcileMeetings(ms, now, gone);
    if (r.created + r.updated + r.cancelled + r.replacedByCalendar === 0) {
      // Nothing written: the fingerprint taken before the sweep still describes the stored state.
      const entering = await this.hub.meetings.firstStartAfter(to);
      const change = nextPlanChange(ms, now, {
        leadTimes: this.leadTimes,
        zone: this.zone,
        holidays: this.hub.holidays,
        notesKinds: this.cfg.notesKinds,
        overdueWorkingDays: this.cfg.notesNudgeWorkingDays,
      });
      this.steady = {
        inputs,
        until: Math.min(
          change?.getTime() ?? Number.POSITIVE_INFINITY,
          entering ? entering.getTime() - horizonMs : Number.POSITIVE_INFINITY,
        ),
        sweptAt: t,
      };
    }
    return { ...r, skipped: 0 };
  }

  /** Re-plan some meetings at once (a calendar sync moved or cancelled them; notes were submitted). */
  async replan(meetingIds: string[]) {
    this.steady = undefined;
    if (meetingIds.length === 0) return { meetings: 0, created: 0, updated: 0, cancelled: 0, unchanged: 0 };
    const withdrawn = await this.meetingFacts.withdrawUndelivered(meetingIds, MEETING_REMINDER_KINDS);
    const ms = await this.hub.meetings.planning({ ids: meetingIds }, this.zone, this.ruleName);
    if (withdrawn > 0)
      await this.hub.audit.record({
        orgId: ms[0]?.orgId ?? null,
        actorKind: 'system',
        action: 'meeting.reminders_withdrawn',
        subjectType: 'meeting',
        subjectId: meetingIds.length === 1 ? meetingIds[0]! : 'several',
        channel: 'SYSTEM',
        details: { meetingIds, undeliveredWithdrawn: withdrawn },
      });
    // A meeting deleted from the store altogether: withdraw whatever is still pending for it.
    const found = new Set(ms.map((m) => m.id));
    const gone = meetingIds.filter((id) => !found.has(id));
    if (gone.length)
      await this.hub.reminders.reconcile(
        gone.map((id) => ({ type: 'meeting', id })),
        [],
        MEETING_REMINDER_KINDS,
      );
    return this.reconcileMeetings(ms);
  }

  // ---- notes: who may write them -------------------------------------------------------------
}
