/** `settings` in chat: who the hub thinks you are, how it reaches you, and your organisation's quiet hours. */
import type { Command } from '../../core/commands/command-registry.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { contactSettings, digestSettings } from '../contacts/contact-settings.ts';
import { CONTACTS_SERVICE, type ContactsService } from '../contacts/contacts-service.ts';
import type { Hub } from '../container.ts';

const platformNames: Record<string, string> = {
  TEAMS: 'Microsoft Teams',
  SLACK: 'Slack',
  CONSOLE: 'the console',
};

export function settingsCommand(hub: Hub): Command {
  return {
    name: 'settings',
    usage: 'settings [contact … | notify … | digest …]',
    summary:
      'your linked identity, how the hub reaches you, quiet hours; settings contact: e-mail/SMS; settings notify: when',
    async run({ actor, via, args }) {
      const contacts = hub.services.get(CONTACTS_SERVICE) as ContactsService | undefined;
      const [sub, ...rest] = args.trim().split(/\s+/);
      if (contacts && sub?.toLowerCase() === 'contact')
        return { kind: 'message', message: await contactSettings(contacts, actor, via, rest.join(' ')) };
      if (contacts && sub?.toLowerCase() === 'notify')
        return {
          kind: 'message',
          message: await contacts.notify.chat(actor.orgId, actor.staffId, rest.join(' '), {
            actorId: actor.staffId,
            actorKind: 'staff',
            channel: via,
          }),
        };
      if (contacts && sub?.toLowerCase() === 'digest')
        return { kind: 'message', message: await digestSettings(contacts, actor, via, rest.join(' ')) };
      const [identities, org, methods] = await Promise.all([
        hub.staff.identities(actor.staffId),
        hub.orgs.byId(actor.orgId),
        contacts ? contacts.list(actor.staffId) : Promise.resolve([]),
      ]);
      const linked = identities.map((i) => platformNames[i.platform] ?? i.platform);
      const enabled = hub.channels.map((c) => c.platform);
      const route = enabled.find((p) => p === 'CONSOLE' || identities.some((i) => i.platform === p));
      return {
        kind: 'message',
        message: message({
          kind: 'text',
          audience: 'private',
          title: `Settings for ${actor.displayName}`,
          facts: [
            {
              label: 'Roles',
              value: actor.roles.map((r) => r.replaceAll('_', ' ').toLowerCase()).join(', ') || 'staff',
            },
            { label: 'Linked on', value: linked.length ? linked.join(', ') : 'nothing yet' },
            {
              label: 'Messages reach you through',
              value: route ? (platformNames[route] ?? route) : 'no channel: ask your admin',
            },
            ...(contacts
              ? [
                  {
                    label: 'Outside the chat (safeguarding)',
                    value: methods.length
                      ? methods.map((m) => `${m.masked} (${m.status})`).join(', ')
                      : 'nothing yet: settings contact add email|sms <value>',
                  },
                ]
              : []),
            ...(org
              ? [
                  { label: 'Organisation', value: org.name },
                  {
                    label: 'Quiet hours (no nudges)',
                    value: `${org.quietFrom}–${org.quietUntil} ${org.timeZone}, and weekends`,
                  },
                ]
              : []),
          ],
          text: 'Safeguarding escalations are never held back by quiet hours. Ask an admin to change roles or quiet hours.',
        }),
      };
    },
  };
}
