/**
 * A case's next moment (issue 18, "a tick that costs what changed"): the first day after `today` on which
 * the nudges and escalations its open deadlines call for can differ from today's, with nothing else
 * changed. The planner stores it in `Case.planOn` and a steady tick reads only the cases whose moment has
 * come (or whose inputs changed), so it must never be later than the real change: it may be earlier
 * (a wasted look at one case), never later (a nudge planned late).
 *
 * `planNudgeSlots` keeps, for each candidate date d of a deadline (a lead date, the snooze date, an
 * escalation date), d while `today - lookback <= d <= today + horizon`, and of the past ones only the
 * latest. As `today` advances, that set changes only on the day d enters the horizon (d - horizon), the day
 * d becomes past (d + 1, which may push an older past date out) and the day it leaves the look-back
 * (d + lookback + 1). Escalations start the day after the due date and recur weekly while open.
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import { leadDate } from './arithmetic.ts';
import { escalationDates, type NudgeItem, type NudgeOptions } from './nudges.ts';

/** Memo for one tick (one `today`): many deadlines share a due date and lead list. */
export type MomentCache = Map<string, IsoDate | null>;

const earlier = (a: IsoDate | null, b: IsoDate | null): IsoDate | null =>
  a === null ? b : b === null ? a : a < b ? a : b;

/** What `planNudgeSlots` keeps of `dates` on day `t` (its window), as one comparable string. */
function windowOn(dates: IsoDate[], t: IsoDate, o: NudgeOptions): string {
  const from = addDays(t, -o.lookbackDays);
  const until = addDays(t, o.horizonDays);
  let past = '';
  let out = '';
  for (const d of dates) {
    if (d < from || d > until) continue;
    if (d < t) past = d;
    else out += `|${d}`;
  }
  return past + out;
}

/**
 * The first day after `today`, up to `last` (inclusive), on which the window over `dates` differs from
 * today's; null when none does. It can change only on a candidate day (a date entering the horizon,
 * passing, or leaving the look-back), so only those are compared.
 */
function nextOfDates(dates: IsoDate[], today: IsoDate, o: NudgeOptions, last?: IsoDate): IsoDate | null {
  const sorted = [...new Set(dates)].sort();
  const candidates = new Set<IsoDate>();
  for (const d of sorted)
    for (const e of [addDays(d, -o.horizonDays), addDays(d, 1), addDays(d, o.lookbackDays + 1)])
      if (e > today && (last === undefined || e <= last)) candidates.add(e);
  const now = windowOn(sorted, today, o);
  for (const e of [...candidates].sort()) if (windowOn(sorted, e, o) !== now) return e;
  return null;
}

/**
 * The next moment of a case's deadlines (the same conditions as `planNudgeSlots`), or null when time alone
 * changes nothing (every deadline met, paused, the LA's, or without an owner or manager to tell).
 *
 * @example
 * nextNudgeMoment(items, '2027-03-01', options, new Map()) // '2027-03-04': a 10wd lead date enters the 3-day horizon
 */
export function nextNudgeMoment(
  items: NudgeItem[],
  today: IsoDate,
  o: NudgeOptions,
  cache: MomentCache,
): IsoDate | null {
  let best: IsoDate | null = null;
  for (const i of items) {
    if (i.status !== 'OPEN' || i.rule.owner === 'la') continue;
    if (i.ownerId) {
      const leads = i.rule.leadTimes ?? o.leadTimes;
      const key = `n|${i.dueOn}|${i.snoozedUntil ?? ''}|${leads.join(',')}`;
      let m = cache.get(key);
      if (m === undefined) {
        const dates: IsoDate[] = [];
        for (const lead of leads) {
          const d = leadDate(i.dueOn, lead, o.holidays);
          if (!i.snoozedUntil || d >= i.snoozedUntil) dates.push(d);
        }
        if (i.snoozedUntil && i.snoozedUntil <= i.dueOn) dates.push(i.snoozedUntil);
        m = nextOfDates(dates, today, o);
        cache.set(key, m);
      }
      best = earlier(best, m);
    }
    const escalate = i.rule.escalate ?? i.rule.status === 'statutory';
    if (escalate && !i.rule.window && i.escalateToId) {
      const key = `e|${i.dueOn}`;
      let m = cache.get(key);
      if (m === undefined) {
        // Before the due date has passed: the day after it (escalations begin). After: the weekly dates
        // near today; a new one enters the horizon every week, so a change comes within 8 days (if none
        // is seen among them, the case is looked at again on the 8th day).
        const last = addDays(today, 8);
        m =
          today <= i.dueOn
            ? addDays(i.dueOn, 1)
            : (nextOfDates(
                escalationDates(i.dueOn, addDays(last, o.horizonDays), o.holidays),
                today,
                o,
                last,
              ) ?? last);
        cache.set(key, m);
      }
      best = earlier(best, m);
    }
  }
  return best;
}
