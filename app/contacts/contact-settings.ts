/**
 * `settings contact …` in chat (console, Teams, Slack): the person manages their own e-mail and mobile for
 * safeguarding alerts outside the chat. A bad value or code is answered with what to do, never an error.
 */
import { ValidationError } from '../../core/errors.ts';
import { message, type OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { Actor, ChatPlatform } from '../../core/ports.ts';
import type { ContactsService } from './contacts-service.ts';

const reply = (title: string, text = ''): OutgoingMessage =>
  message({ kind: 'text', audience: 'private', title, text });

/** `settings digest email on|off`. */
export async function digestSettings(
  service: ContactsService,
  actor: Actor,
  via: ChatPlatform,
  args: string,
): Promise<OutgoingMessage> {
  const [channel = '', onOff = ''] = args.trim().toLowerCase().split(/\s+/);
  if (channel !== 'email' || !['on', 'off'].includes(onOff))
    return reply('Usage: settings digest email on|off');
  try {
    await service.setDigestEmail(actor.orgId, actor.staffId, onOff === 'on', {
      actorId: actor.staffId,
      actorKind: 'staff',
      channel: via,
    });
  } catch (err) {
    if (err instanceof ValidationError) return reply(err.message);
    throw err;
  }
  return onOff === 'on'
    ? reply(
        'Deadline digests will come by e-mail too',
        'Each e-mail has an unsubscribe link; or send: settings digest email off',
      )
    : reply('No more deadline digests by e-mail', 'They still come here in chat.');
}

export async function contactSettings(
  service: ContactsService,
  actor: Actor,
  via: ChatPlatform,
  args: string,
): Promise<OutgoingMessage> {
  const [verb = '', kind, ...rest] = args.trim().split(/\s+/).filter(Boolean);
  const who = { actorId: actor.staffId, actorKind: 'staff' as const, channel: via };
  try {
    switch (verb.toLowerCase()) {
      case '':
      case 'list':
        return service.listMessage(await service.list(actor.staffId));
      case 'add': {
        const l = await service.add(actor.orgId, actor.staffId, kind, rest.join(' '), who);
        return reply(
          `Added ${l.masked}: not verified yet`,
          `A 6-digit code is on its way to it. Send: settings contact verify <code> (the code lasts 30 minutes).`,
        );
      }
      case 'verify': {
        const l = await service.verify(actor.orgId, actor.staffId, kind, who);
        return reply(
          `Verified ${l.masked}`,
          'Safeguarding alerts can now reach you there when the chat does not.',
        );
      }
      case 'resend': {
        const l = await service.resend(actor.orgId, actor.staffId, kind, who);
        return reply(`A new code is on its way to ${l.masked}`);
      }
      case 'remove': {
        const k = await service.remove(actor.orgId, actor.staffId, kind, who);
        return reply(`Removed your ${k === 'EMAIL' ? 'e-mail' : 'mobile'}`);
      }
      default:
        return reply(
          'Usage: settings contact [add email|sms <value> | verify <code> | resend email|sms | remove email|sms]',
        );
    }
  } catch (err) {
    if (err instanceof ValidationError) return reply(err.message);
    throw err;
  }
}
