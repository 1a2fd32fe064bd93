/**
 * Contact methods and the e-mail/SMS channels (issue 16): builds the configured transports (validated at
 * start-up: a missing variable stops the hub with a line naming it), adds the EMAIL and SMS channels,
 * seeds unverified work e-mails from the staff import (and follows a later import's new address), mounts the Notify callback, adds `send-hub contact`,
 * and reports in /healthz and `doctor` who on the safeguarding rota has no verified method.
 */

import { GraphMailTransport } from '../../bots/email/graph-mail-transport.ts';
import type { OutOfChatTransport } from '../../bots/email/out-of-chat-channel.ts';
import { OutOfChatChannel } from '../../bots/email/out-of-chat-channel.ts';
import { SmtpTransport } from '../../bots/email/smtp-transport.ts';
import { NotifyTransport } from '../../bots/sms/notify-transport.ts';
import { ClientCredentialsTokenSource } from '../../integrations/graph-calendar/graph-transport.ts';
import { channelsOn, type MailSettings, readContactsSettings } from '../config/contacts.ts';
import type { Hub } from '../container.ts';
import type { FeatureModule } from '../module.ts';
import { registerContactsCli } from './contacts-cli.ts';
import { CONTACTS_SERVICE, ContactsService } from './contacts-service.ts';
import { notifyCallbackRoutes } from './notify-callback.ts';
import { unsubscribeRoutes } from './unsubscribe-routes.ts';

export const contactsOf = (hub: Hub): ContactsService | undefined =>
  hub.services.get(CONTACTS_SERVICE) as ContactsService | undefined;

function mailTransport(mail: MailSettings): OutOfChatTransport & { close?(): void } {
  switch (mail.transport) {
    case 'smtp':
      return new SmtpTransport({
        from: mail.from,
        perMinute: mail.perMinute,
        ...(mail.url ? { url: mail.url } : {}),
        ...(mail.host ? { host: mail.host } : {}),
        ...(mail.port ? { port: mail.port } : {}),
        ...(mail.user ? { user: mail.user } : {}),
        ...(mail.pass ? { pass: mail.pass } : {}),
      });
    case 'graph': {
      const tokens = new ClientCredentialsTokenSource({
        tenantId: mail.tenantId,
        clientId: mail.clientId,
        clientSecret: mail.clientSecret,
      });
      return new GraphMailTransport({
        from: mail.from,
        perMinute: mail.perMinute,
        getAccessToken: () => tokens.getAccessToken(),
      });
    }
    case 'notify':
      return new NotifyTransport({
        apiKey: mail.apiKey,
        templateId: mail.templateId,
        type: 'email',
        ...(mail.baseUrl ? { baseUrl: mail.baseUrl } : {}),
      });
  }
}

export function contactsModule(): FeatureModule {
  const closers: (() => void)[] = [];
  let callbackToken: string | null = null;
  return {
    name: 'contacts',
    setup(hub) {
      const settings = readContactsSettings(hub.config.raw);
      callbackToken = settings.callbackToken;
      const service = new ContactsService(hub, channelsOn(settings));
      hub.services.set(CONTACTS_SERVICE, service);
      // A test or an embedding may bring its own EMAIL/SMS channel: that one wins.
      const has = (p: string) => hub.channels.some((c) => c.platform === p);
      if (settings.mail && !has('EMAIL')) {
        const t = mailTransport(settings.mail);
        if (t.close) closers.push(() => t.close?.());
        hub.channels.push(new OutOfChatChannel('EMAIL', t, service.repo));
      }
      if (settings.sms && !has('SMS')) {
        const t = new NotifyTransport({
          apiKey: settings.sms.apiKey,
          templateId: settings.sms.templateId,
          type: 'sms',
          ...(settings.sms.baseUrl ? { baseUrl: settings.sms.baseUrl } : {}),
        });
        hub.channels.push(new OutOfChatChannel('SMS', t, service.repo));
      }
    },
    planners(hub) {
      const service = contactsOf(hub);
      if (!service) return [];
      return [{ name: 'contacts-work-email', run: () => service.followStaffImport() }];
    },
    routes(router, hub) {
      const service = contactsOf(hub);
      if (!service) return;
      notifyCallbackRoutes(router, hub, service, callbackToken);
      unsubscribeRoutes(router, hub, service);
    },
    wire(hub) {
      const service = contactsOf(hub);
      if (!service) return;
      // Deadline digests by e-mail for those who opted in: a copy of each chat digest as it goes (or finds
      // no chat). Listeners are synchronous: the copy is queued in the background, a failure only logged.
      hub.deliverer.onAttemptOutcome((outcome, m) => {
        if (m.message.kind !== 'digest' || m.via) return;
        if (outcome !== 'sent' && outcome !== 'unreachable' && outcome !== 'not_found') return;
        service.emailDigestCopy(m).catch((err: unknown) => {
          hub.log.error({ err, messageId: m.id }, 'digest e-mail copy could not be queued');
        });
      });
    },
    async stop() {
      for (const c of closers) c();
    },
    async health(hub) {
      const service = contactsOf(hub);
      if (!service) return { ok: true };
      let missing = 0;
      for (const o of await hub.orgs.all()) missing += (await service.rotaWithoutMethod(o.id)).length;
      // Reported, not failed: a school may start before anyone has verified (doctor warns by name).
      return {
        ok: true,
        email: service.enabled.EMAIL,
        sms: service.enabled.SMS,
        rotaWithoutVerifiedMethod: missing,
      };
    },
    cli(program, open, close) {
      registerContactsCli(program, open, close);
    },
  };
}

/** `doctor`: one line, WARN when someone on a rota has no verified e-mail or mobile. */
export async function contactsDoctorLine(hub: Hub): Promise<string> {
  const service = contactsOf(hub);
  if (!service) return 'ok   contacts: module not loaded';
  const lines: string[] = [];
  for (const o of await hub.orgs.all())
    for (const p of await service.rotaWithoutMethod(o.id))
      lines.push(`${p.displayName} (${p.levels.join(', ')})`);
  const via = `e-mail ${service.enabled.EMAIL ? 'on' : 'off'}, SMS ${service.enabled.SMS ? 'on' : 'off'}`;
  return lines.length
    ? `WARN contacts (${via}): ${lines.length} on the safeguarding rota with no verified e-mail or mobile: ${lines.join('; ')} (send-hub contact missing)`
    : `ok   contacts (${via}): everyone on the safeguarding rota has a verified e-mail or mobile`;
}
