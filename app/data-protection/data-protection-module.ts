/**
 * Data protection (issue 10) as a feature module: the nightly retention planner, the admin chat commands,
 * the `keys`, `audit` and `retention` CLI commands, and the channel-minimisation label as a service
 * (`hub.services.get('channelLabel')`) for every module that posts to a channel.
 */
import { channelStudentLabel } from '../../core/access/minimise.ts';
import type { FeatureModule } from '../module.ts';
import { guardChannels } from './channel-guard.ts';
import { auditCommand, retentionCommand } from './chat-commands.ts';
import { registerDataProtectionCli } from './cli-commands.ts';
import { retentionPlanner } from './retention-job.ts';
import { dataProtectionSettings } from './settings.ts';

/** What `hub.services.get('channelLabel')` returns: how to name a child in a channel message. */
export type ChannelLabel = (s: {
  givenName: string;
  familyName: string;
  yearGroup?: string | null;
}) => string;

export function dataProtectionModule(): FeatureModule {
  return {
    name: 'data-protection',
    setup(hub) {
      const settings = dataProtectionSettings(hub.config);
      const label: ChannelLabel = (s) => channelStudentLabel(s, settings.channelLabel);
      hub.services.set('channelLabel', label);
      hub.commands.register(auditCommand(hub)).register(retentionCommand(hub));
    },
    // Called once the container has every module's channels (after all setups): the last wiring point
    // before delivery starts, so the channel guard covers Teams and Slack as well as the console.
    planners: (hub) => {
      guardChannels(hub);
      return [retentionPlanner(hub)];
    },
    cli: registerDataProtectionCli,
    async health(hub) {
      const s = dataProtectionSettings(hub.config);
      return {
        ok: true,
        encryptionKeyId: hub.cipher.currentKeyId,
        keyFromDataFolder: !hub.config.env.SEND_HUB_ENCRYPTION_KEY,
        retentionMode: s.mode,
        channelLabel: s.channelLabel,
      };
    },
  };
}
