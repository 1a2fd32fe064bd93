/**
 * A case's next moment (issue 18, "a tick that costs what changed"): the first day after `today` on which
 * time alone changes what a tick must WRITE for the case, i.e. the next instant its output can change: a
 * nudge or escalation entering the planning horizon (to be stored before it falls due), the day after a
 * due date (escalations begin). The planner stores it in `Case.planOn` and a steady tick reads only the
 * cases whose moment has come (or whose inputs changed), so it must never be later than a real change: it
 * may be earlier (a wasted look at one case), never later (a nudge planned late).
 *
 * `planNudgeSlots` keeps, for each candidate date d of a deadline (a lead date, the snooze date, an
 * escalation date), d while `today - lookback <= d <= today + horizon`, and of the past ones only the
 * latest. As `today` advances, that set changes on the day d enters the horizon (d - horizon), the day d
 * becomes past (d + 1, which may push an older past date out) and the day it leaves the look-back
 * (d + lookback + 1). Only the first writes anything: on the other two, what leaves the set is a nudge
 * whose send time has passed, which the hub's due-reminders planner handed to the outbox on the tick at or
 * after that time (store/reminder-repository.ts `planDue`: PENDING -> PLANNED), and the planner only ever
 * withdraws PENDING reminders. If the hub did not run meanwhile, its first tick is a full sweep, and the
 * hourly full sweep stays as the safety net.
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import { leadDate } from './arithmetic.ts';
import { escalationDates, type NudgeItem, type NudgeOptions } from './nudges.ts';

/** Memo for one tick (one `today`): many deadlines share a due date and lead list. */
export type MomentCache = Map<string, IsoDate | null>;

/** A lead list (a rule's or the default) joined once, not once per deadline (rule data: never mutated). */
const joinedLeads = new WeakMap<readonly string[], string>();
function leadsKey(leads: readonly string[]): string {
  let k = joinedLeads.get(leads);
  if (k === undefined) {
    k = leads.join(',');
    joinedLeads.set(leads, k);
  }
  return k;
}

const earlier = (a: IsoDate | null, b: IsoDate | null): IsoDate | null =>
  a === null ? b : b === null ? a : a < b ? a : b;

/**
 * The first day after `today` on which one of `dates` enters the window `[day, day + horizon]` (and so is
 * stored for the first time); null when none will.
 */
function nextEntering(dates: IsoDate[], today: IsoDate, o: NudgeOptions): IsoDate | null {
  let best: IsoDate | null = null;
  for (const d of dates) {
    const e = addDays(d, -o.horizonDays);
    if (e > today && (best === null || e < best)) best = e;
  }
  return best;
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
    if (i.status !== 'OPEN') continue;
    if (i.rule.owner === 'la') {
      // The LA's duty watched from a school (planNudgeSlots): one message the day after it passes.
      if (i.ownerId || i.alsoTellIds?.length)
        best = earlier(best, nextEntering([addDays(i.dueOn, 1)], today, o));
      continue;
    }
    if (i.ownerId) {
      const leads = i.rule.leadTimes ?? o.leadTimes;
      const key = `n|${i.dueOn}|${i.snoozedUntil ?? ''}|${leadsKey(leads)}`;
      let m = cache.get(key);
      if (m === undefined) {
        const dates: IsoDate[] = [];
        for (const lead of leads) {
          const d = leadDate(i.dueOn, lead, o.holidays);
          if (!i.snoozedUntil || d >= i.snoozedUntil) dates.push(d);
        }
        if (i.snoozedUntil && i.snoozedUntil <= i.dueOn) dates.push(i.snoozedUntil);
        m = nextEntering(dates, today, o);
        cache.set(key, m);
      }
      best = earlier(best, m);
    }
    const escalate = i.rule.escalate ?? i.rule.status === 'statutory';
    if (escalate && !i.rule.window && i.escalateToId) {
      const key = `e|${i.dueOn}`;
      let m = cache.get(key);
      if (m === undefined) {
        // Before the due date has passed: the day after it (escalations begin). After: the next weekly
        // date to enter the horizon, within 7 days (the 8th day if none is found: never later).
        const last = addDays(today, 8);
        m =
          today <= i.dueOn
            ? addDays(i.dueOn, 1)
            : (nextEntering(escalationDates(i.dueOn, addDays(last, o.horizonDays), o.holidays), today, o) ??
              last);
        cache.set(key, m);
      }
      best = earlier(best, m);
    }
  }
  return best;
}
