/**
 * A person's own safeguarding notification times (issue 16, `settings notify`; NotifyPreference): minutes
 * after the chat message before e-mail / SMS, in and out of hours; null = the organisation's value.
 */
import { NO_PERSONAL_TIMES, type PersonalNotifyTimes } from '../core/escalations/personal-notify.ts';
import type { Db } from './db.ts';

const select = {
  staffId: true,
  emailInHours: true,
  smsInHours: true,
  emailOutOfHours: true,
  smsOutOfHours: true,
} as const;

export class NotifyPreferenceRepository {
  constructor(private readonly db: Db) {}

  async get(staffId: string): Promise<PersonalNotifyTimes> {
    const r = await this.db.notifyPreference.findUnique({ where: { staffId }, select });
    if (!r) return { ...NO_PERSONAL_TIMES };
    const { staffId: _, ...times } = r;
    return times;
  }

  /** Everyone's times of these people who have any (read before a routing transaction). */
  async forStaff(staffIds: string[]): Promise<Map<string, PersonalNotifyTimes>> {
    if (staffIds.length === 0) return new Map();
    const rows = await this.db.notifyPreference.findMany({ where: { staffId: { in: staffIds } }, select });
    return new Map(rows.map(({ staffId, ...times }) => [staffId, times]));
  }

  /** Set some fields (others kept); a row whose every field is null is removed. */
  async set(staffId: string, fields: Partial<PersonalNotifyTimes>): Promise<PersonalNotifyTimes> {
    const r = await this.db.notifyPreference.upsert({
      where: { staffId },
      create: { staffId, ...fields },
      update: fields,
      select,
    });
    const { staffId: _, ...times } = r;
    if (Object.values(times).every((v) => v === null)) await this.reset(staffId);
    return times;
  }

  async reset(staffId: string): Promise<boolean> {
    return (await this.db.notifyPreference.deleteMany({ where: { staffId } })).count > 0;
  }
}
