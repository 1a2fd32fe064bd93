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
    lines.push(`  Reply: ${m.actions.map((a) => `${a.verb.replaceAll('_', '-')} ${ref}`).join(' | ')}`);
  }
  return lines.join('\n');
}
