/**
 * Defence in depth for channel minimisation (docs/data-protection.md §5): every channel adapter's `send` is wrapped so
 * that a message read by several people (audience "channel", or sent to a conversation rather than a
 * person) is checked for the names of the organisation's students; a name found is replaced with
 * "[name removed]", and the event is logged (ids only) and audited. Modules must not rely on this: they
 * build channel messages from initials and year group (`hub.services.get('channelLabel')`), and the
 * suite-wide test fails on any name they produce.
 */
import { redactNames } from '../../core/access/minimise.ts';
import type { ChannelPort } from '../../core/ports.ts';
import type { Hub } from '../container.ts';

const REFRESH_MS = 5 * 60_000;

export function guardChannels(hub: Hub): void {
  let names: string[] = [];
  let loadedAt = -Infinity;
  const studentNames = async (): Promise<string[]> => {
    const now = hub.clock.now().getTime();
    if (now - loadedAt > REFRESH_MS) {
      const rows = await hub.dbh.db.student.findMany({ select: { givenName: true, familyName: true } });
      names = [
        ...new Set(rows.flatMap((r) => [r.givenName, r.familyName]).filter((n) => n.trim().length >= 2)),
      ];
      loadedAt = now;
    }
    return names;
  };
  for (const channel of hub.channels as (ChannelPort & { __dpGuarded?: boolean })[]) {
    if (channel.__dpGuarded) continue;
    channel.__dpGuarded = true;
    const send = channel.send.bind(channel);
    channel.send = async (target, message, meta) => {
      const shared = message.audience === 'channel' || target.kind === 'conversation';
      if (!shared) return send(target, message, meta);
      const { message: safe, found } = redactNames(message, await studentNames());
      if (found > 0) {
        hub.log.warn(
          { idempotencyKey: meta.idempotencyKey, kind: message.kind, platform: channel.platform, found },
          'channel message named a student: names removed before posting',
        );
        await hub.audit.record({
          actorKind: 'system',
          action: 'minimisation.redacted',
          subjectType: 'outbox',
          subjectId: meta.idempotencyKey,
          channel: 'SYSTEM',
          details: { kind: message.kind, platform: channel.platform, names: found },
        });
      }
      return send(target, safe, meta);
    };
  }
}
