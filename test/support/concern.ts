/**
 * Raise a concern through the safeguarding service as a member of staff does from chat (the intake the
 * chat form calls), for tests that start from a raised concern: an immediate-risk neglect concern on Teams
 * unless `over` says otherwise.
 */
import type { Hub } from '../../app/container.ts';
import type { RaiseInput } from '../../app/safeguarding/concern-core.ts';
import { safeguardingOf } from '../../app/safeguarding/module.ts';
import { CONCERN_TEXT } from '../safeguarding/support.ts';

export function raiseConcern(
  hub: Hub,
  who: { orgId: string; studentId: string; raisedById: string },
  over: Partial<RaiseInput> = {},
) {
  return safeguardingOf(hub).service.raise({
    ...who,
    source: 'chat',
    externalId: null,
    category: 'Neglect',
    immediateRisk: true,
    text: CONCERN_TEXT,
    actionsTaken: '',
    occurredAt: hub.clock.now(),
    via: 'TEAMS',
    ...over,
  });
}
