/**
 * The safeguarding workflow around the pure ladder (core/escalations): raise a concern, route each
 * escalation step, acknowledge, take ownership, escalate, open the record, record the outcome.
 *
 * Invariants (issue 7):
 * - The concern, its audit event and its first step's messages commit in ONE transaction, before the
 *   raiser is told who it went to.
 * - Each step moves a cursor with a conditional update and enqueues with keys
 *   `concern:<id>:step:<n>:<staffId>`, so a restart or a second worker neither loses nor repeats a step.
 * - Messages carry initials, year, category and the risk flag only; the record (text, name) is shown
 *   only by `openRecord`, privately, to a safeguarding lead (core/access/policy.ts).
 *
 * The work is split along its seams (issue 13): concern-core.ts (settings, ladder on duty, reach,
 * summaries), concern-ladder.ts (routing, stepping, acknowledge, escalate), concern-intake.ts (raise),
 * concern-outcome.ts (record, outcome, chronology, digest list). This class is the public API.
 */
import { canRaiseConcern, require } from '../../core/access/policy.ts';
import type { Actor } from '../../core/ports.ts';
import { ConcernOutcomes } from './concern-outcome.ts';

export { ACTIONS_CONTEXT, type RaiseInput, type RaiseResult, TEXT_CONTEXT } from './concern-core.ts';

export class ConcernService extends ConcernOutcomes {
  assertCanRaise(actor: Actor): void {
    require(canRaiseConcern(actor, actor.orgId), 'raise a concern');
  }
}
