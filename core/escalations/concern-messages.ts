/**
 * What the hub says about a concern, and to whom. Minimisation (docs/data-protection.md §5; CPOMS alert e-mails
 * carry only the category and who raised it): escalation messages carry the pupil's initials and year,
 * the category and the immediate-risk flag, never the concern text or the child's name. Only
 * `recordMessage` (the DSL's private record view, after an access check) carries the record itself.
 */
import { message, type OutgoingMessage } from '../messages/outgoing-message.ts';
import { concernOutcomes, outcomeLabels } from './concern.ts';

export interface ConcernSummary {
  id: string;
  /** studentLabel(): "A.B. (Y7)". */
  studentLabel: string;
  category: string;
  immediateRisk: boolean;
  raisedAt: string;
  /**
   * When it happened, when that was well before it was raised (an imported incident, an earlier "when"):
   * "4 Dec 2026, 10:15 (3 days before it reached you)" (report-delay.ts happenedText); absent otherwise.
   */
  happened?: string | null;
}

const ref = (id: string) => `C-${id.slice(-6).toUpperCase()}`;
export const concernRef = ref;

/** To a DSL / deputy / head on the ladder: private, queue-jumping, with the four buttons. */
export function escalationMessage(c: ConcernSummary, step: number, resend: boolean): OutgoingMessage {
  const subject = { type: 'concern', id: c.id };
  return message({
    kind: 'concern_escalation',
    audience: 'private',
    urgent: true,
    title: `${resend ? 'STILL UNACKNOWLEDGED: ' : step > 0 ? 'Escalated: ' : ''}Safeguarding concern ${ref(c.id)} for ${c.studentLabel}`,
    text: c.immediateRisk
      ? 'Immediate risk reported. Please acknowledge now.'
      : 'Please acknowledge, then open the record.',
    facts: [
      { label: 'Pupil', value: c.studentLabel },
      { label: 'Category', value: c.category },
      { label: 'Immediate risk', value: c.immediateRisk ? 'YES' : 'no' },
      { label: 'Raised', value: c.raisedAt },
      ...(c.happened ? [{ label: 'Happened', value: c.happened }] : []),
    ],
    actions: [
      { verb: 'acknowledge', label: 'Acknowledge', style: 'primary' },
      { verb: 'take_ownership', label: 'Take ownership' },
      { verb: 'open_record', label: 'Open record' },
      { verb: 'escalate', label: 'Escalate', style: 'danger' },
    ],
    subject,
  });
}

/** To everyone else who was asked: someone has it. */
export function handledMessage(c: ConcernSummary, byName: string, at: string): OutgoingMessage {
  return message({
    kind: 'concern_handled',
    audience: 'private',
    title: `Concern ${ref(c.id)} for ${c.studentLabel} is handled`,
    text: `Acknowledged by ${byName} at ${at}. No action needed from you.`,
    subject: { type: 'concern', id: c.id },
  });
}

/** The buttons a DSL uses after acknowledging: the outcomes (KCSIE Part one flowchart). */
export function outcomePrompt(c: ConcernSummary, headline: string): OutgoingMessage {
  return message({
    kind: 'text',
    audience: 'private',
    title: headline,
    text: 'When you have decided, record the outcome:',
    actions: concernOutcomes.map((o) => ({
      verb: 'record_outcome' as const,
      label: outcomeLabels[o],
      args: { outcome: o },
    })),
    subject: { type: 'concern', id: c.id },
  });
}

/** Told to the admin at once: a ladder member cannot be reached by any enabled channel. */
export function unreachableNotice(c: ConcernSummary, who: string, level: string): OutgoingMessage {
  return message({
    kind: 'admin_notice',
    audience: 'private',
    urgent: true,
    title: `Safeguarding route broken: the ${level} (${who}) cannot be reached`,
    text:
      `Concern ${ref(c.id)} could not be sent to ${who}: no chat identity and no enabled channel reaches them. ` +
      'It has gone to the next people on the ladder. Link their Teams or Slack account, or fix the rota (`rota`).',
    subject: { type: 'concern', id: c.id },
  });
}

/**
 * Told to the admin at once: a message of the ladder could not be delivered (the platform no longer knows
 * the person, or no channel reaches them any more); the concern has gone to the next step.
 */
export function undeliveredNotice(c: ConcernSummary, who: string, why: string): OutgoingMessage {
  return message({
    kind: 'admin_notice',
    audience: 'private',
    urgent: true,
    title: `Safeguarding route broken: concern ${ref(c.id)} could not be delivered to ${who}`,
    text:
      `${why}. It has gone to the next people on the ladder now. ` +
      'Check their Teams or Slack account (deactivated? left the workspace?), or fix the rota (`rota`).',
    subject: { type: 'concern', id: c.id },
  });
}

/** A post for a shared channel: only that a concern was raised and is with the DSL. */
export function channelNotice(): OutgoingMessage {
  return message({
    kind: 'concern_channel_notice',
    audience: 'channel',
    title: 'A safeguarding concern was raised and is with the DSL.',
  });
}

export interface ConcernRecordView {
  id: string;
  studentName: string;
  studentLabel: string;
  category: string;
  immediateRisk: boolean;
  occurredAt: string;
  raisedAt: string;
  raisedBy: string;
  status: string;
  text: string;
  actionsTaken: string;
  outcome: string | null;
  chronology: string[];
}

/** Marker that opens every record view (the privacy test allows the record only in these messages). */
export const RECORD_TITLE_PREFIX = 'CONFIDENTIAL safeguarding record';

/** The DSL's private record view (open_record, after canViewConcern). */
export function recordMessage(r: ConcernRecordView): OutgoingMessage {
  return message({
    kind: 'text',
    audience: 'private',
    title: `${RECORD_TITLE_PREFIX} ${ref(r.id)}: ${r.studentName}`,
    text: r.text,
    facts: [
      { label: 'Pupil', value: `${r.studentName} ${r.studentLabel}` },
      { label: 'Category', value: r.category },
      { label: 'Immediate risk', value: r.immediateRisk ? 'YES' : 'no' },
      { label: 'When it happened', value: r.occurredAt },
      { label: 'Raised', value: `${r.raisedAt} by ${r.raisedBy}` },
      { label: 'Status', value: r.status },
      { label: 'Actions already taken', value: r.actionsTaken || 'none recorded' },
      ...(r.outcome ? [{ label: 'Outcome', value: r.outcome }] : []),
    ],
    sections: [{ heading: 'Chronology', lines: r.chronology }],
    subject: { type: 'concern', id: r.id },
  });
}
