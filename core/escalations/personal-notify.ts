/**
 * A person's own notification times (issue 16, `settings notify`), PagerDuty style: each member of staff
 * may have their e-mail and SMS come sooner than their organisation's rules, or later up to the
 * organisation's value, never later. The organisation's value is the latest allowed, so nobody can opt out
 * of being reached on a safeguarding step: Keeping children safe in education 2025, Annex C ("Availability"),
 * expects the designated safeguarding lead or a deputy always to be available to discuss a concern, and
 * Part one expects a concern to be acted on immediately.
 *
 * Stored per window (in / out of school hours) and method; one value covers both risk levels: with
 * immediate risk the sooner of the person's value and the organisation's immediate value applies.
 */
import type { MethodDelays, NotificationRules } from './notification-rules.ts';

export type NotifyWindow = 'inHours' | 'outOfHours';
export type DelayMethod = keyof MethodDelays;

/** Minutes after the chat message per window and method; null = the organisation's value. */
export interface PersonalNotifyTimes {
  emailInHours: number | null;
  smsInHours: number | null;
  emailOutOfHours: number | null;
  smsOutOfHours: number | null;
}

export const NO_PERSONAL_TIMES: PersonalNotifyTimes = {
  emailInHours: null,
  smsInHours: null,
  emailOutOfHours: null,
  smsOutOfHours: null,
};

export const personalField = (method: DelayMethod, window: NotifyWindow): keyof PersonalNotifyTimes =>
  `${method}${window === 'inHours' ? 'InHours' : 'OutOfHours'}`;

/**
 * The latest the organisation allows for a method in a window: the later of its two risk levels' values
 * (the one without immediate risk, normally). null: the organisation does not use the method there, so a
 * person may opt in at any time.
 */
export function latestAllowed(
  org: NotificationRules,
  window: NotifyWindow,
  method: DelayMethod,
): number | null {
  const values = [org[window].normal[method], org[window].immediate[method]].filter(
    (v): v is number => v !== null,
  );
  return values.length ? Math.max(...values) : null;
}

const methodName = (m: DelayMethod) => (m === 'email' ? 'e-mail' : 'SMS');
const windowName = (w: NotifyWindow) => (w === 'inHours' ? 'in school hours' : 'out of hours');

/**
 * Why a person's value is refused (null = allowed): later than the organisation's latest, or `off`
 * (null) while the organisation uses the method. The message names the field and the bound.
 */
export function refusePersonalDelay(
  org: NotificationRules,
  window: NotifyWindow,
  method: DelayMethod,
  minutes: number | null,
): string | null {
  const bound = latestAllowed(org, window, method);
  if (bound === null || (minutes !== null && minutes <= bound)) return null;
  return `${method} ${windowName(window)}: ${minutes === null ? 'off' : `${minutes} minutes`} is not allowed; at most ${bound} minutes, your organisation's latest (a safeguarding step must reach you by ${methodName(method)})`;
}

/**
 * The person's rules: for each window, risk level and method, the sooner of the person's value and the
 * organisation's; the person's value where the organisation has none; the organisation's where the person
 * has none. Applied again at routing, so an organisation that later shortens its times still binds.
 * @example withPersonalTimes(DEFAULT_NOTIFICATION_RULES, { ...NO_PERSONAL_TIMES, emailInHours: 1 })
 *   // in hours: e-mail after 1 minute at both risk levels; SMS and out of hours unchanged
 */
export function withPersonalTimes(
  org: NotificationRules,
  person: PersonalNotifyTimes | undefined,
): NotificationRules {
  if (!person) return org;
  const pick = (o: number | null, p: number | null) => (p === null ? o : o === null ? p : Math.min(o, p));
  const delays = (d: MethodDelays, w: NotifyWindow): MethodDelays => ({
    email: pick(d.email, person[personalField('email', w)]),
    sms: pick(d.sms, person[personalField('sms', w)]),
  });
  const win = (w: NotifyWindow) => ({
    normal: delays(org[w].normal, w),
    immediate: delays(org[w].immediate, w),
  });
  return { inHours: win('inHours'), outOfHours: win('outOfHours') };
}
