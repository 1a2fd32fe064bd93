/** Renders a channel-neutral message as plain terminal text (the console channel, and CLI previews). */
import type { OutgoingMessage } from '../../core/messages/outgoing-message.ts';

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
