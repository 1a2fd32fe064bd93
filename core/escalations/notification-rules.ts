/**
 * Notification rules for a safeguarding ladder step, PagerDuty style (issue 16): chat at once; if nobody
 * has acknowledged after N minutes, e-mail; after M minutes, SMS. KCSIE 2025 Part one asks that a concern
 * is acted on immediately and that an unavailable DSL "should not delay appropriate action": a DSL at a
 * conference, on a train or at home after six is not looking at Teams, so the ladder reaches them by the
 * methods they will see before it moves on.
 *
 * Defaults: 2 and 5 minutes with immediate risk, 5 and 10 without (within the ladder's 5 and 15 minute
 * acknowledgement windows, so each person gets every method before the next step). In and out of hours
 * may differ. Quiet hours never hold a safeguarding message: these times are the only wait.
 */
import { z } from 'zod';

export type OutOfChatMethod = 'EMAIL' | 'SMS';
export type NotifyMethod = 'CHAT' | OutOfChatMethod;

const minutes = z
  .number({ message: 'expected a number of minutes' })
  .int({ message: 'expected whole minutes' })
  .min(0, { message: 'expected 0 minutes or more' })
  .max(24 * 60, { message: 'expected at most 1440 minutes' });

/** Minutes after the chat message, or `off` / null: never by this method. */
const delayOrOff = z.union([minutes, z.null(), z.literal('off').transform(() => null)]);

/** Minutes after the chat message for each method; `null` = never by this method. */
export const methodDelaysSchema = z.object({ email: delayOrOff, sms: delayOrOff }).strict();
export type MethodDelays = z.infer<typeof methodDelaysSchema>;

export const notificationRulesSchema = z
  .object({
    inHours: z.object({ normal: methodDelaysSchema, immediate: methodDelaysSchema }).strict(),
    outOfHours: z.object({ normal: methodDelaysSchema, immediate: methodDelaysSchema }).strict(),
  })
  .strict();
export type NotificationRules = z.infer<typeof notificationRulesSchema>;

export const DEFAULT_NOTIFICATION_RULES: NotificationRules = {
  inHours: { normal: { email: 5, sms: 10 }, immediate: { email: 2, sms: 5 } },
  outOfHours: { normal: { email: 5, sms: 10 }, immediate: { email: 2, sms: 5 } },
};

export interface NotifyPlanInput {
  rules: NotificationRules;
  immediateRisk: boolean;
  /** Is the step routed outside school hours (rota.ts isInHours)? */
  outOfHours: boolean;
  /** Can a chat channel carry the message (an identity on an enabled channel)? */
  chat: boolean;
  /** The person's verified out-of-chat methods. */
  methods: readonly OutOfChatMethod[];
  /** When the step is routed. */
  at: Date;
}

export interface PlannedNotification {
  method: NotifyMethod;
  /** Not before this moment; cancelled if the concern is acknowledged first. */
  at: Date;
}

/**
 * The messages one step sends one person, in time order. Chat goes at once. When no chat channel reaches
 * the person, the earliest out-of-chat method takes its place and goes at once: an unreachable chat must
 * not delay action. An empty plan means the person cannot be reached at all (the ladder moves on).
 * @example planNotifications({ rules: DEFAULT_NOTIFICATION_RULES, immediateRisk: false, outOfHours: false,
 *   chat: true, methods: ['EMAIL', 'SMS'], at }) // CHAT at, EMAIL at+5 min, SMS at+10 min
 */
export function planNotifications(input: NotifyPlanInput): PlannedNotification[] {
  const window = input.outOfHours ? input.rules.outOfHours : input.rules.inHours;
  const delays = input.immediateRisk ? window.immediate : window.normal;
  const out: { method: NotifyMethod; minutes: number }[] = [];
  if (input.chat) out.push({ method: 'CHAT', minutes: 0 });
  const byMethod: Record<OutOfChatMethod, number | null> = { EMAIL: delays.email, SMS: delays.sms };
  for (const method of ['EMAIL', 'SMS'] as const) {
    const m = byMethod[method];
    if (m !== null && input.methods.includes(method)) out.push({ method, minutes: m });
  }
  out.sort((a, b) => a.minutes - b.minutes);
  const first = out[0];
  if (first && !input.chat) first.minutes = 0;
  return out.map((o) => ({ method: o.method, at: new Date(input.at.getTime() + o.minutes * 60_000) }));
}

/** The outbox key of one step's message to one person by one out-of-chat method (cancelled on acknowledgement). */
export const methodStepKey = (stepKeyOfPerson: string, method: OutOfChatMethod): string =>
  `${stepKeyOfPerson}:${method.toLowerCase()}`;

/**
 * Per-organisation rules from the safeguarding config (a file: `{ default?: rules, orgs: { <id or name>: rules } }`),
 * partial entries filled from the defaults. Problems name the path of the bad field.
 */
const partialDelays = methodDelaysSchema.partial().strict();
const partialWindow = z.object({ normal: partialDelays, immediate: partialDelays }).partial().strict();
export const partialRulesSchema = z
  .object({ inHours: partialWindow, outOfHours: partialWindow })
  .partial()
  .strict();
export type PartialNotificationRules = z.infer<typeof partialRulesSchema>;

/** Rules over a base (the env defaults): every field not given keeps the base's value. */
export function mergeRules(
  base: NotificationRules,
  over: PartialNotificationRules | undefined,
): NotificationRules {
  if (!over) return base;
  const win = (b: NotificationRules['inHours'], o: z.infer<typeof partialWindow> | undefined) => ({
    normal: { ...b.normal, ...o?.normal },
    immediate: { ...b.immediate, ...o?.immediate },
  });
  return { inHours: win(base.inHours, over.inHours), outOfHours: win(base.outOfHours, over.outOfHours) };
}
