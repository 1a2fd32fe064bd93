/**
 * Typed commands (`help`, `due`, `concern`, `tac`, `digest`, `settings` …) shared by every channel:
 * Teams personal chat, Slack `/send`, the console. Unknown text gets help, never silence.
 */
import { ForbiddenError } from '../errors.ts';
import type { FormSpec } from '../forms/form-spec.ts';
import { message, type OutgoingMessage } from '../messages/outgoing-message.ts';
import type { Actor, AuditLog, ChatPlatform } from '../ports.ts';

export type CommandReply = { kind: 'message'; message: OutgoingMessage } | { kind: 'form'; form: FormSpec };

export interface CommandContext {
  actor: Actor;
  via: ChatPlatform;
  /** Text after the command word. */
  args: string;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<CommandReply>;
}

export class CommandRegistry {
  private readonly commands = new Map<string, Command>();

  /** With an audit log, a command refused for the actor's role is audited (`access.denied`). */
  constructor(private readonly audit?: AuditLog) {}

  register(command: Command): this {
    this.commands.set(command.name, command);
    return this;
  }

  list(): Command[] {
    return [...this.commands.values()];
  }

  help(): OutgoingMessage {
    return message({
      kind: 'text',
      audience: 'private',
      title: 'SEND Hub: what I can do',
      text: [
        'help - this list',
        ...this.list()
          .filter((c) => c.name !== 'help')
          .map((c) => `${c.usage} - ${c.summary}`),
      ].join('\n'),
    });
  }

  async run(text: string, actor: Actor, via: ChatPlatform): Promise<CommandReply> {
    const trimmed = text.trim().replace(/^\/send\s*/, '');
    const [word = '', ...rest] = trimmed.split(/\s+/);
    const command = this.commands.get(word.toLowerCase());
    if (!command || word.toLowerCase() === 'help') return { kind: 'message', message: this.help() };
    try {
      return await command.run({ actor, via, args: rest.join(' ') });
    } catch (err) {
      if (!(err instanceof ForbiddenError)) throw err;
      // A refusal is answered politely and audited, whichever channel it came through.
      await this.audit?.record({
        orgId: actor.orgId,
        actorId: actor.staffId,
        actorKind: 'staff',
        action: 'access.denied',
        subjectType: 'command',
        subjectId: command.name,
        channel: via,
        details: { command: command.name },
      });
      return { kind: 'message', message: message({ kind: 'text', audience: 'private', title: err.message }) };
    }
  }
}
