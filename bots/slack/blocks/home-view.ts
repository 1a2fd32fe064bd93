/** The App Home tab: a stack of channel-neutral messages (caseload sections) rendered into one view. */
import type { OutgoingMessage } from '../../../core/messages/outgoing-message.ts';
import { LIMITS } from './limits.ts';
import { type Block, renderMessage, TRUNCATION_POINTER } from './message-blocks.ts';

/**
 * @example renderHomeView([message({ kind: 'text', audience: 'private', title: 'Due soon' })]).type === 'home'
 */
export function renderHomeView(parts: OutgoingMessage[]): { type: 'home'; blocks: Block[] } {
  const blocks: Block[] = [];
  let truncated = false;
  for (const [i, part] of parts.entries()) {
    const rendered = renderMessage(part, LIMITS.viewBlocks).blocks;
    const piece = i === 0 ? rendered : [{ type: 'divider' }, ...rendered];
    if (blocks.length + piece.length > LIMITS.viewBlocks - 1) {
      truncated = true;
      break;
    }
    blocks.push(...piece);
  }
  if (truncated) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: TRUNCATION_POINTER }] });
  return { type: 'home', blocks };
}
