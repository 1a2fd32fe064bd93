/**
 * The safeguarding feature module (issue 7): concern intake (form + command), the DSL actions, the
 * escalation ladder, the CPOMS incident backstop, early-intervention alerts, the rota, the CLI.
 */
import type { Command as CliProgram } from 'commander';
import { message } from '../../core/messages/outgoing-message.ts';
import type { InboundAction } from '../../core/ports.ts';
import { AlertRepository } from '../../store/alert-repository.ts';
import { ConcernDraftRepository } from '../../store/concern-draft-repository.ts';
import { ConcernRepository } from '../../store/concern-repository.ts';
import { RotaRepository } from '../../store/rota-repository.ts';
import { UnmatchedConcernRows } from '../../store/unmatched-concern-rows.ts';
import { ackLinkRoutes } from '../../web/ack-link-routes.ts';
import { channelNoticeWanted, safeguardingConfig } from '../config/safeguarding.ts';
import type { Hub } from '../container.ts';
import type { FeatureModule } from '../module.ts';
import { alertsPlanner, loadAlertRules } from './alerts-planner.ts';
import { concernCommand } from './concern-command.ts';
import { concernDigestPlanner, concernDigestSection } from './concern-digest.ts';
import { ConcernDrafts } from './concern-drafts.ts';
import { concernFormHandler } from './concern-form.ts';
import { ConcernService } from './concern-service.ts';
import { IncidentConcerns } from './incident-concerns.ts';
import { loadRotaFile } from './load-rota.ts';
import { AckLinks } from './out-of-chat-ack.ts';
import { rotaCommand } from './rota-command.ts';
import { registerSafeguardingCli } from './safeguarding-cli.ts';

export interface Safeguarding {
  service: ConcernService;
  incidents: IncidentConcerns;
  alerts: AlertRepository;
}

/** The module's internals, for the CLI and tests. */
export function safeguardingOf(hub: Hub): Safeguarding {
  const s = hub.services.get('safeguarding') as Safeguarding | undefined;
  if (!s) throw new Error('the safeguarding module is not loaded');
  return s;
}

export function safeguardingModule(): FeatureModule {
  return {
    name: 'safeguarding',
    setup(hub) {
      const settings = safeguardingConfig(hub.config);
      const db = hub.dbh.db;
      const service = new ConcernService(hub, new ConcernRepository(db), new RotaRepository(db), settings);
      const incidents = new IncidentConcerns(service, (id) => hub.orgs.byId(id), {
        rows: new UnmatchedConcernRows(db),
        cipher: hub.cipher,
      });
      const alerts = new AlertRepository(db);
      hub.services.set('safeguarding', { service, incidents, alerts } satisfies Safeguarding);
      // For digests (issue 9 and others): unacknowledged concerns stay red until someone acknowledges.
      hub.services.set('concerns', {
        unacknowledgedCount: async (orgId: string) => (await service.concerns.unacknowledged(orgId)).length,
        unacknowledged: (orgId: string) => service.unacknowledged(orgId),
        /** The `digest` section for the DSL, deputies and head; null for anyone else (issue 13). */
        digestSection: (orgId: string, staffId: string) => concernDigestSection(hub, service, orgId, staffId),
      });

      // Concern forms that cannot be completed are kept as the raiser's drafts (issue 13).
      const drafts = new ConcernDrafts(hub, new ConcernDraftRepository(db));
      hub.forms.register(
        'concern',
        concernFormHandler(service, {
          drafts,
          zone: hub.config.env.TIME_ZONE,
          now: () => hub.clock.now(),
          channelNotice: async (orgId) => {
            const org = await hub.orgs.byId(orgId);
            return org ? channelNoticeWanted(settings.SAFEGUARDING_CHANNEL_NOTICE, org) : false;
          },
        }),
      );
      hub.commands.register(concernCommand(service, drafts));
      hub.commands.register(rotaCommand(hub, service));

      const id = (a: InboundAction) => a.subject.id;
      hub.actions.on('acknowledge', 'concern', (a) => service.acknowledge(a.actor, id(a), a.via, false));
      hub.actions.on('take_ownership', 'concern', (a) => service.acknowledge(a.actor, id(a), a.via, true));
      hub.actions.on('escalate', 'concern', (a) => service.escalate(a.actor, id(a), a.via));
      hub.actions.on('open_record', 'concern', (a) => service.openRecord(a.actor, id(a), a.via));
      hub.actions.on('record_outcome', 'concern', (a) =>
        service.recordOutcome(a.actor, id(a), a.args.outcome, a.via),
      );
      hub.actions.on('open_concern_form', '*', async (a) => {
        service.assertCanRaise(a.actor);
        return {
          reply: message({
            kind: 'text',
            audience: 'private',
            title: 'Type `concern` to report a safeguarding concern.',
          }),
        };
      });

      hub.events.on('incident.imported', async (e) => {
        // Known too old from the event itself: the same answer as fromIncident's, without reading it back.
        if (e.occurredAt && incidents.isTooOld(e.occurredAt, hub.clock.now())) return;
        const r = await incidents.fromIncident(e.incidentId, hub.clock.now());
        if (r === 'raised')
          hub.log.info({ incidentId: e.incidentId }, 'concern raised from imported incident');
      });
      // A safeguarding row whose pupil is not on the roll (stored with its batch): a not-on-roll concern.
      hub.events.on('incident.unmatched', async (e) => {
        const r = await incidents.fromUnmatched(e.rowId, hub.clock.now());
        if (r === 'raised') hub.log.info({ rowId: e.rowId }, 'not-on-roll concern raised from import');
      });
    },
    planners(hub) {
      const { service, incidents, alerts } = safeguardingOf(hub);
      const rules = loadAlertRules(service.settings.SAFEGUARDING_ALERT_RULES_FILE);
      return [
        { name: 'safeguarding-incident-sweep', run: (now) => incidents.sweep(now) },
        { name: 'safeguarding-escalations', run: (now) => service.tick(now) },
        concernDigestPlanner(hub, service),
        alertsPlanner(hub, alerts, rules),
      ];
    },
    routes(router, hub) {
      // Acknowledge by link from an e-mail or SMS (issue 16): GET shows one button, POST acknowledges.
      const { service } = safeguardingOf(hub);
      const links = new AckLinks(hub, service);
      ackLinkRoutes(router, () => links, service.outOfChat.env.PUBLIC_URL);
    },
    wire(hub) {
      const { service } = safeguardingOf(hub);
      // A ladder message the platform cannot deliver (no such user) or no channel reaches any more: the
      // admins are told and the next step goes now (ConcernService.deliveryFailed).
      // Decided by the process that sends, as it sends (issue 13), and awaited: the next step is queued
      // before the delivery loop claims again.
      hub.deliverer.onUndeliverable(async (outcome, m) => {
        const subject = m.message.subject;
        const kind = m.message.kind;
        if (kind !== 'concern_escalation' && kind !== 'concern_alert_external') return;
        if (subject?.type !== 'concern') return;
        // Issue 16: an e-mail or SMS that cannot go (no verified method, the provider refused it) is a failed
        // attempt like a chat one; the person is unreachable only when every method of the step failed.
        const why =
          kind === 'concern_alert_external'
            ? 'Neither the chat nor a verified e-mail or mobile number reaches this person'
            : outcome === 'not_found'
              ? 'The platform no longer knows this person (account removed or deactivated)'
              : 'No chat identity or enabled channel reaches this person';
        await service.deliveryFailed(subject.id, m.recipientId, why, m.idempotencyKey);
      });
    },
    async start(hub) {
      const { service } = safeguardingOf(hub);
      const file = service.settings.SAFEGUARDING_ROTA_FILE;
      if (file) {
        const r = await loadRotaFile(hub, service, file, 'SYSTEM');
        hub.log.info({ entries: r.entries }, 'safeguarding rota loaded from file');
      }
    },
    async health(hub) {
      const { service } = safeguardingOf(hub);
      const counts = await service.concerns.countByStatus();
      const overdue = (await service.concerns.dueForEscalation(hub.clock.now(), 1000)).length;
      // Raised (e.g. by `send-hub import`) but no ladder message delivered yet (issue 13; first-alerts.ts).
      const awaitingFirstAlert = (await service.concerns.awaitingFirstAlert()).length;
      return { ok: true, unacknowledged: counts.RAISED ?? 0, stepsDue: overdue, awaitingFirstAlert };
    },
    cli(program: CliProgram, open, close) {
      registerSafeguardingCli(program, open, close);
    },
  };
}
