/**
 * `rota` in chat: show who is on the safeguarding ladder now and the whole rota; an admin edits it
 * (`rota add deputy grace@school.example 1`, `rota remove grace@school.example`). Every change is audited.
 */
import { canAdminister, canViewConcern, require } from '../../core/access/policy.ts';
import type { Command } from '../../core/commands/command-registry.ts';
import { levelLabel } from '../../core/escalations/escalation-ladder.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { Hub } from '../container.ts';
import type { ConcernService } from './concern-service.ts';
import { RotaAdmin, type RotaChange } from './rota-service.ts';

const usage =
  'rota [show] | rota add <dsl|deputy|head> <email> [rank] [always|in_hours|out_of_hours] [from] [to] | rota remove <email> [level]';

export async function describeRota(
  hub: Hub,
  service: ConcernService,
  orgId: string,
): Promise<{ title: string; sections: { heading: string; lines: string[] }[] }> {
  const now = hub.clock.now();
  const ladder = await service.ladderFor(orgId, now);
  const entries = await service.rota.list(orgId);
  const name = async (id: string) => (await hub.staff.byId(id))?.displayName ?? id;
  const onDuty: string[] = [];
  for (const [i, g] of ladder.entries())
    onDuty.push(
      `${i + 1}. ${(await Promise.all(g.map(async (m) => `${await name(m.staffId)} (${levelLabel[m.level]})`))).join(', ')}`,
    );
  const all: string[] = [];
  for (const e of entries) {
    const period = e.validFrom || e.validTo ? ` cover ${e.validFrom ?? '…'} to ${e.validTo ?? '…'}` : '';
    all.push(
      `${levelLabel[e.level]} #${e.rank}: ${await name(e.staffId)} (${e.window.toLowerCase()}${period})`,
    );
  }
  return {
    title: entries.length
      ? 'Safeguarding rota'
      : 'Safeguarding rota: none set, using staff roles (DSL, deputy DSL, head)',
    sections: [
      {
        heading: 'On duty now, in escalation order',
        lines: onDuty.length ? onDuty : ['NOBODY: set a rota now'],
      },
      ...(all.length ? [{ heading: 'Rota entries', lines: all }] : []),
    ],
  };
}

export function rotaCommand(hub: Hub, service: ConcernService): Command {
  return {
    name: 'rota',
    usage,
    summary: 'the safeguarding (DSL) rota: who a concern goes to; admins can change it',
    async run({ actor, args, via }) {
      const [sub = 'show', ...rest] = args.trim().split(/\s+/).filter(Boolean);
      const reply = (title: string, text = '') => ({
        kind: 'message' as const,
        message: message({ kind: 'text', audience: 'private', title, text }),
      });
      if (sub === 'show') {
        require(canAdminister(actor, actor.orgId) ||
          canViewConcern(actor, { orgId: actor.orgId }), 'see the safeguarding rota');
        const d = await describeRota(hub, service, actor.orgId);
        return {
          kind: 'message',
          message: message({ kind: 'text', audience: 'private', title: d.title, sections: d.sections }),
        };
      }
      const admin = new RotaAdmin(hub, service);
      const answer = (r: RotaChange, verb: string) =>
        r.ok
          ? reply(r.text)
          : reply(`Could not ${verb}: ${r.problems.map((p) => p.message).join('; ')}`, `Usage: ${usage}`);
      if (sub === 'add') {
        const [level, email, rank, window, from, to] = rest;
        return answer(await admin.add(actor, { level, email, rank, window, from, to }, via), 'add');
      }
      if (sub === 'remove') {
        const [email, level] = rest;
        return answer(await admin.removeByEmail(actor, email ?? '', level, via), 'remove');
      }
      return reply('Unknown rota command.', `Usage: ${usage}`);
    },
  };
}
