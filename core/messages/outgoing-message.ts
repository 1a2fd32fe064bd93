import { z } from 'zod';

/**
 * A channel-neutral message. The core builds these; each channel adapter (console, Teams, Slack)
 * renders them (text, Adaptive Card, Block Kit). Nothing platform-specific belongs here.
 *
 * Minimisation (docs/data-protection.md §5): `audience: 'channel'` messages are posted where several people
 * read them and must carry initials and year group at most; builders of such messages take no
 * names. `audience: 'private'` messages go 1:1 to one member of staff.
 */
export const messageKinds = [
  'meeting_reminder',
  'report_due',
  'notes_prompt',
  'deadline_nudge',
  'deadline_escalation',
  'action_nudge',
  'concern_escalation',
  'concern_handled',
  'concern_receipt',
  'concern_channel_notice',
  'alert',
  'digest',
  'tac_summary',
  'welcome',
  'admin_notice',
  'text',
  /**
   * Out of chat (issue 16): "a safeguarding concern needs you", sent by e-mail/SMS. Built by the
   * notification rules (app/safeguarding/out-of-chat*): title, facts `Reference` and `Raised at`, and
   * `link` = the acknowledge-by-link URL. Rendered from a fixed template using those three only
   * (core/messages/out-of-chat.ts); see there.
   */
  'concern_alert_external',
  /** Out of chat: the code that verifies a contact method (app/contacts), sent by the method itself. */
  'contact_verification',
] as const;
export type MessageKind = (typeof messageKinds)[number];

/** What a button does. Adapters carry `verb` + `subject` + `args` back as an InboundAction. */
export const actionVerbs = [
  'done',
  'snooze',
  'reassign',
  'pause',
  'resume',
  'acknowledge',
  'take_ownership',
  'escalate',
  'open_record',
  'record_outcome',
  'open_notes_form',
  'open_concern_form',
] as const;
export type ActionVerb = (typeof actionVerbs)[number];

export const subjectSchema = z.object({ type: z.string().min(1), id: z.string().min(1) });
export type Subject = z.infer<typeof subjectSchema>;

export const messageActionSchema = z.object({
  verb: z.enum(actionVerbs),
  label: z.string(),
  style: z.enum(['primary', 'danger', 'default']).default('default'),
  /** Extra arguments the action carries (for example a snooze date). Strings only: they travel through chat payloads. */
  args: z.record(z.string(), z.string()).default({}),
});
export type MessageAction = z.infer<typeof messageActionSchema>;

export const outgoingMessageSchema = z.object({
  kind: z.enum(messageKinds),
  audience: z.enum(['private', 'channel']),
  /** One line. For channel messages: no names. */
  title: z.string().max(200),
  /** Body, plain text with *bold* and line breaks only; adapters translate. */
  text: z.string().default(''),
  facts: z.array(z.object({ label: z.string(), value: z.string() })).default([]),
  /** Optional sections (digest lines, note summaries); each rendered as its own block. */
  sections: z.array(z.object({ heading: z.string(), lines: z.array(z.string()) })).default([]),
  actions: z.array(messageActionSchema).default([]),
  urgent: z.boolean().default(false),
  subject: subjectSchema.optional(),
  /** A URL that opens more (a meeting link); never a link that embeds personal data. */
  link: z.object({ label: z.string(), url: z.string().url() }).optional(),
  /** Why this person gets it, when it differs from what its kind says (the console's "Why you" line). */
  why: z.string().max(200).optional(),
});
export type OutgoingMessage = z.infer<typeof outgoingMessageSchema>;
export type OutgoingMessageInput = z.input<typeof outgoingMessageSchema>;

/** Build a message with defaults filled and shape checked. */
export function message(input: OutgoingMessageInput): OutgoingMessage {
  return outgoingMessageSchema.parse(input);
}

/**
 * A message sent again after a crash left its first send in doubt, on a channel that cannot tell whether
 * it arrived (Teams has no lookup by key): say so, so that a second copy is not taken for a new one.
 */
export const RESEND_NOTICE = 'Sent again after an interruption: you may already have this message.';
export function withResendNotice(m: OutgoingMessage): OutgoingMessage {
  return { ...m, text: m.text ? `${m.text}\n\n_${RESEND_NOTICE}_` : `_${RESEND_NOTICE}_` };
}

/** After an action, a message is replaced in place by this state (so it cannot be acted on twice). */
export interface ResolvedState {
  /** "Acknowledged by J. Smith at 10:42" */
  text: string;
}
