/**
 * The escalation ladder as pure functions: which step goes to whom, and when the next is due.
 * KCSIE 2025 Part one: concerns are acted on immediately (docs/safeguarding.md); if the DSL is not
 * available it "should not delay appropriate action" (K3). So an unacknowledged concern climbs
 * DSL → deputies → head on a short timer (default 15 minutes, 5 with immediate risk), and then keeps
 * being re-sent to the whole ladder until someone acknowledges.
 */
import type { Ladder, LadderMember } from './rota.ts';

export interface EscalationPolicy {
  /** Minutes to wait for an acknowledgement before the next step. */
  ackMinutes: number;
  /** The same when the raiser said there is an immediate risk. */
  ackMinutesImmediate: number;
  /** Once the ladder is exhausted: minutes between re-sends to everyone on it. */
  resendMinutes: number;
  resendMinutesImmediate: number;
}

export const defaultEscalationPolicy: EscalationPolicy = {
  ackMinutes: 15,
  ackMinutesImmediate: 5,
  resendMinutes: 15,
  resendMinutesImmediate: 5,
};

export interface StepPlan {
  step: number;
  /** 'ladder' = DSL / deputies / head; 'resend' = nobody acknowledged, everyone again. */
  kind: 'ladder' | 'resend';
  recipients: LadderMember[];
  /** When the step after this one is due if nobody acknowledges. */
  nextDueAt: Date;
}

/**
 * What step `step` sends (0 = the DSL on duty) and when the following step is due.
 * @example planStep([[dsl], [dep], [head]], 1, false, now, defaultEscalationPolicy).recipients // [dep]
 */
export function planStep(
  ladder: Ladder,
  step: number,
  immediateRisk: boolean,
  at: Date,
  policy: EscalationPolicy,
): StepPlan {
  const onLadder = step < ladder.length;
  const recipients = onLadder ? (ladder[step] ?? []) : ladder.flat();
  // The wait after the last ladder step is the ack window too: the head gets the same time as the DSL.
  const minutes = onLadder
    ? immediateRisk
      ? policy.ackMinutesImmediate
      : policy.ackMinutes
    : immediateRisk
      ? policy.resendMinutesImmediate
      : policy.resendMinutes;
  return {
    step,
    kind: onLadder ? 'ladder' : 'resend',
    recipients,
    nextDueAt: new Date(at.getTime() + minutes * 60_000),
  };
}

/** The outbox idempotency key of one step's message to one person: never sent twice, even after a restart. */
export const stepKey = (concernId: string, step: number, staffId: string): string =>
  `concern:${concernId}:step:${step}:${staffId}`;

/** An unacknowledged concern is "red" in digests once its first acknowledgement window has passed. */
export function isOverdue(
  c: { status: string; raisedAt: Date; immediateRisk: boolean },
  now: Date,
  policy: EscalationPolicy,
): boolean {
  const minutes = c.immediateRisk ? policy.ackMinutesImmediate : policy.ackMinutes;
  return c.status === 'RAISED' && now.getTime() >= c.raisedAt.getTime() + minutes * 60_000;
}

export const levelLabel: Record<LadderMember['level'], string> = {
  DSL: 'DSL',
  DEPUTY_DSL: 'deputy DSL',
  HEAD: 'head teacher',
};
