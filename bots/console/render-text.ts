/** Renders a channel-neutral message as plain terminal text (the console channel, and CLI previews). */
import type { MessageKind, OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { Role } from '../../core/staff/roles.ts';

/** How each role is named beside a person ("to Tom Reed, DSL"). */
export const ROLE_WORDS: Record<Role, string> = {
  DSL: 'DSL',
  DEPUTY_DSL: 'deputy DSL',
  HEAD: 'head teacher',
  SENDCO: 'SENDCo',
  ADMIN: 'admin',
  DESIGNATED_TEACHER: 'designated teacher for children in care',
  BEHAVIOUR_LEAD: 'behaviour lead',
  ATTENDANCE_LEAD: 'attendance lead',
  EHCNA_OFFICER: 'EHC needs assessment officer',
  SEN_TEAM_MANAGER: 'SEN team manager',
  KEY_WORKER: 'key worker',
  CARE_COORDINATOR: 'educational care coordinator',
  COORDINATOR: 'coordinator',
  STAFF: 'staff',
};

/** "Tom Reed, DSL" (the most specific roles first; plain staff only when nothing else). */
export function personLabel(name: string, held: readonly Role[]): string {
  const words = held.filter((r) => r !== 'STAFF').map((r) => ROLE_WORDS[r] ?? r.toLowerCase());
  return `${name}, ${words.length ? words.join(' and ') : 'staff'}`;
}

/** Why this person gets this kind of message: one line under it in the console. */
const WHY: Partial<Record<MessageKind, string>> = {
  meeting_reminder: 'you are invited to this meeting',
  report_due: 'your report or advice for this meeting is due',
  notes_prompt: 'you are the note-taker for this meeting, which has ended',
  deadline_nudge: 'you are the named officer for this statutory deadline',
  deadline_escalation: 'a deadline of someone you line-manage was missed',
  action_nudge: 'an action agreed at a meeting is yours',
  concern_escalation: 'you are on the safeguarding rota and this concern needs acknowledging',
  concern_handled: 'you were alerted to this concern; someone has acted on it',
  concern_receipt: 'you raised this concern',
  alert: 'an early-intervention rule fired for a pupil in your remit',
  digest: 'your caseload at a glance',
  tac_summary: 'you attended this meeting or need its notes',
  admin_notice: 'you administer the hub',
};

export const whyLine = (kind: MessageKind): string | undefined => WHY[kind];

export function renderText(m: OutgoingMessage, ref?: string): string {
  const lines: string[] = [];
  lines.push(`${m.urgent ? '!! URGENT: ' : ''}${m.title}`);
  if (m.text) lines.push(...m.text.split('\n').map((l) => `  ${l}`));
  for (const f of m.facts) lines.push(`  ${f.label}: ${f.value}`);
  for (const s of m.sections) {
    lines.push(`  ${s.heading}:`);
    for (const l of s.lines) lines.push(`    - ${l}`);
  }
  if (m.link) lines.push(`  ${m.link.label}: ${m.link.url}`);
  if (m.actions.length > 0 && ref) {
    const verbs = [...new Set(m.actions.map((a) => a.verb))];
    lines.push(`  Reply: ${verbs.map((v) => choiceHints(m, ref, v)).join(' | ')}`);
  }
  const why = ref ? (m.why ?? whyLine(m.kind)) : undefined;
  if (why) lines.push(`  (Why you: ${why}.)`);
  return lines.join('\n');
}

/**
 * What to type for one verb. Several buttons with the same verb (the outcomes a DSL records) differ by
 * their arguments: each is listed with its own word (`record-outcome r7 referral-csc`), so the choice is
 * typed, never implied.
 */
export function choiceHints(m: OutgoingMessage, ref: string, verb: string): string {
  const same = m.actions.filter((a) => a.verb === verb);
  const typed = verb.replaceAll('_', '-');
  if (same.length < 2) return `${typed} ${ref}`;
  const keys = [...new Set(same.flatMap((a) => Object.keys(a.args)))].filter(
    (k) => new Set(same.map((a) => a.args[k])).size > 1,
  );
  return same
    .map((a) => `${typed} ${ref} ${keys.map((k) => (a.args[k] ?? '').replaceAll('_', '-')).join(' ')}`)
    .join(' | ');
}
