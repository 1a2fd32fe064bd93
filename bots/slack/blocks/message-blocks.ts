/**
 * Any OutgoingMessage → Block Kit. Generic over kinds (reminder, deadline nudge, escalation, digest …):
 * header, body sections, facts as fields, extra sections, link, and buttons that carry the action back.
 * Every text is clamped to its Block Kit limit and the block count to 50, with a pointer to the rest,
 * so Slack never rejects a message for its shape.
 */
import type { MessageAction, OutgoingMessage, Subject } from '../../../core/messages/outgoing-message.ts';
import { clamp, escapeMrkdwn, LIMITS, splitText } from './limits.ts';

// Plain JSON shapes for the blocks we send; the Web API takes them as-is.
export type Block = Record<string, unknown> & { type: string };

/** action_id prefix of every hub button (routed by slack-listeners.ts). */
export const ACTION_PREFIX = 'sh:';

/** What a button carries back in its `value` (≤ 2000 characters). */
export interface ButtonValue {
  v: MessageAction['verb'];
  t: string;
  i: string;
  a: Record<string, string>;
}

export const TRUNCATION_POINTER = 'More in SEND Hub: open the Home tab, or type `/send due`.';

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });

/** Core text uses *bold* and line breaks, which Slack's mrkdwn reads the same way. */
const body = (s: string) => escapeMrkdwn(s);

function sectionsFor(text: string): Block[] {
  return splitText(text, LIMITS.sectionText).map((t) => ({ type: 'section', text: mrkdwn(t) }));
}

export function buttonFor(action: MessageAction, subject: Subject | undefined, index: number): Block | null {
  const value: ButtonValue = {
    v: action.verb,
    t: subject?.type ?? 'none',
    i: subject?.id ?? 'none',
    a: action.args,
  };
  const encoded = JSON.stringify(value);
  // A button whose arguments do not fit is left out rather than sent broken; the pointer covers it.
  if (encoded.length > LIMITS.buttonValue) return null;
  return {
    type: 'button',
    action_id: `${ACTION_PREFIX}${action.verb}:${index}`,
    text: plain(clamp(action.label, LIMITS.buttonText)),
    value: encoded,
    ...(action.style === 'primary' || action.style === 'danger' ? { style: action.style } : {}),
  };
}

/** One static select for several actions of one verb; null if an option's value would not fit. */
export function selectFor(same: MessageAction[], subject: Subject | undefined): Block | null {
  const options = [];
  for (const a of same) {
    const value = JSON.stringify({
      v: a.verb,
      t: subject?.type ?? 'none',
      i: subject?.id ?? 'none',
      a: a.args,
    });
    if (value.length > LIMITS.optionValue) return null;
    options.push({ text: plain(clamp(a.label, LIMITS.optionText)), value });
  }
  const verb = (same[0]?.verb ?? '').replaceAll('_', ' ');
  return {
    type: 'static_select',
    action_id: `${ACTION_PREFIX}${same[0]?.verb}:select`,
    placeholder: plain(clamp(`${verb.charAt(0).toUpperCase()}${verb.slice(1)}…`, LIMITS.optionText)),
    options,
  };
}

export interface RenderedMessage {
  text: string;
  blocks: Block[];
  truncated: boolean;
}

/**
 * @example renderMessage(message({ kind: 'text', audience: 'private', title: 'Hi' })).blocks[0].type === 'header'
 */
export function renderMessage(m: OutgoingMessage, maxBlocks: number = LIMITS.messageBlocks): RenderedMessage {
  const title = `${m.urgent ? '🔴 Urgent: ' : ''}${m.title}`;
  const content: Block[] = [{ type: 'header', text: plain(clamp(title, LIMITS.headerText)) }];
  if (m.text.trim()) content.push(...sectionsFor(body(m.text)));
  for (let i = 0; i < m.facts.length; i += LIMITS.sectionFields) {
    content.push({
      type: 'section',
      fields: m.facts
        .slice(i, i + LIMITS.sectionFields)
        .map((f) => mrkdwn(clamp(`*${body(f.label)}*\n${body(f.value)}`, LIMITS.fieldText))),
    });
  }
  for (const s of m.sections) {
    content.push(...sectionsFor(`*${body(s.heading)}*\n${s.lines.map((l) => `• ${body(l)}`).join('\n')}`));
  }
  if (m.link) {
    content.push({
      type: 'context',
      elements: [mrkdwn(clamp(`<${m.link.url}|${body(m.link.label)}>`, LIMITS.sectionText))],
    });
  }

  // Several buttons of one verb (the outcomes a DSL records) are one select: the choice is made from the
  // listed set, never implied (issue 13). Each option carries the same value its button would.
  const buttons: Block[] = [];
  const selected = new Set<string>();
  let lost = false;
  for (const [i, a] of m.actions.entries()) {
    const same = m.actions.filter((x) => x.verb === a.verb);
    // A real choice only: one argument tells each apart (look-alike buttons stay buttons).
    const differ = [...new Set(same.flatMap((x) => Object.keys(x.args)))].some(
      (k) => new Set(same.map((x) => x.args[k])).size === same.length,
    );
    if (same.length > 1 && differ) {
      if (selected.has(a.verb)) continue;
      selected.add(a.verb);
      const select = selectFor(same, m.subject);
      if (select) buttons.push(select);
      else
        for (const x of same) {
          const b = buttonFor(x, m.subject, m.actions.indexOf(x));
          if (b) buttons.push(b);
          else lost = true;
        }
      continue;
    }
    const b = buttonFor(a, m.subject, i);
    if (b) buttons.push(b);
    else lost = true;
  }
  const actionBlocks: Block[] = [];
  for (let i = 0; i < buttons.length; i += 5) {
    actionBlocks.push({
      type: 'actions',
      block_id: `sh_actions_${i / 5}`,
      elements: buttons.slice(i, i + 5),
    });
  }
  const actions = actionBlocks.slice(0, Math.floor(LIMITS.actionsElements / 5));
  const dropped = lost || actions.length < actionBlocks.length;

  let truncated = dropped;
  let kept = content;
  if (content.length + actions.length > maxBlocks) {
    kept = content.slice(0, maxBlocks - actions.length - 1);
    truncated = true;
  }
  const blocks = [...kept, ...actions];
  if (truncated) blocks.splice(kept.length, 0, { type: 'context', elements: [mrkdwn(TRUNCATION_POINTER)] });
  const fallback = clamp(m.text.trim() ? `${title}\n${m.text}` : title, LIMITS.messageText);
  return { text: fallback, blocks, truncated };
}

/**
 * The message after someone acted on it: the same content, buttons removed, and who did what,
 * so it cannot be acted on twice.
 */
export function resolvedBlocks(original: Block[], resolvedText: string): Block[] {
  const kept = original.filter((b) => b.type !== 'actions').slice(0, LIMITS.messageBlocks - 1);
  return [
    ...kept,
    { type: 'context', elements: [mrkdwn(`✅ ${clamp(body(resolvedText), LIMITS.sectionText - 2)}`)] },
  ];
}

/** Parse a button value back; null if it is not one of ours or is malformed. */
export function parseButtonValue(raw: unknown): ButtonValue | null {
  if (typeof raw !== 'string') return null;
  try {
    const v = JSON.parse(raw) as Partial<ButtonValue>;
    if (typeof v.v !== 'string' || typeof v.t !== 'string' || typeof v.i !== 'string') return null;
    const a = v.a && typeof v.a === 'object' ? v.a : {};
    const args: Record<string, string> = {};
    for (const [k, val] of Object.entries(a)) if (typeof val === 'string') args[k] = val;
    return { v: v.v, t: v.t, i: v.i, a: args };
  } catch {
    return null;
  }
}
