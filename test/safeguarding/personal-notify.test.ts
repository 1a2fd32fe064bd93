/** A person's own notification times (issue 16): sooner or later, never later than the organisation's. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFICATION_RULES, mergeRules } from '../../core/escalations/notification-rules.ts';
import {
  latestAllowed,
  NO_PERSONAL_TIMES,
  refusePersonalDelay,
  withPersonalTimes,
} from '../../core/escalations/personal-notify.ts';

describe('personal notification times', () => {
  it('the bound is the organisation’s later value; off is refused while the organisation uses the method', () => {
    expect(latestAllowed(DEFAULT_NOTIFICATION_RULES, 'inHours', 'email')).toBe(5);
    expect(refusePersonalDelay(DEFAULT_NOTIFICATION_RULES, 'inHours', 'email', 5)).toBeNull();
    expect(refusePersonalDelay(DEFAULT_NOTIFICATION_RULES, 'inHours', 'email', 6)).toMatch(
      /^email in school hours: 6 minutes is not allowed; at most 5 minutes/,
    );
    expect(refusePersonalDelay(DEFAULT_NOTIFICATION_RULES, 'outOfHours', 'sms', null)).toMatch(
      /^sms out of hours: off is not allowed; at most 10 minutes/,
    );
  });

  it('the sooner of the two wins at each risk level; where the organisation has none, the person may opt in', () => {
    const mine = { ...NO_PERSONAL_TIMES, emailInHours: 3, smsOutOfHours: 7 };
    const r = withPersonalTimes(DEFAULT_NOTIFICATION_RULES, mine);
    expect(r.inHours).toEqual({ normal: { email: 3, sms: 10 }, immediate: { email: 2, sms: 5 } });
    expect(r.outOfHours).toEqual({ normal: { email: 5, sms: 7 }, immediate: { email: 2, sms: 5 } });
    // The organisation later shortens its times: they bind at routing whatever the person set.
    const shorter = mergeRules(DEFAULT_NOTIFICATION_RULES, { inHours: { normal: { email: 1 } } });
    expect(withPersonalTimes(shorter, mine).inHours.normal.email).toBe(1);
    const noSms = mergeRules(DEFAULT_NOTIFICATION_RULES, {
      outOfHours: { normal: { sms: null }, immediate: { sms: null } },
    });
    expect(latestAllowed(noSms, 'outOfHours', 'sms')).toBeNull();
    expect(refusePersonalDelay(noSms, 'outOfHours', 'sms', 30)).toBeNull();
    expect(withPersonalTimes(noSms, mine).outOfHours.normal.sms).toBe(7);
    expect(withPersonalTimes(noSms, undefined)).toBe(noSms);
  });
});
