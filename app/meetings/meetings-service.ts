/**
 * Meetings (issue 8): reminders before a meeting, notes gathered in chat after it. Wires the pure planners
 * (core/reminders/plan-meeting-reminders.ts, core/tac-notes/) to the stores and the hub's registries.
 */
import { canEditTacNote, require as requireAccess } from '../../core/access/policy.ts';
import { localDate } from '../../core/calendar/zoned-time.ts';
import type { Command } from '../../core/commands/command-registry.ts';
import { ValidationError } from '../../core/errors.ts';
import type { FormHandler } from '../../core/forms/form-registry.ts';
import type { FormOutcome, FormSpec, FormSubmission } from '../../core/forms/form-spec.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { ActionResult, Actor, InboundAction, Platform } from '../../core/ports.ts';
import {
  type MeetingForReminders,
  meetingKindLabels,
  noteTakerOf,
  whenLabel,
} from '../../core/reminders/plan-meeting-reminders.ts';
import { hasRole } from '../../core/staff/roles.ts';
import {
  changedSections,
  contentToValues,
  parseTacSubmission,
  TAC_FORM_ID,
  tacFormSpec,
} from '../../core/tac-notes/tac-form.ts';
import {
  actionNudgeSpecs,
  nextMeetingSpecs,
  type TacNoteView,
  tacSummaryMessage,
} from '../../core/tac-notes/tac-summary.ts';
import type { MeetingFacts } from '../../store/tac-meeting-repository.ts';
import type { StoredNote } from '../../store/tac-note-repository.ts';
import { MeetingPlanning } from './meeting-planning.ts';
import { tacCommand } from './tac-command.ts';
import { checkTacAnswer, resolveTacActions } from './tac-form-checks.ts';
import { tacReadFacts, tacRecipientIds } from './tac-readers.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class MeetingsService extends MeetingPlanning {
  private effectiveNoteTaker(m: MeetingFacts): string | null {
    return m.noteTakerId ?? m.organiserStaffId ?? m.attendeeStaffIds[0] ?? null;
  }

  private mayWrite(actor: Actor, m: MeetingFacts, note: StoredNote | null): boolean {
    if (actor.orgId !== m.orgId) return false;
    if (note) return canEditTacNote(actor, note);
    return this.effectiveNoteTaker(m) === actor.staffId || hasRole(actor.roles, 'SENDCO');
  }

  private async meetingFor(actor: Actor, context: Record<string, string>): Promise<MeetingFacts> {
    const id =
      context.meetingId ?? (context.subjectType === 'meeting' ? context.subjectId : undefined) ?? undefined;
    const meetingId = id ?? (await this.latestNeedingNotes(actor))?.id;
    if (!meetingId) throw new ValidationError('You have no meeting waiting for notes.');
    const m = await this.meetingFacts.meeting(meetingId);
    if (!m || m.orgId !== actor.orgId) throw new ValidationError('That meeting was not found.');
    if (!m.studentId)
      throw new ValidationError(
        `This meeting is not linked to a student yet: a coordinator can confirm it with \`link ${m.id} confirm\`, then type \`tac\` again.`,
      );
    return m;
  }

  /** The actor's most recent ended meeting that needs notes from them. */
  async latestNeedingNotes(actor: Actor): Promise<MeetingForReminders | undefined> {
    const ms = await this.meetingFacts.endedWithoutNotes(
      actor.orgId,
      this.cfg.notesKinds,
      this.hub.clock.now(),
      this.zone,
    );
    return ms.find((m) => noteTakerOf(m) === actor.staffId);
  }

  private formTitle(m: MeetingFacts): string {
    return `${meetingKindLabels[m.kind] ?? 'Meeting'} notes: ${m.studentLabel ?? ''}, ${whenLabel(m.startsAt, this.zone)}`;
  }

  async openForm(actor: Actor, context: Record<string, string>): Promise<FormSpec> {
    const m = await this.meetingFor(actor, context);
    const note = await this.notes.forMeeting(m.id);
    requireAccess(this.mayWrite(actor, m, note), 'write the notes for this meeting');
    const prefill = note?.content ? contentToValues(note.content) : (note?.draft ?? {});
    const staff = (await this.hub.staff.all(m.orgId))
      .filter((s) => s.active)
      .map((s) => ({ email: s.email, displayName: s.displayName }));
    await this.hub.audit.record({
      orgId: m.orgId,
      actorId: actor.staffId,
      actorKind: 'staff',
      action: 'tac.form_opened',
      subjectType: 'meeting',
      subjectId: m.id,
      studentId: m.studentId,
      details: { noteId: note?.id ?? null, status: note?.status ?? 'NEW' },
    });
    return tacFormSpec({
      meetingId: m.id,
      ...(note ? { noteId: note.id } : {}),
      title: note?.status === 'SUBMITTED' ? `${this.formTitle(m)} (amend)` : this.formTitle(m),
      prefill,
      staff,
    });
  }

  async submitForm(actor: Actor, s: FormSubmission, via: Platform): Promise<FormOutcome> {
    let m: MeetingFacts;
    try {
      m = await this.meetingFor(actor, s.context);
    } catch (err) {
      return { ok: false, errors: { form: (err as Error).message } };
    }
    const note = await this.notes.forMeeting(m.id);
    if (!this.mayWrite(actor, m, note)) {
      await this.hub.audit.record({
        orgId: m.orgId,
        actorId: actor.staffId,
        actorKind: 'staff',
        action: 'access.denied',
        subjectType: 'meeting',
        subjectId: m.id,
        channel: via,
        details: { form: TAC_FORM_ID },
      });
      return {
        ok: false,
        errors: { form: 'Sorry, only the note-taker (or the SENDCo) can write these notes.' },
      };
    }
    const ids = {
      meetingId: m.id,
      orgId: m.orgId,
      studentId: m.studentId!,
      noteTakerId: note?.noteTakerId ?? actor.staffId,
    };
    if (s.intent === 'draft') {
      if (note?.status === 'SUBMITTED')
        return {
          ok: false,
          errors: { form: 'These notes are already submitted: submit your amendment instead.' },
        };
      const id = await this.notes.saveDraft(ids, s.values, {
        orgId: m.orgId,
        actorId: actor.staffId,
        actorKind: 'staff',
        action: 'tac.draft_saved',
        studentId: m.studentId,
        channel: via,
        details: { meetingId: m.id },
      });
      this.hub.log.info({ noteId: id, meetingId: m.id }, 'tac draft saved');
      return { ok: true, reply: 'Draft saved. Type `tac` (or press the button again) to finish it.' };
    }
    const parsed = parseTacSubmission(s.values);
    if (!parsed.ok) return parsed;
    // Owners typed as names resolved, dates checked (tac-form-checks.ts): the reply says what was recorded.
    const owners = await resolveTacActions(this.hub, m.orgId, parsed.content, s.values, {
      invitedIds: m.attendeeStaffIds,
      before: note?.content ?? null,
    });
    if (!owners.ok) return owners;
    const res = await this.notes.submit(
      ids,
      parsed.content,
      owners.actions,
      {
        staffId: actor.staffId,
        changed: (before) =>
          before
            ? `amended: ${changedSections(before, parsed.content).join(', ') || 'no change'}`
            : 'submitted',
      },
      {
        orgId: m.orgId,
        actorId: actor.staffId,
        actorKind: 'staff',
        action: 'tac.submitted',
        studentId: m.studentId,
        channel: via,
      },
    );
    const after = await this.followUp(res.noteId, m, res.removedActionIds);
    this.hub.log.info(
      { noteId: res.noteId, meetingId: m.id, version: res.version, actions: owners.actions.length },
      res.amended ? 'tac notes amended' : 'tac notes submitted',
    );
    await this.hub.events.emit('tac.submitted', { orgId: m.orgId, noteId: res.noteId, meetingId: m.id });
    return {
      ok: true,
      reply: `${res.amended ? `Notes amended (version ${res.version})` : 'Notes submitted'}. ${after.nudged} action${after.nudged === 1 ? '' : 's'} sent to owners in the hub; summary sent privately to ${after.summaries} colleague${after.summaries === 1 ? '' : 's'}. Note id ${res.noteId} (export: send-hub tac export ${res.noteId}).${owners.lines.length ? `\n${owners.lines.join('\n')}` : ''}`,
    };
  }

  async view(
    noteId: string,
  ): Promise<{ view: TacNoteView; note: StoredNote; meeting: MeetingFacts | null } | null> {
    const note = await this.notes.byId(noteId);
    if (!note?.content) return null;
    const meeting = note.meetingId ? await this.meetingFacts.meeting(note.meetingId) : null;
    const view: TacNoteView = {
      id: note.id,
      orgId: note.orgId,
      meetingId: note.meetingId,
      meetingKindLabel: meetingKindLabels[meeting?.kind ?? 'TAC'] ?? 'Meeting',
      meetingOn: meeting
        ? localDate(meeting.startsAt, this.zone)
        : localDate(note.submittedAt ?? this.hub.clock.now(), this.zone),
      studentLabel: meeting?.studentLabel ?? 'the student',
      noteTakerName: note.noteTakerName,
      version: note.version,
      content: note.content,
      actions: note.actions,
    };
    return { view, note, meeting };
  }

  /** Access facts for canViewTacNote (the note's recipients among them: tac-readers.ts). */
  async accessFacts(note: StoredNote, meeting: MeetingFacts | null) {
    return tacReadFacts(this.hub, this.meetingFacts, note, meeting);
  }

  /** After submit/amend: nudges for actions, the next meeting reminder, summaries, and no more notes prompts. */
  private async followUp(noteId: string, m: MeetingFacts, removedActionIds: string[]) {
    const v = await this.view(noteId);
    if (!v) return { nudged: 0, summaries: 0 };
    const now = this.hub.clock.now();
    const opts = { now, zone: this.zone, holidays: this.hub.holidays };
    const nudges = actionNudgeSpecs(v.view, v.view.actions, opts);
    await this.hub.reminders.reconcile(
      [...v.view.actions.map((a) => a.id), ...removedActionIds].map((id) => ({ type: 'tac_action', id })),
      nudges,
      ['action_nudge'],
    );
    const staffIds = [...new Set([...m.attendeeStaffIds, v.note.noteTakerId])];
    await this.hub.reminders.reconcile(
      [{ type: 'tac_note', id: noteId }],
      nextMeetingSpecs(v.view, staffIds, opts),
      ['meeting_reminder'],
    );
    // The summary: the staff the notes record as attending, action owners, the child's case officers.
    const recipients = await tacRecipientIds(this.hub, this.meetingFacts, v.note);
    const summary = message(tacSummaryMessage(v.view));
    let summaries = 0;
    for (const staffId of recipients) {
      const queued = await this.hub.outbox.enqueue({
        idempotencyKey: `tac-summary:${noteId}:v${v.view.version}:${staffId}`,
        orgId: m.orgId,
        to: { staffId },
        message: summary,
        priority: 4,
      });
      if (queued) summaries++;
    }
    await this.hub.audit.record({
      orgId: m.orgId,
      actorKind: 'system',
      action: 'tac.distributed',
      subjectType: 'tac_note',
      subjectId: noteId,
      studentId: m.studentId,
      channel: 'SYSTEM',
      details: { version: v.view.version, summaryRecipients: staffIds, actionNudges: nudges.length },
    });
    await this.replan([m.id]);
    return { nudged: new Set(nudges.map((n) => n.subject.id)).size, summaries };
  }

  /** The meeting a console answer belongs to (its form's context), for the owner and date checks. */
  private async checkFacts(actor: Actor, context: Record<string, string>) {
    const m = context.meetingId ? await this.meetingFacts.meeting(context.meetingId) : null;
    if (!m || m.orgId !== actor.orgId) return {};
    const note = await this.notes.forMeeting(m.id);
    return { invitedIds: m.attendeeStaffIds, before: note?.content ?? null };
  }

  // ---- buttons -------------------------------------------------------------------------------

  async onOpenNotesForm(action: InboundAction): Promise<ActionResult> {
    const form = await this.openForm(action.actor, {
      ...action.args,
      subjectType: action.subject.type,
      subjectId: action.subject.id,
    });
    return { form };
  }

  /** "reassign" on a meeting: hand the notes to a colleague (args.to = their email or staff id). */
  async onReassign(action: InboundAction): Promise<ActionResult> {
    const m = await this.meetingFacts.meeting(action.subject.id);
    if (!m || m.orgId !== action.actor.orgId) throw new ValidationError('That meeting was not found.');
    const note = await this.notes.forMeeting(m.id);
    requireAccess(this.mayWrite(action.actor, m, note), 'reassign the notes for this meeting');
    const to = (action.args.to ?? '').trim();
    const target = EMAIL.test(to) ? await this.hub.staff.byEmail(to, m.orgId) : await this.hub.staff.byId(to);
    if (!target || target.orgId !== m.orgId || !target.active)
      throw new ValidationError(`Say who should take the notes: \`tac notetaker ${m.id} <their email>\`.`);
    await this.notes.setNoteTaker(m.id, target.id, {
      orgId: m.orgId,
      actorId: action.actor.staffId,
      actorKind: 'staff',
      action: 'meeting.note_taker_reassigned',
      subjectType: 'meeting',
      subjectId: m.id,
      studentId: m.studentId,
      channel: action.via,
      details: { from: this.effectiveNoteTaker(m), to: target.id },
    });
    if (action.args.reminderId) await this.hub.reminders.answer(action.args.reminderId, 'done');
    await this.replan([m.id]);
    return { resolved: { text: `Notes reassigned to ${target.displayName} by ${action.actor.displayName}` } };
  }

  /** "done" on an action nudge: the action is complete; its other pending nudges are withdrawn. */
  async onActionDone(action: InboundAction): Promise<ActionResult> {
    const a = await this.notes.action(action.subject.id);
    if (!a || a.orgId !== action.actor.orgId) throw new ValidationError('That action was not found.');
    const note = await this.notes.byId(a.noteId);
    requireAccess(
      a.ownerId === action.actor.staffId || (!!note && canEditTacNote(action.actor, note)),
      'complete this action',
    );
    const today = localDate(this.hub.clock.now(), this.zone);
    const done = await this.notes.completeAction(a.id, today, {
      orgId: a.orgId,
      actorId: action.actor.staffId,
      actorKind: 'staff',
      action: 'tac.action_done',
      subjectType: 'tac_action',
      subjectId: a.id,
      studentId: note?.studentId ?? null,
      channel: action.via,
      details: { noteId: a.noteId },
    });
    if (action.args.reminderId) await this.hub.reminders.answer(action.args.reminderId, 'done');
    await this.hub.reminders.reconcile([{ type: 'tac_action', id: a.id }], [], ['action_nudge']);
    return {
      resolved: { text: done ? `Done: marked by ${action.actor.displayName} on ${today}` : 'Already done.' },
    };
  }

  // ---- the `tac` command (tac-command.ts) ----------------------------------------------------

  command(): Command {
    return tacCommand(this.hub, this);
  }

  formHandler(): FormHandler {
    return {
      open: (actor, context) => this.openForm(actor, context),
      submit: (actor, submission, via) => this.submitForm(actor, submission, via),
      check: async (actor, fieldId, values, _via, context) =>
        checkTacAnswer(this.hub, actor.orgId, fieldId, values, await this.checkFacts(actor, context ?? {})),
    };
  }
}
