/**
 * Block Kit limits (https://docs.slack.dev/reference/block-kit): a payload over any of these is
 * rejected by Slack with invalid_blocks, so builders clamp to them and point to the rest instead.
 */
export const LIMITS = {
  /** Blocks in one message (chat.postMessage / chat.update). */
  messageBlocks: 50,
  /** Blocks in a modal or the App Home tab. */
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  /** Button label; Slack's reference says 75 characters. */
  buttonText: 75,
  buttonValue: 2000,
  actionsElements: 25,
  actionId: 255,
  blockId: 255,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  plainTextInputMax: 3000,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  /** Top-level `text` of a message; used as the notification fallback. Slack truncates at 40 000. */
  messageText: 3000,
} as const;

/** Cut `s` to `max` characters, ending with an ellipsis when cut. */
export function clamp(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, Math.max(0, max - 1))}…`;
}

/** Split text into pieces of at most `max` characters, preferring line boundaries. */
export function splitText(s: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const line of s.split('\n')) {
    const pieces = line.length > max ? (line.match(new RegExp(`[\\s\\S]{1,${max}}`, 'g')) ?? []) : [line];
    for (const p of pieces) {
      if (cur && cur.length + 1 + p.length > max) {
        out.push(cur);
        cur = p;
      } else {
        cur = cur ? `${cur}\n${p}` : p;
      }
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Escape the three characters Slack's mrkdwn treats as control (&, <, >). */
export function escapeMrkdwn(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
