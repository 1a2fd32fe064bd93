/**
 * `settings notify …` (chat) and `send-hub contact notify <staff-email> …` (an admin): a person's own
 * safeguarding notification times (issue 16), over the organisation's rules (app/safeguarding/
 * out-of-chat-config.ts). Sooner or later, never later than the organisation's value and never off while
 * the organisation uses the method (core/escalations/personal-notify.ts: KCSIE Annex C, a DSL or deputy
 * always available). Every change is audited (`contact.notify_set`, `contact.notify_reset`).
 */
import { ValidationError } from '../../core/errors.ts';
import type { NotificationRules } from '../../core/escalations/notification-rules.ts';
import {
  type DelayMethod,
  type NotifyWindow,
  type PersonalNotifyTimes,
  personalField,
  refusePersonalDelay,
  withPersonalTimes,
} from '../../core/escalations/personal-notify.ts';
import { message, type OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import { NotifyPreferenceRepository } from '../../store/notify-preference-repository.ts';
import type { Hub } from '../container.ts';
import { loadNotificationRules, outOfChatConfig } from '../safeguarding/out-of-chat-config.ts';
import type { ContactActor, ContactsService } from './contacts-service.ts';

export const NOTIFY_USAGE =
  'settings notify · settings notify email|sms <minutes|off> [--in-hours|--out-of-hours] · settings notify reset';

const WINDOWS: NotifyWindow[] = ['inHours', 'outOfHours'];
const windowLabel: Record<NotifyWindow, string> = {
  inHours: 'In school hours',
  outOfHours: 'Out of hours',
};

/** One line per window and the methods, for chat facts and CLI lines alike. */
export interface NotifyView {
  windows: { label: string; value: string }[];
  methods: string;
}

export class NotifySettings {
  readonly repo: NotifyPreferenceRepository;
  private readonly rulesOf: (org: { id: string; name: string }) => NotificationRules;

  constructor(
    private readonly hub: Hub,
    private readonly contacts: ContactsService,
  ) {
    this.repo = new NotifyPreferenceRepository(hub.dbh.db);
    this.rulesOf = loadNotificationRules(outOfChatConfig(hub.config));
  }

  async orgRules(orgId: string): Promise<NotificationRules> {
    const org = await this.hub.orgs.byId(orgId);
    return this.rulesOf(org ?? { id: orgId, name: '' });
  }

  /** The person's merged rules per window, which values are their own, and their methods. */
  async view(orgId: string, staffId: string): Promise<NotifyView> {
    const [org, mine, methods] = await Promise.all([
      this.orgRules(orgId),
      this.repo.get(staffId),
      this.contacts.list(staffId),
    ]);
    const merged = withPersonalTimes(org, mine);
    const one = (w: NotifyWindow, m: DelayMethod, name: string) => {
      const normal = merged[w].normal[m];
      const immediate = merged[w].immediate[m];
      const own = mine[personalField(m, w)] !== null ? ', your setting' : '';
      if (normal === null && immediate === null) return `no ${name}`;
      if (normal === immediate) return `${name} after ${normal} min${own}`;
      const n = normal === null ? `no ${name}` : `${name} after ${normal} min`;
      const i = immediate === null ? 'none' : `${immediate}`;
      return `${n} (${i} with immediate risk${own})`;
    };
    const windows = WINDOWS.map((w) => ({
      label: windowLabel[w],
      value: `chat at once, ${one(w, 'email', 'e-mail')}, ${one(w, 'sms', 'SMS')}`,
    }));
    const kinds = (['EMAIL', 'SMS'] as const).map((k) => {
      const l = methods.find((x) => x.kind === k);
      const name = k === 'EMAIL' ? 'e-mail' : 'mobile';
      if (!l) return `${name}: none`;
      return `${name} ${l.masked}: ${l.status === 'verified' ? 'verified' : 'NOT verified (not used until you verify it)'}`;
    });
    return { windows, methods: kinds.join('; ') };
  }

  /** `email|sms <minutes|off> [--in-hours|--out-of-hours]`: both windows unless one is named. */
  async set(
    orgId: string,
    staffId: string,
    words: string[],
    who: ContactActor,
  ): Promise<{ method: DelayMethod; windows: NotifyWindow[]; minutes: number | null }> {
    // Teams, Slack and phones often turn "--" into a dash (— or –): a flag is any word starting with one.
    const isFlag = (w: string) => /^(-|\u2013|\u2014)/.test(w);
    const flags = words.filter(isFlag).map((w) => `--${w.replace(/^[-\u2013\u2014]+/, '').toLowerCase()}`);
    const [methodWord = '', value = '', ...extra] = words.filter((w) => !isFlag(w));
    const method = ({ email: 'email', 'e-mail': 'email', sms: 'sms', mobile: 'sms' } as const)[
      methodWord.toLowerCase() as 'email'
    ];
    if (!method) throw new ValidationError(`method: expected email or sms, not "${methodWord}"`, 'method');
    const unknown = flags.find((f) => f !== '--in-hours' && f !== '--out-of-hours');
    if (extra.length || unknown)
      throw new ValidationError(`unexpected "${extra[0] ?? unknown}": ${NOTIFY_USAGE}`, 'args');
    let minutes: number | null;
    if (value.toLowerCase() === 'off') minutes = null;
    else if (/^\d{1,4}$/.test(value) && Number(value) <= 24 * 60) minutes = Number(value);
    else
      throw new ValidationError(
        `minutes: expected a whole number of minutes from 0 to 1440, or off, not "${value}"`,
        'minutes',
      );
    const windows = WINDOWS.filter(
      (w) =>
        flags.length === 0 ||
        (w === 'inHours' && flags.includes('--in-hours')) ||
        (w === 'outOfHours' && flags.includes('--out-of-hours')),
    );
    const org = await this.orgRules(orgId);
    const refusals = windows
      .map((w) => refusePersonalDelay(org, w, method, minutes))
      .filter((r): r is string => r !== null);
    if (refusals.length) throw new ValidationError(refusals.join('; '), 'minutes');
    // `off` passes only where the organisation does not use the method either: the person's value is cleared.
    const fields: Partial<PersonalNotifyTimes> = {};
    for (const w of windows) fields[personalField(method, w)] = minutes;
    await this.repo.set(staffId, fields);
    await this.hub.audit.record({
      orgId,
      actorId: who.actorId,
      actorKind: who.actorKind,
      action: 'contact.notify_set',
      subjectType: 'staff',
      subjectId: staffId,
      channel: who.channel,
      details: { method: method.toUpperCase(), windows, minutes },
    });
    return { method, windows, minutes };
  }

  async reset(orgId: string, staffId: string, who: ContactActor): Promise<boolean> {
    const had = await this.repo.reset(staffId);
    if (had)
      await this.hub.audit.record({
        orgId,
        actorId: who.actorId,
        actorKind: who.actorKind,
        action: 'contact.notify_reset',
        subjectType: 'staff',
        subjectId: staffId,
        channel: who.channel,
        details: {},
      });
    return had;
  }

  /** The chat reply: `settings notify [email|sms <minutes|off> [--in-hours|--out-of-hours] | reset]`. */
  async chat(orgId: string, staffId: string, args: string, who: ContactActor): Promise<OutgoingMessage> {
    const words = args.trim().split(/\s+/).filter(Boolean);
    let title = 'Your safeguarding notification times';
    try {
      if (words[0]?.toLowerCase() === 'reset') {
        const had = await this.reset(orgId, staffId, who);
        title = had
          ? "Back to your organisation's notification times"
          : "You already follow your organisation's notification times";
      } else if (words.length > 0) {
        const r = await this.set(orgId, staffId, words, who);
        const when =
          r.windows.length === 2 ? 'in and out of hours' : windowLabel[r.windows[0]!].toLowerCase();
        const name = r.method === 'email' ? 'E-mail' : 'SMS';
        title =
          r.minutes === null
            ? `${name} ${when}: as your organisation's rules`
            : `${name} after ${r.minutes} minute${r.minutes === 1 ? '' : 's'} ${when} (sooner with immediate risk if your organisation's is sooner)`;
      }
    } catch (err) {
      if (err instanceof ValidationError)
        return message({
          kind: 'text',
          audience: 'private',
          title: 'Not changed',
          text: `${err.message}. Usage: ${NOTIFY_USAGE}`,
        });
      throw err;
    }
    const v = await this.view(orgId, staffId);
    return message({
      kind: 'text',
      audience: 'private',
      title,
      facts: [...v.windows, { label: 'Your methods', value: v.methods }],
      text:
        'When nobody has acknowledged a safeguarding concern, it reaches you by these methods after these times. ' +
        "You can make them sooner, or later up to your organisation's times, never later: a DSL or deputy must always be reachable. " +
        `Usage: ${NOTIFY_USAGE}`,
    });
  }
}
