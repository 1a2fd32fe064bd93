/**
 * The retention job: `send-hub retention report|purge` and the nightly planner. The nightly run happens
 * once per local day after RETENTION_HOUR; in `report` mode (the default) it only counts and audits what
 * is due, so nothing is deleted until the school's DPO has agreed the schedule and set RETENTION_MODE=purge.
 */
import { localDate, localTime } from '../../core/calendar/zoned-time.ts';
import { formatRule, type RecordType, retentionDefaults } from '../../core/retention/retention-rules.ts';
import type { Planner } from '../../scheduler/tick.ts';
import { RetentionRepository, runRetention, type TypeScan } from '../../store/retention-repository.ts';
import { retentionVariables } from '../config/data-protection.ts';
import type { Hub } from '../container.ts';
import { dataProtectionSettings } from './settings.ts';

export interface RetentionOutcome {
  day: string;
  dryRun: boolean;
  scans: TypeScan[];
  deleted: Record<string, number>;
}

export const retentionRepository = (hub: Hub) => new RetentionRepository(hub.dbh.db, hub.audit, hub.clock);

export async function runRetentionJob(
  hub: Hub,
  options: { dryRun: boolean; by?: 'system' | 'admin-cli' },
): Promise<RetentionOutcome> {
  const settings = dataProtectionSettings(hub.config);
  const repo = retentionRepository(hub);
  const day = localDate(hub.clock.now(), hub.config.env.TIME_ZONE);
  const { scans, deleted } = await runRetention(repo, settings.policy, day, {
    dryRun: options.dryRun,
    holds: settings.holds,
  });
  const counts: Record<string, number> = {};
  for (const s of scans) {
    counts[`${s.type}Due`] = s.due.length;
    if (s.held) counts[`${s.type}Held`] = s.held;
    if (s.unknownAnchor) counts[`${s.type}NoDob`] = s.unknownAnchor;
  }
  for (const [t, n] of Object.entries(deleted)) counts[`${t}Deleted`] = n;
  await repo.recordRun(day, options.dryRun ? 'report' : 'purge', counts, options.by ?? 'system');
  hub.log.info({ day, dryRun: options.dryRun, ...counts }, 'retention run');
  return { day, dryRun: options.dryRun, scans, deleted };
}

/** A plain-text report for the DPO: one line per record type (counts and rules, never names). */
export function formatRetentionReport(o: RetentionOutcome): string {
  const lines = [
    `Retention ${o.dryRun ? 'report (dry run: nothing deleted)' : 'purge'} for ${o.day}`,
    `${'record type'.padEnd(18)} ${'rule'.padEnd(12)} ${'due'.padStart(6)} ${'deleted'.padStart(8)} ${'held'.padStart(5)} ${'no DOB'.padStart(7)}  setting`,
  ];
  for (const s of o.scans) {
    lines.push(
      `${s.type.padEnd(18)} ${formatRule(s.rule).padEnd(12)} ${String(s.due.length).padStart(6)} ${String(o.deleted[s.type] ?? 0).padStart(8)} ${String(s.held).padStart(5)} ${String(s.unknownAnchor).padStart(7)}  ${retentionVariables[s.type as RecordType]}`,
    );
  }
  const noDob = o.scans.reduce((n, s) => n + s.unknownAnchor, 0);
  if (noDob)
    lines.push(
      `${noDob} record(s) have no date of birth on the student, so their retention cannot be computed: review them by hand.`,
    );
  lines.push('Sources of the default rules: docs/data-protection.md (Retention).');
  return lines.join('\n');
}

export const describeDefaults = (): string[] =>
  (Object.keys(retentionDefaults) as RecordType[]).map(
    (t) => `${retentionVariables[t]}=${retentionDefaults[t].rule}  (${retentionDefaults[t].source})`,
  );

/** The nightly planner: once per local day, at or after RETENTION_HOUR. */
export function retentionPlanner(hub: Hub): Planner {
  let lastDay: string | null | undefined;
  return {
    name: 'retention',
    async run(now): Promise<Record<string, number>> {
      const settings = dataProtectionSettings(hub.config);
      const zone = hub.config.env.TIME_ZONE;
      const day = localDate(now, zone);
      if (Number(localTime(now, zone).slice(0, 2)) < settings.hour) return { ran: 0 };
      lastDay ??= await retentionRepository(hub).lastRunDay();
      if (lastDay === day) return { ran: 0 };
      const o = await runRetentionJob(hub, { dryRun: settings.mode !== 'purge' });
      lastDay = day;
      return {
        ran: 1,
        due: o.scans.reduce((n, s) => n + s.due.length, 0),
        deleted: Object.values(o.deleted).reduce((n, d) => n + d, 0),
      };
    },
  };
}
