/**
 * Imports and calendar syncs as a feature module: the `send-hub import …` CLI, the drop folder watcher,
 * scheduled pulls, ICS feed and Microsoft Graph syncs (planners, each on its own interval), and the `link`
 * chat command for coordinators to confirm a meeting's student.
 */
import { importsConfig, parseNamedUrls } from '../config/imports.ts';
import type { Hub } from '../container.ts';
import type { FeatureModule } from '../module.ts';
import { DropFolder } from './drop-folder.ts';
import { registerImportCli } from './import-cli.ts';
import { linkCommand } from './link-command.ts';
import { pullExports } from './pull-exports.ts';
import { resolveImportOrg } from './resolve-org.ts';
import { graphClientFromConfig, syncGraphCalendars } from './sync-graph-calendars.ts';
import { syncIcsFeed } from './sync-ics-feed.ts';

/** A planner that acts at most every `minutes` (the tick runs every few seconds). */
function every(name: string, minutes: number, job: (now: Date) => Promise<Record<string, number>>) {
  let last = 0;
  return {
    name,
    async run(now: Date) {
      if (now.getTime() - last < minutes * 60_000) return { skipped: 1 };
      last = now.getTime();
      return job(now);
    },
  };
}

export function importsModule(): FeatureModule {
  let drop: DropFolder | null = null;
  const lastErrors: Record<string, string> = {};
  // When each calendar sync last succeeded (ISO time, hub clock): the admin health page (issue 17).
  const lastSuccess: Record<string, string> = {};
  return {
    name: 'imports',
    setup(hub: Hub) {
      hub.commands.register(linkCommand(hub));
      hub.services.set('imports', {
        syncIcsFeed: (input: Parameters<typeof syncIcsFeed>[1]) => syncIcsFeed(hub, input),
      });
    },
    planners(hub: Hub) {
      const cfg = importsConfig(hub.config.raw);
      const planners = [];
      if (cfg.IMPORT_PULL_URLS)
        planners.push(
          every('import-pull', cfg.IMPORT_PULL_EVERY_MINUTES, async () => {
            const rs = await pullExports(hub, await resolveImportOrg(hub));
            return {
              imported: rs.filter((r) => r.status === 'imported').length,
              unchanged: rs.filter((r) => r.status === 'unchanged').length,
              failed: rs.filter((r) => r.status === 'failed' || r.status === 'refused').length,
            };
          }),
        );
      if (cfg.ICS_FEEDS)
        planners.push(
          every('ics-sync', cfg.ICS_SYNC_EVERY_MINUTES, async () => {
            const orgId = await resolveImportOrg(hub);
            let meetings = 0;
            let failed = 0;
            for (const f of parseNamedUrls(cfg.ICS_FEEDS)) {
              try {
                const r = await syncIcsFeed(hub, { orgId, source: f.name, url: f.url, via: 'schedule' });
                meetings += r.meetingIds.length;
                delete lastErrors[`ics:${f.name}`];
                lastSuccess[`ics:${f.name}`] = hub.clock.now().toISOString();
              } catch (err) {
                failed++;
                lastErrors[`ics:${f.name}`] = (err as Error).message;
                hub.log.warn({ feed: f.name, err: (err as Error).message }, 'ics feed sync failed');
              }
            }
            return { changed: meetings, failed };
          }),
        );
      const graph = graphClientFromConfig(hub);
      if (graph && (cfg.GRAPH_CALENDAR_USERS || cfg.GRAPH_CALENDAR_GROUPS))
        planners.push(
          every('graph-calendar-sync', cfg.GRAPH_SYNC_EVERY_MINUTES, async () => {
            try {
              const { problems: _, ...counts } = await syncGraphCalendars(hub, {
                orgId: await resolveImportOrg(hub),
                client: graph,
              });
              delete lastErrors.graph;
              lastSuccess.graph = hub.clock.now().toISOString();
              return counts;
            } catch (err) {
              lastErrors.graph = (err as Error).message;
              throw err;
            }
          }),
        );
      return planners;
    },
    async start(hub: Hub) {
      const dir = importsConfig(hub.config.raw).IMPORT_DROP_DIR;
      if (!dir) return;
      drop = new DropFolder(hub, dir);
      drop.start();
      hub.log.info({ dir }, 'import drop folder watched');
    },
    async stop() {
      await drop?.stop();
      drop = null;
    },
    cli(program, open, close) {
      registerImportCli(program, open, close);
    },
    async health() {
      return {
        ok: Object.keys(lastErrors).length === 0,
        dropFolder: drop !== null,
        errors: { ...lastErrors },
        lastSuccess: { ...lastSuccess },
      };
    },
  };
}
