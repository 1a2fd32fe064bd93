/**
 * Routes an InboundAction (a button pressed in Teams, Slack or the console) to the feature that owns it.
 * Each feature registers its verbs for its subject types at wiring time; adapters only translate.
 */
import { ForbiddenError, isDomainError } from '../errors.ts';
import { message } from '../messages/outgoing-message.ts';
import type { ActionResult, AuditLog, InboundAction } from '../ports.ts';

export type ActionHandler = (action: InboundAction) => Promise<ActionResult>;

export class ActionRegistry {
  private readonly handlers = new Map<string, ActionHandler>();

  constructor(private readonly audit: AuditLog) {}

  /** `subjectType` "*" matches any subject (used for reminder answers, routed by args.reminderId). */
  on(verb: InboundAction['verb'], subjectType: string, handler: ActionHandler): this {
    this.handlers.set(`${verb}:${subjectType}`, handler);
    return this;
  }

  async dispatch(action: InboundAction): Promise<ActionResult> {
    // The subject's own handler first (a deadline's "done" records the date it was met); a plain reminder
    // answer otherwise (buttons built by the reminder planner carry args.reminderId); then catch-alls.
    const handler =
      this.handlers.get(`${action.verb}:${action.subject.type}`) ??
      (action.args.reminderId ? this.handlers.get(`${action.verb}:reminder`) : undefined) ??
      this.handlers.get(`${action.verb}:*`);
    if (!handler) {
      return {
        reply: message({ kind: 'text', audience: 'private', title: 'That button is no longer available.' }),
      };
    }
    try {
      return await handler(action);
    } catch (err) {
      if (err instanceof ForbiddenError) {
        await this.audit.record({
          orgId: action.actor.orgId,
          actorId: action.actor.staffId,
          actorKind: 'staff',
          action: 'access.denied',
          subjectType: action.subject.type,
          subjectId: action.subject.id,
          channel: action.via,
          details: { verb: action.verb },
        });
        return { reply: message({ kind: 'text', audience: 'private', title: err.message }) };
      }
      if (isDomainError(err))
        return { reply: message({ kind: 'text', audience: 'private', title: err.message }) };
      throw err;
    }
  }
}
