/**
 * The meetings feature module (issue 8): the meeting-reminders planner (moved here from the container),
 * the `tac` command, the `tac_notes` form, the notes / action buttons, the re-plan on calendar changes,
 * and `send-hub tac export`.
 */
import fs from 'node:fs';
import { TAC_FORM_ID } from '../../core/tac-notes/tac-form.ts';
import { meetingsConfig } from '../config/meetings.ts';
import type { Hub } from '../container.ts';
import type { FeatureModule } from '../module.ts';
import { MeetingsService } from './meetings-service.ts';
import { type ExportFormat, exportTacNote } from './tac-export.ts';

const services = new WeakMap<Hub, MeetingsService>();

/** The service a hub's meetings module built (tests and other modules: also hub.services 'meetings'). */
export function meetingsService(hub: Hub): MeetingsService {
  const s = services.get(hub);
  if (!s) throw new Error('the meetings module is not set up on this hub');
  return s;
}

export function meetingsModule(): FeatureModule {
  return {
    name: 'meetings',
    setup(hub) {
      const service = new MeetingsService(hub, meetingsConfig(hub.config.raw));
      services.set(hub, service);
      hub.services.set('meetings', service);
      hub.commands.register(service.command());
      hub.forms.register(TAC_FORM_ID, service.formHandler());
      hub.actions.on('open_notes_form', 'meeting', (a) => service.onOpenNotesForm(a));
      hub.actions.on('reassign', 'meeting', (a) => service.onReassign(a));
      hub.actions.on('done', 'tac_action', (a) => service.onActionDone(a));
      // A calendar sync moved or cancelled meetings: re-plan them now, not at the next sweep.
      hub.events.on('meetings.changed', async ({ meetingIds }) => {
        const r = await service.replan(meetingIds);
        hub.log.debug({ changed: meetingIds.length, ...r }, 'meetings re-planned after a calendar change');
      });
    },
    planners(hub) {
      return [{ name: 'meeting-reminders', run: (now) => meetingsService(hub).planWindow(now) }];
    },
    cli(program, open, close) {
      const tac = program.command('tac').description('TAC meeting notes');
      tac
        .command('export <noteId>')
        .description('export submitted TAC notes as Markdown or PDF for people outside the hub (audited)')
        .requiredOption('--as <email>', 'your email: the export is checked against your access to the notes')
        .option('--format <format>', 'md or pdf', 'md')
        .requiredOption('--out <file>', 'where to write the document')
        .action(async (noteId: string, opts: { as: string; format: string; out: string }) => {
          if (opts.format !== 'md' && opts.format !== 'pdf') {
            process.stderr.write(`send-hub tac export: --format must be md or pdf (got "${opts.format}")\n`);
            process.exitCode = 2;
            return;
          }
          const hub = await open();
          try {
            const staff = await hub.staff.byEmail(opts.as);
            const actor = staff ? await hub.staff.actorForStaff(staff.id) : null;
            if (!actor) throw new Error(`no active member of staff has the email ${opts.as}`);
            const buf = await exportTacNote(
              hub,
              meetingsService(hub),
              actor,
              noteId,
              opts.format as ExportFormat,
            );
            fs.writeFileSync(opts.out, buf, { mode: 0o600 });
            process.stdout.write(
              `Wrote ${opts.out} (${buf.length} bytes). The export is recorded in the audit log.\n`,
            );
          } catch (err) {
            process.stderr.write(`send-hub tac export: ${(err as Error).message}\n`);
            process.exitCode = 1;
          } finally {
            await close(hub);
          }
        });
    },
  };
}
