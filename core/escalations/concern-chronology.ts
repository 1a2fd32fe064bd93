/**
 * A concern's chronology for a child-protection conference (issue 17), pure: each audited step in time
 * order, in words (raised, alerts sent per ladder step, acknowledged, owner, actions, outcome), and who
 * viewed the record. KCSIE 2025 Annex C: the DSL keeps "detailed, accurate, secure written records of
 * concerns and referrals"; Working Together to Safeguard Children 2023 chapter 2 (information sharing for
 * conferences). The words come from the audit trail alone: nothing is inferred.
 */
import { type ConcernOutcome, outcomeLabels } from './concern.ts';
import { levelLabel } from './escalation-ladder.ts';
import type { RotaLevel } from './rota.ts';

export interface ChronologyEvent {
  /** ISO instant. */
  at: string;
  what: string;
  who: string | null;
  channel: string | null;
  details: unknown;
}

export interface ChronologyLine {
  at: string;
  /** What happened, in words. */
  event: string;
  /** Who did it (a person's name), or "the hub". */
  by: string;
  channel: string;
}

const CHANNELS: Record<string, string> = {
  CONSOLE: 'console',
  TEAMS: 'Teams',
  SLACK: 'Slack',
  EMAIL: 'e-mail link',
  SMS: 'SMS link',
  CLI: 'command line',
  WEB: 'web',
  SYSTEM: '',
};

const levels = (d: Record<string, unknown>): string => {
  const ls = Array.isArray(d.levels) ? (d.levels as RotaLevel[]) : [];
  return ls.map((l) => levelLabel[l] ?? String(l)).join(' and ') || 'nobody on duty';
};

/** One audit action in words; `d` is the event's details (ids, codes and counts only). */
export function describeAction(action: string, d: Record<string, unknown>): string {
  const step = typeof d.step === 'number' ? ` (step ${d.step + 1})` : '';
  switch (action) {
    case 'concern.raised':
      return 'Concern raised';
    case 'concern.sent_to_dsl':
      return `Alert sent to the ${levels(d)}${step}`;
    case 'concern.escalated':
      return `Not acknowledged in time: alert sent to the ${levels(d)}${step}`;
    case 'concern.resent':
      return `Still unacknowledged: alert re-sent to everyone on the ladder${step}`;
    case 'concern.escalation_requested':
      return 'Escalation to the next step requested';
    case 'concern.acknowledged':
      return `Acknowledged${typeof d.minutesToAck === 'number' ? ` (${d.minutesToAck} min after it was raised)` : ''}`;
    case 'concern.acknowledged_and_owned':
      return `Acknowledged and ownership taken${typeof d.minutesToAck === 'number' ? ` (${d.minutesToAck} min after it was raised)` : ''}`;
    case 'concern.owned':
      return 'Ownership taken';
    case 'concern.record_viewed':
      return 'Record viewed';
    case 'concern.chronology_exported':
      return `Chronology exported${typeof d.format === 'string' ? ` (${d.format.toUpperCase()})` : ''}`;
    case 'concern.outcome_recorded':
      return `Outcome recorded: ${outcomeLabels[d.outcome as ConcernOutcome] ?? String(d.outcome ?? '?')}`;
    case 'concern.cp_timeframes_started':
      return 'Child-protection timeframes started (case opened in the deadline engine)';
    case 'concern.student_linked':
      return d.matchedByImport
        ? "Linked to the pupil's record (a later import matched the pupil on the roll)"
        : "Linked to the pupil's record";
    case 'concern.import_updated':
      return `The imported incident changed: ${d.actions ? 'its actions are updated' : 'its year group is recorded'}`;
    case 'concern.delivery_failed':
    case 'concern.recipient_unreachable':
    case 'concern.no_route':
      return 'A person on the ladder could not be reached: the admins were told and the next step went at once';
    case 'concern.method_failed':
      return 'An e-mail or SMS alert could not be delivered';
    case 'concern.ack_link_opened':
      return 'Acknowledge link opened';
    case 'concern.ack_link_used':
      return 'Acknowledged by link';
    case 'concern.ack_link_refused':
      return 'An acknowledge link was refused';
    case 'concern.channel_notice':
      return 'Notice posted in the channel it was raised from (no details)';
    default:
      return action.replace(/^concern\./, '').replaceAll('_', ' ');
  }
}

/** The chronology's lines, in time order (the audit order is kept for events at the same instant). */
export function chronologyLines(events: readonly ChronologyEvent[]): ChronologyLine[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i)
    .map(({ e }) => ({
      at: e.at,
      event: describeAction(e.what, (e.details ?? {}) as Record<string, unknown>),
      by: e.who ?? 'the hub',
      channel: e.channel ? (CHANNELS[e.channel] ?? e.channel) : '',
    }));
}

/** Who has viewed or exported the record, and when (the last section of the conference document). */
export function viewers(events: readonly ChronologyEvent[]): { who: string; at: string; what: string }[] {
  return events
    .filter((e) => e.what === 'concern.record_viewed' || e.what === 'concern.chronology_exported')
    .map((e) => ({
      who: e.who ?? 'command line (admin)',
      at: e.at,
      what: describeAction(e.what, (e.details ?? {}) as Record<string, unknown>),
    }));
}

export interface ChronologyDocument {
  ref: string;
  child: string;
  category: string;
  immediateRisk: boolean;
  occurredAt: string;
  raisedAt: string;
  raisedBy: string;
  status: string;
  owner: string;
  outcome: string;
  text: string;
  actionsTaken: string;
  lines: ChronologyLine[];
  viewedBy: { who: string; at: string; what: string }[];
  /** When the document was produced (local time, words). */
  producedAt: string;
  /** Formats an ISO instant for the reader (local time zone). */
  fmt: (iso: string) => string;
}

/**
 * The raiser's own words, each line indented by one space so that none is read as Markdown (a line starting
 * "# ", "- " or "|---" would otherwise become a heading, a bullet, or be dropped from the PDF).
 */
const asWritten = (text: string): string[] => text.split('\n').map((l) => ` ${l}`);

/** The document as Markdown (the PDF is drawn from it: app/meetings/tac-export.ts markdownToPdf). */
export function chronologyMarkdown(d: ChronologyDocument): string {
  const cell = (s: string) => s.replaceAll('|', '/').replaceAll('\n', ' ');
  return [
    `# Safeguarding concern ${d.ref}: chronology`,
    '',
    'CONFIDENTIAL: for the child-protection conference only. Do not copy or forward.',
    '',
    `- Child: ${d.child}`,
    `- Category: ${d.category}`,
    `- Immediate risk: ${d.immediateRisk ? 'yes' : 'no'}`,
    `- When it happened: ${d.occurredAt}`,
    `- Raised: ${d.raisedAt} by ${d.raisedBy}`,
    `- Status: ${d.status}`,
    `- Owner: ${d.owner}`,
    `- Outcome: ${d.outcome}`,
    '',
    '## What was seen or heard',
    '',
    ...asWritten(d.text),
    '',
    '## Actions already taken by the raiser',
    '',
    ...(d.actionsTaken ? asWritten(d.actionsTaken) : ['None recorded.']),
    '',
    '## Events in time order',
    '',
    '| When | What happened | By | Via |',
    '|---|---|---|---|',
    ...d.lines.map((l) => `| ${d.fmt(l.at)} | ${cell(l.event)} | ${cell(l.by)} | ${l.channel} |`),
    '',
    '## Who viewed the record',
    '',
    ...(d.viewedBy.length === 0
      ? ['Nobody yet.']
      : d.viewedBy.map((v) => `- ${d.fmt(v.at)}: ${v.who} (${v.what.toLowerCase()})`)),
    '',
    `Produced by SEND Hub at ${d.producedAt}.`,
    '',
  ].join('\n');
}
