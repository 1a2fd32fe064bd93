/**
 * `rota` in chat: show who is on the safeguarding ladder now and the whole rota; an admin edits it
 * (`rota add deputy grace@school.example 1`, `rota remove grace@school.example`). Every change is audited.
 */
import { canAdminister, canViewConcern, require } from '../../core/access/policy.ts';
import type { Command } from '../../core/commands/command-registry.ts';
import { levelLabel } from '../../core/escalations/escalation-ladder.ts';
import type { RotaEntry } from '../../core/escalations/rota.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { Hub } from '../container.ts';
import type { ConcernService } from './concern-service.ts';
import { rotaEntryInputSchema } from './rota-file.ts';

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
      require(canAdminister(actor, actor.orgId), 'change the safeguarding rota');
      if (sub === 'add') {
        const [level, email, rank, window, from, to] = rest;
        const parsed = rotaEntryInputSchema.safeParse({
          level,
          email,
          rank: rank ? Number(rank) : undefined,
          window,
          from,
          to,
        });
        if (!parsed.success)
          return reply(
            `Could not add: ${parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`,
            `Usage: ${usage}`,
          );
        const staff = await hub.staff.byEmail(parsed.data.email, actor.orgId);
        if (!staff) return reply(`No active member of staff has the email ${parsed.data.email}.`);
        const entry: RotaEntry = {
          staffId: staff.id,
          level: parsed.data.level,
          rank: parsed.data.rank,
          window: parsed.data.window,
          validFrom: parsed.data.from ?? null,
          validTo: parsed.data.to ?? null,
        };
        await service.concerns.transaction(async (tx) => {
          await service.rota.addIn(tx, actor.orgId, entry);
          await hub.audit.recordIn(tx, {
            orgId: actor.orgId,
            actorId: actor.staffId,
            actorKind: 'staff',
            action: 'rota.entry_added',
            subjectType: 'rota',
            subjectId: actor.orgId,
            channel: via,
            details: { ...entry },
          });
        });
        return reply(
          `Added ${staff.displayName} as ${levelLabel[entry.level]} (rank ${entry.rank}, ${entry.window.toLowerCase()}).`,
        );
      }
      if (sub === 'remove') {
        const [email, level] = rest;
        const staff = email ? await hub.staff.byEmail(email, actor.orgId) : null;
        if (!staff) return reply(`No active member of staff has the email ${email ?? ''}.`);
        const lv = level ? rotaEntryInputSchema.shape.level.safeParse(level) : undefined;
        const removed = await service.concerns.transaction(async (tx) => {
          const n = await service.rota.removeIn(tx, actor.orgId, staff.id, lv?.success ? lv.data : undefined);
          await hub.audit.recordIn(tx, {
            orgId: actor.orgId,
            actorId: actor.staffId,
            actorKind: 'staff',
            action: 'rota.entry_removed',
            subjectType: 'rota',
            subjectId: actor.orgId,
            channel: via,
            details: { staffId: staff.id, level: lv?.success ? lv.data : null, removed: n },
          });
          return n;
        });
        return reply(`Removed ${removed} rota entr${removed === 1 ? 'y' : 'ies'} for ${staff.displayName}.`);
      }
      return reply('Unknown rota command.', `Usage: ${usage}`);
    },
  };
}
