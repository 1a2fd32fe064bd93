/**
 * The concern intake form (one FormSpec; Teams, Slack and the console render it generically) and its
 * submission: parse, resolve the pupil, store + route, and confirm to the raiser who it went to.
 *
 * No concern is lost (issue 13): each answer is checked as it is given (`check`, the console asks again
 * at once); a pupil not found is offered the closest names on the roll and, confirmed (`yes` at the
 * console, "Not on our roll: Yes" on a card or modal), recorded as given and marked "not on roll"; a form
 * that cannot be completed is kept as an encrypted draft (concern-drafts.ts) and the raiser told where.
 *
 * Idempotent intake: every form instance carries its own id (`context.intake`, minted when the form is
 * built, carried back verbatim by a Teams card's data, a Slack modal's private_metadata and the console
 * prompt); an adapter also passes the platform's identity of the submission (`instanceId`: the Slack view
 * id, the Teams card's message id). A double click, a re-delivery or a retry of the same instance finds the
 * concern the first one stored and gets the same confirmation; nothing is created and nothing is sent.
 */
import { createHash, randomUUID } from 'node:crypto';
import { localDate, zonedInstant } from '../../core/calendar/zoned-time.ts';
import { concernSubmissionSchema, defaultConcernCategories } from '../../core/escalations/concern.ts';
import { concernRef } from '../../core/escalations/concern-messages.ts';
import { closestNames, notOnRollLabel } from '../../core/escalations/not-on-roll.ts';
import type { FormHandler } from '../../core/forms/form-registry.ts';
import {
  type FieldCheck,
  type FieldErrors,
  type FormSpec,
  type FormSubmission,
  isYes,
} from '../../core/forms/form-spec.ts';
import type { Actor, Platform } from '../../core/ports.ts';
import { yearGroup } from '../../integrations/exports/field-values.ts';
import type { StudentRef } from '../../store/concern-subject-repository.ts';
import type { ConcernDrafts } from './concern-drafts.ts';
import type { ConcernService, RaiseResult } from './concern-service.ts';

/** The form context keys this module reads: the form instance id, and where it was opened from. */
export const INTAKE = 'intake';
/** Set by an adapter when the form was opened from a shared channel: that channel and its workspace/tenant. */
export const ORIGIN_CONVERSATION = 'originConversation';
export const ORIGIN_TENANT = 'originTenant';
/** Set when the form finishes a kept draft (its id): sent, the draft is deleted. */
export const DRAFT = 'draft';
/** The field a card or modal answers "Yes" to record a pupil not on the roll (the console types `yes`). */
export const NOT_ON_ROLL = 'notOnRoll';
/**
 * The year group of a pupil not on the roll (optional): the console asks it once "not on roll" is
 * confirmed; stored as the CPOMS import stores it (Concern.notOnRollYear), read "K.H. (not on roll, Y5)".
 */
export const NOT_ON_ROLL_YEAR = 'notOnRollYear';

/** `initial`: answers to show again (a draft being finished); only the form's own fields are used. */
export function concernFormSpec(
  context: Record<string, string> = {},
  initial: Record<string, string> = {},
): FormSpec {
  const at = (id: string) => initial[id] || undefined;
  return {
    formId: 'concern',
    title: 'Report a safeguarding concern to the DSL',
    submitLabel: 'Send to the DSL',
    // A form redrawn with errors keeps its instance id; a new form gets a new one.
    context: { ...context, [INTAKE]: context[INTAKE] || randomUUID() },
    allowDraft: false,
    keepOnCancel: true,
    fields: [
      {
        id: 'student',
        label: 'Pupil',
        kind: 'student',
        required: true,
        hint: 'Name, UPN or id',
        initial: at('student') ?? context.student,
      },
      {
        id: NOT_ON_ROLL,
        label: 'Not on our roll? (a hospital or home-tuition pupil, a new arrival, a sibling)',
        kind: 'boolean',
        required: false,
        hint: 'Yes sends it as given, marked "not on roll"; the DSL links it to a record later.',
        setByConfirmation: true,
        options: [
          { value: 'yes', label: 'Yes: send it as given' },
          { value: 'no', label: 'No' },
        ],
        initial: at(NOT_ON_ROLL),
      },
      {
        id: NOT_ON_ROLL_YEAR,
        label: 'Year group, if not on our roll',
        kind: 'text',
        required: false,
        hint: 'e.g. 5, Y5, Year 5, R or N1: it helps the DSL find the child. Empty if you do not know.',
        maxLength: 20,
        askedAfter: NOT_ON_ROLL,
        initial: at(NOT_ON_ROLL_YEAR),
      },
      {
        id: 'category',
        label: 'Category',
        kind: 'select',
        required: false,
        options: defaultConcernCategories.map((c) => ({ value: c, label: c })),
        initial: at('category'),
      },
      {
        id: 'what',
        label: "What you saw or heard (in your own words, and the child's words if they spoke)",
        kind: 'multiline',
        required: true,
        maxLength: 10_000,
        initial: at('what'),
      },
      {
        id: 'when',
        label: 'When (e.g. 2026-11-24 10:15, or 10:15 today; empty = now)',
        kind: 'datetime',
        required: false,
        initial: at('when'),
      },
      {
        id: 'immediateRisk',
        label: 'Is the child at immediate risk?',
        kind: 'boolean',
        required: true,
        options: [
          { value: 'yes', label: 'Yes' },
          { value: 'no', label: 'No' },
        ],
        initial: at('immediateRisk'),
      },
      {
        id: 'actionsTaken',
        label: 'Actions you have already taken',
        kind: 'multiline',
        required: false,
        maxLength: 5_000,
        initial: at('actionsTaken'),
      },
    ],
  };
}

/** "", "now", "10:15", "2026-11-24 10:15", "2026-11-24T10:15" or full ISO → an instant (local time zone). */
export function parseWhen(raw: string, now: Date, zone: string): Date | null {
  const v = raw.trim().toLowerCase();
  if (!v || v === 'now') return now;
  let m = /^(\d{1,2}):(\d{2})(?:\s*today)?$/.exec(v);
  if (m) return zonedInstant(localDate(now, zone), `${m[1]!.padStart(2, '0')}:${m[2]}`, zone);
  m = /^(\d{4}-\d{2}-\d{2})[ t](\d{1,2}):(\d{2})$/.exec(v);
  if (m) return zonedInstant(m[1]!, `${m[2]!.padStart(2, '0')}:${m[3]}`, zone);
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return zonedInstant(v, '12:00', zone);
  const t = Date.parse(raw);
  return Number.isNaN(t) ? null : new Date(t);
}

/**
 * The intake key of a submission: the form instance id it carries (else the platform's submission
 * identity), per person and platform, hashed to a fixed length (the card data is client-supplied).
 * Null when neither is known (then each submission is a new concern, as before).
 */
export function intakeKey(actor: Actor, submission: FormSubmission, via: Platform): string | null {
  const instance = submission.context[INTAKE] || submission.instanceId;
  if (!instance) return null;
  const h = createHash('sha256').update(`${actor.staffId}\n${instance}`).digest('hex').slice(0, 40);
  return `${via}:${h}`;
}

/** The raiser's confirmation: the concern's reference and who it went to (the same text when repeated). */
export function confirmation(r: RaiseResult): string {
  const to =
    r.sentTo.length > 0
      ? r.sentTo.join(', ')
      : 'the safeguarding admin (no DSL could be reached: they have been told)';
  const roll = r.concern.studentId
    ? ''
    : ' The pupil is not on the roll: it is recorded with the name as you gave it, and the DSL can link it to a record.';
  const risk = r.concern.immediateRisk
    ? " If a child is in immediate danger, call 999 or children's social care now: do not wait for the DSL (KCSIE Part one)."
    : '';
  return `Thank you. Your concern is recorded as ${concernRef(r.concern.id)} and has gone to ${to}.${roll}${risk}`;
}

export interface ConcernFormOptions {
  zone: string;
  now: () => Date;
  /** Does the actor's organisation want the channel notice (SAFEGUARDING_CHANNEL_NOTICE)? */
  channelNotice?: (orgId: string) => Promise<boolean>;
  /** Where a form that cannot be completed is kept (absent: nothing is kept). */
  drafts?: ConcernDrafts;
}

type PupilMatch =
  | { kind: 'one'; student: StudentRef }
  | { kind: 'many'; students: StudentRef[] }
  | { kind: 'none'; closest: StudentRef[] };

/** A pupil on the roll as the raiser may pick them (private to the raiser: name, year, UPN). */
const pick = (s: StudentRef) =>
  `${s.givenName} ${s.familyName}${s.yearGroup ? ` (Year ${s.yearGroup})` : ''}${s.upn ? `, UPN ${s.upn}` : ''}`;

/** The error for a pupil not found, with the closest names and the way on (never the typed value). */
function notFound(closest: StudentRef[], via: Platform): string {
  const near =
    closest.length > 0 ? ` Closest on the roll: ${closest.map(pick).join('; ')}: type one of these.` : '';
  const way =
    via === 'CONSOLE'
      ? 'type `yes` to send it as given, marked "not on roll" (or `cancel`).'
      : 'choose "Yes" under "Not on our roll?" and send again: it goes as given, marked "not on roll".';
  return `No pupil on your school's roll has that name, UPN or id.${near} If the pupil is not on the roll (a hospital or home-tuition pupil, a new arrival, a sibling), ${way}`;
}

const YEAR_ERROR = 'Give the year group like 5, Y5, Year 5, R or N1, or leave it empty.';

/** The year group as the CPOMS import stores it ("Year 5" -> "5", "Reception" -> "R"); null if empty. */
export function notOnRollYearOf(raw: string | undefined): { ok: true; year: string | null } | { ok: false } {
  try {
    return { ok: true, year: yearGroup({ y: raw ?? '' }, 'y') };
  } catch {
    return { ok: false };
  }
}

export function concernFormHandler(service: ConcernService, options: ConcernFormOptions): FormHandler {
  const { zone, now } = options;

  async function matchPupil(orgId: string, typed: string): Promise<PupilMatch> {
    const matches = await service.subjects.findStudents(orgId, typed);
    if (matches.length === 1) return { kind: 'one', student: matches[0]! };
    if (matches.length > 1) return { kind: 'many', students: matches };
    return { kind: 'none', closest: closestNames(typed, await service.subjects.roster(orgId)) };
  }

  function checkWhen(raw: string): string | null {
    const at = now();
    const occurredAt = parseWhen(raw, at, zone);
    if (!occurredAt) return 'Give a date and time like 2026-11-24 10:15, or leave it empty for now.';
    if (occurredAt.getTime() > at.getTime() + 5 * 60_000) return 'That time is in the future.';
    return null;
  }

  const shape = concernSubmissionSchema.shape as Record<
    string,
    { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }
  >;

  return {
    async open(actor: Actor, context) {
      service.assertCanRaise(actor);
      return concernFormSpec(context);
    },
    async check(actor, fieldId, values, via): Promise<FieldCheck> {
      service.assertCanRaise(actor);
      const field = shape[fieldId];
      if (field) {
        const r = field.safeParse(values[fieldId] ?? '');
        if (!r.success) return { ok: false, error: r.error?.issues[0]?.message ?? 'Check this answer.' };
      }
      if (fieldId === 'when') {
        const error = checkWhen(values.when ?? '');
        return error ? { ok: false, error } : { ok: true };
      }
      if (fieldId === NOT_ON_ROLL_YEAR)
        return notOnRollYearOf(values[NOT_ON_ROLL_YEAR]).ok ? { ok: true } : { ok: false, error: YEAR_ERROR };
      if (fieldId !== 'student') return { ok: true };
      const typed = (values.student ?? '').trim();
      const m = await matchPupil(actor.orgId, typed);
      if (m.kind === 'one') return { ok: true };
      if (m.kind === 'many')
        return {
          ok: false,
          error: `More than one pupil matches: give the UPN. ${m.students.map(pick).join('; ')}.`,
        };
      if (isYes(values[NOT_ON_ROLL]))
        return { ok: true, note: `Recorded as given: ${notOnRollLabel(typed)}.` };
      return { ok: false, error: notFound(m.closest, via), confirm: { set: { [NOT_ON_ROLL]: 'yes' } } };
    },
    async submit(actor, submission, via) {
      service.assertCanRaise(actor);
      if (submission.intent === 'draft') {
        if (!options.drafts) return { ok: false, errors: { form: 'Drafts are not kept for this form.' } };
        const reply = await options.drafts.keep(
          actor,
          submission.values,
          submission.context.keep || 'kept',
          submission.context[DRAFT],
        );
        return { ok: true, reply };
      }
      const key = intakeKey(actor, submission, via);
      // Answered before validating again: the first delivery may have been accepted a moment ago.
      const seen = key ? await service.intakeReceipt(actor.orgId, key) : null;
      if (seen) return { ok: true, reply: confirmation(seen) };
      // Every field is checked, and every error returned at once, each on its own field (issue 13).
      const errors: FieldErrors = {};
      const parsed = concernSubmissionSchema.safeParse(submission.values);
      if (!parsed.success)
        for (const i of parsed.error.issues) errors[String(i.path[0] ?? 'form')] ??= i.message;
      const typed = (submission.values.student ?? '').trim();
      const m = typed && !errors.student ? await matchPupil(actor.orgId, typed) : null;
      const notOnRoll = m?.kind === 'none' && isYes(submission.values[NOT_ON_ROLL]);
      if (m?.kind === 'none' && !notOnRoll) errors.student = notFound(m.closest, via);
      else if (m?.kind === 'many')
        errors.student = `More than one pupil matches: give the UPN. ${m.students.map(pick).join('; ')}.`;
      const year = notOnRollYearOf(submission.values[NOT_ON_ROLL_YEAR]);
      // Only a pupil not on the roll has a year group as given (one on the roll has the roll's).
      if (!year.ok && notOnRoll) errors[NOT_ON_ROLL_YEAR] = YEAR_ERROR;
      if (!errors.when) {
        const whenError = checkWhen(submission.values.when ?? '');
        if (whenError) errors.when = whenError;
      }
      if (!parsed.success || Object.keys(errors).length > 0 || !m) return { ok: false, errors };
      const v = parsed.data;
      const occurredAt = parseWhen(v.when, now(), zone);
      if (!occurredAt) return { ok: false, errors: { when: 'Give a date and time like 2026-11-24 10:15.' } };
      const conversation = submission.context[ORIGIN_CONVERSATION];
      const tenant = submission.context[ORIGIN_TENANT];
      const fromChannel =
        (via === 'SLACK' || via === 'TEAMS') &&
        conversation &&
        tenant !== undefined &&
        (await options.channelNotice?.(actor.orgId));
      const r = await service.raise({
        orgId: actor.orgId,
        studentId: m.kind === 'one' ? m.student.id : null,
        notOnRollName: notOnRoll ? v.student : null,
        notOnRollYear: notOnRoll && year.ok ? year.year : null,
        raisedById: actor.staffId,
        source: 'chat',
        externalId: null,
        category: v.category || 'Welfare concern',
        immediateRisk: v.immediateRisk,
        text: v.what,
        actionsTaken: v.actionsTaken,
        occurredAt,
        via,
        intakeKey: key,
        channelNotice: fromChannel
          ? { platform: via, tenantId: tenant ?? '', conversationId: conversation }
          : null,
      });
      const draft = submission.context[DRAFT];
      if (draft && options.drafts) await options.drafts.sent(actor, draft);
      return { ok: true, reply: confirmation(r) };
    },
  };
}
