/**
 * The concern intake form (one FormSpec; Teams, Slack and the console render it generically) and its
 * submission: parse, resolve the pupil, store + route, and confirm to the raiser who it went to.
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
import type { FormHandler } from '../../core/forms/form-registry.ts';
import type { FieldErrors, FormSpec, FormSubmission } from '../../core/forms/form-spec.ts';
import type { Actor, Platform } from '../../core/ports.ts';
import type { ConcernService, RaiseResult } from './concern-service.ts';

/** The form context keys this module reads: the form instance id, and where it was opened from. */
export const INTAKE = 'intake';
/** Set by an adapter when the form was opened from a shared channel: that channel and its workspace/tenant. */
export const ORIGIN_CONVERSATION = 'originConversation';
export const ORIGIN_TENANT = 'originTenant';

export function concernFormSpec(context: Record<string, string> = {}): FormSpec {
  return {
    formId: 'concern',
    title: 'Report a safeguarding concern to the DSL',
    submitLabel: 'Send to the DSL',
    // A form redrawn with errors keeps its instance id; a new form gets a new one.
    context: { ...context, [INTAKE]: context[INTAKE] || randomUUID() },
    allowDraft: false,
    fields: [
      {
        id: 'student',
        label: 'Pupil',
        kind: 'student',
        required: true,
        hint: 'Name, UPN or id',
        initial: context.student,
      },
      {
        id: 'category',
        label: 'Category',
        kind: 'select',
        required: false,
        options: defaultConcernCategories.map((c) => ({ value: c, label: c })),
      },
      {
        id: 'what',
        label: "What you saw or heard (in your own words, and the child's words if they spoke)",
        kind: 'multiline',
        required: true,
        maxLength: 10_000,
      },
      {
        id: 'when',
        label: 'When (e.g. 2026-11-24 10:15, or 10:15 today; empty = now)',
        kind: 'datetime',
        required: false,
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
      },
      {
        id: 'actionsTaken',
        label: 'Actions you have already taken',
        kind: 'multiline',
        required: false,
        maxLength: 5_000,
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
  const risk = r.concern.immediateRisk
    ? " If a child is in immediate danger, call 999 or children's social care now: do not wait for the DSL (KCSIE Part one)."
    : '';
  return `Thank you. Your concern is recorded as ${concernRef(r.concern.id)} and has gone to ${to}.${risk}`;
}

export interface ConcernFormOptions {
  zone: string;
  now: () => Date;
  /** Does the actor's organisation want the channel notice (SAFEGUARDING_CHANNEL_NOTICE)? */
  channelNotice?: (orgId: string) => Promise<boolean>;
}

export function concernFormHandler(service: ConcernService, options: ConcernFormOptions): FormHandler {
  const { zone, now } = options;
  return {
    async open(actor: Actor, context) {
      service.assertCanRaise(actor);
      return concernFormSpec(context);
    },
    async submit(actor, submission, via) {
      service.assertCanRaise(actor);
      const key = intakeKey(actor, submission, via);
      // Answered before validating again: the first delivery may have been accepted a moment ago.
      const seen = key ? await service.intakeReceipt(actor.orgId, key) : null;
      if (seen) return { ok: true, reply: confirmation(seen) };
      const parsed = concernSubmissionSchema.safeParse(submission.values);
      if (!parsed.success) {
        const errors: FieldErrors = {};
        for (const i of parsed.error.issues) errors[String(i.path[0] ?? 'form')] ??= i.message;
        return { ok: false, errors };
      }
      const v = parsed.data;
      const errors: FieldErrors = {};
      const matches = await service.concerns.findStudents(actor.orgId, v.student);
      if (matches.length === 0) errors.student = 'No pupil with that name, UPN or id in your school.';
      else if (matches.length > 1) errors.student = 'More than one pupil matches: give the UPN.';
      const at = now();
      const occurredAt = parseWhen(v.when, at, zone);
      if (!occurredAt) errors.when = 'Give a date and time like 2026-11-24 10:15, or leave it empty for now.';
      else if (occurredAt.getTime() > at.getTime() + 5 * 60_000) errors.when = 'That time is in the future.';
      if (Object.keys(errors).length > 0 || !occurredAt) return { ok: false, errors };
      const conversation = submission.context[ORIGIN_CONVERSATION];
      const tenant = submission.context[ORIGIN_TENANT];
      const fromChannel =
        (via === 'SLACK' || via === 'TEAMS') &&
        conversation &&
        tenant !== undefined &&
        (await options.channelNotice?.(actor.orgId));
      const r = await service.raise({
        orgId: actor.orgId,
        studentId: matches[0]!.id,
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
      return { ok: true, reply: confirmation(r) };
    },
  };
}
