/**
 * The deadline engine as a feature module: statutory deadlines for open cases, nudges to owners,
 * escalation to line managers, weekly digests; chat commands `due`, `digest`, `deadline`,
 * `case reassign|history`; CLI `case …` (reassign, history and handover among them), `rules`,
 * `holidays refresh`. Exposes `hub.services.get('deadlines')` (DeadlineService:
 * openCase for safeguarding referrals, recordEvent, dueList, timeline).
 */
import type { FeatureModule } from '../module.ts';
import { deadlineActionHandlers } from './actions.ts';
import { caseHandoverCommand } from './case-handover.ts';
import { caseloadCommands } from './caseload-commands.ts';
import { deadlinesCli } from './cli.ts';
import { deadlineCommands } from './commands.ts';
import { DeadlineService } from './service.ts';
import { caseloadTruth, migrateUnversionedPacks } from './truth.ts';

export function deadlinesModule(): FeatureModule {
  let svc: DeadlineService | undefined;
  return {
    name: 'deadlines',
    async setup(hub) {
      svc = new DeadlineService(hub);
      await svc.reloadHolidays();
      // Cases stored with an unversioned rule pack ("england-send-2014") point at its current version
      // (issue 14): a data migration run at start-up, idempotent, on both providers.
      const migrated = await migrateUnversionedPacks(svc);
      if (Object.keys(migrated).length)
        hub.log.info({ migrated }, 'deadlines: unversioned rule packs migrated to their current version');
      hub.holidays = svc.holidays;
      hub.services.set('deadlines', svc);
      const h = deadlineActionHandlers(hub, svc);
      hub.actions.on('done', 'deadline', h.done);
      hub.actions.on('snooze', 'deadline', h.snooze);
      hub.actions.on('reassign', 'deadline', h.reassign);
      hub.actions.on('pause', 'deadline', h.pause);
      hub.actions.on('resume', 'deadline', h.resume);
      for (const c of deadlineCommands(hub, svc)) hub.commands.register(c);
      // Caseload views (issue 14 point 8): `cases`, `register`.
      for (const c of caseloadCommands(hub, svc)) hub.commands.register(c);
      hub.commands.register(caseHandoverCommand(hub, svc));
    },
    planners() {
      return [{ name: 'deadlines', run: async (now) => ({ ...(await svc!.tick(now)) }) }];
    },
    cli: deadlinesCli,
    async health() {
      if (!svc) return { ok: false, reason: 'not set up' };
      const span = svc.holidays.span();
      const year = Number(svc.today().slice(0, 4));
      // Working-day counts need next year's holidays too: warn before the list runs out. Open cases that
      // lack deadlines (unknown pack, missing key date, no term dates) are counted: `doctor` shows them.
      // The last tick's counts (a health probe must stay cheap); computed once when no tick ran here.
      let counts = svc.caseCounts;
      if (!counts) {
        const { problems } = await caseloadTruth(svc);
        const count = (...codes: string[]) =>
          problems.filter((p) => p.problems.some((x) => codes.includes(x.code))).length;
        counts = {
          casesUnknownPack: count('unknown_pack', 'no_rules'),
          casesWaitingForEvent: count('waiting_for_event'),
          casesNeedTermDates: count('needs_term_dates'),
        };
      }
      return {
        ok: Number(span.to) > year && counts.casesUnknownPack === 0,
        bankHolidaysTo: Number(span.to),
        ...counts,
      };
    },
  };
}
