/**
 * The `concern` chat command (every channel): `concern` opens the form; `concern drafts`, `concern resume
 * [n]` and `concern discard <n>` are the raiser's own kept drafts (concern-drafts.ts); `concern link <ref>
 * <UPN, id or name>` links a concern recorded "not on roll" to a student record (a safeguarding lead).
 */
import type { Command, CommandContext, CommandReply } from '../../core/commands/command-registry.ts';
import { ForbiddenError, isDomainError } from '../../core/errors.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { ConcernDrafts } from './concern-drafts.ts';
import { concernFormSpec } from './concern-form.ts';
import type { ConcernService } from './concern-service.ts';

const text = (title: string) => ({
  kind: 'message' as const,
  message: message({ kind: 'text', audience: 'private', title }),
});

export function concernCommand(service: ConcernService, drafts: ConcernDrafts): Command {
  async function handle(ctx: CommandContext, sub: string, rest: string[]): Promise<CommandReply> {
    const { actor, via } = ctx;
    switch (sub) {
      case '':
        return { kind: 'form', form: concernFormSpec() };
      case 'drafts':
        return { kind: 'message', message: await drafts.list(actor) };
      case 'resume':
        return { kind: 'form', form: await drafts.resume(actor, rest[0] ?? '') };
      case 'discard':
        if (!rest[0]) return text('Say which draft: `concern discard <n>` (see `concern drafts`).');
        return { kind: 'message', message: await drafts.discard(actor, rest[0]) };
      case 'link': {
        const [ref = '', ...who] = rest;
        if (!ref || who.length === 0)
          return text('Say which concern and which pupil: `concern link C-1A2B3C <UPN>`.');
        return text((await service.linkStudent(actor, ref, who.join(' '), via)).text);
      }
      default:
        return text(
          'Type `concern` to report a concern; `concern drafts`, `concern resume <n>`, `concern discard <n>` for your drafts; `concern link <ref> <UPN>` (DSL).',
        );
    }
  }
  return {
    name: 'concern',
    usage: 'concern [drafts | resume <n> | discard <n> | link <ref> <UPN>]',
    summary:
      'report a safeguarding concern to the DSL (private; stored encrypted); your kept drafts; DSL: link a "not on roll" concern to a pupil',
    async run(ctx) {
      service.assertCanRaise(ctx.actor);
      const [sub = '', ...rest] = ctx.args.trim().split(/\s+/);
      try {
        return await handle(ctx, sub.toLowerCase(), rest);
      } catch (err) {
        // A draft or concern not found, a pupil not matched: said plainly, to the person only.
        if (isDomainError(err) && !(err instanceof ForbiddenError)) return text(err.message);
        throw err;
      }
    },
  };
}
