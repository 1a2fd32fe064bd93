/**
 * The console channel: prints messages addressed to staff in the terminal and lets the person at the
 * keyboard answer (`done r3`, `snooze r3 2`, `ack r5`) or type commands (`help`, `due`, `concern` …).
 * It makes the hub usable and demonstrable with no Teams or Slack account. It is a local channel: the
 * person at the terminal acts as the recipient of the message they answer (or as `as <email>` says).
 */
import fs from 'node:fs';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { CommandReply } from '../../core/commands/command-registry.ts';
import {
  type FieldCheck,
  type FormOutcome,
  type FormSpec,
  type FormSubmission,
  isYes,
} from '../../core/forms/form-spec.ts';
import { type ActionVerb, actionVerbs, type OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type {
  ActionResult,
  Actor,
  ChannelPort,
  DeliveryResult,
  DeliveryTarget,
  InboundAction,
} from '../../core/ports.ts';
import { choiceHints, personLabel, renderText } from './render-text.ts';

export interface ConsoleHandlers {
  action(action: InboundAction): Promise<ActionResult>;
  command(text: string, actor: Actor): Promise<CommandReply>;
  form(actor: Actor, submission: FormSubmission): Promise<FormOutcome>;
  /** Check one answer as it is typed (FormRegistry.check); absent = every answer is checked on submit. */
  check?(
    actor: Actor,
    formId: string,
    fieldId: string,
    values: Record<string, string>,
    context?: Record<string, string>,
  ): Promise<FieldCheck>;
  actorForStaff(staffId: string): Promise<Actor | null>;
  actorForEmail(email: string): Promise<Actor | null>;
  /** Default actor for commands before anyone has been addressed (the demo admin). */
  defaultActor(): Promise<Actor | null>;
}

interface Shown {
  ref: string;
  staffId: string | null;
  message: OutgoingMessage;
  answered: boolean;
}

export class ConsoleChannel implements ChannelPort {
  readonly platform = 'CONSOLE' as const;
  private counter = 0;
  private readonly shown = new Map<string, Shown>();
  private handlers: ConsoleHandlers | undefined;
  private actingAs: Actor | null = null;
  private rl: readline.Interface | undefined;
  private readonly delivered = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly out: Writable,
    private readonly journalFile?: string,
  ) {
    if (journalFile && fs.existsSync(journalFile)) {
      for (const line of fs.readFileSync(journalFile, 'utf8').split('\n')) if (line) this.delivered.add(line);
    }
  }

  canReach(target: DeliveryTarget): boolean {
    return target.kind === 'person' || target.kind === 'conversation';
  }

  async send(
    target: DeliveryTarget,
    message: OutgoingMessage,
    meta: { idempotencyKey: string },
  ): Promise<DeliveryResult> {
    const ref = `r${++this.counter}`;
    const actor = target.kind === 'person' ? await this.handlers?.actorForStaff(target.staffId) : null;
    const to =
      target.kind === 'person'
        ? actor
          ? personLabel(target.displayName, actor.roles)
          : target.displayName
        : `channel ${target.conversationId}`;
    this.shown.set(ref, {
      ref,
      staffId: target.kind === 'person' ? target.staffId : null,
      message,
      answered: false,
    });
    this.write(
      `\n── to ${to} ─ [${ref}] ${'─'.repeat(Math.max(0, 40 - to.length))}\n${renderText(message, ref)}\n`,
    );
    // Journal after printing: a crash in between can show a message twice, never lose it.
    if (this.journalFile) fs.appendFileSync(this.journalFile, `${meta.idempotencyKey}\n`);
    this.delivered.add(meta.idempotencyKey);
    return { outcome: 'sent', platformRef: ref };
  }

  async reconcile(idempotencyKey: string): Promise<'delivered' | 'not_delivered' | 'unknown'> {
    return this.delivered.has(idempotencyKey) ? 'delivered' : 'not_delivered';
  }

  /** Messages shown so far (tests and the transcript). */
  transcript(): { ref: string; staffId: string | null; message: OutgoingMessage }[] {
    return [...this.shown.values()];
  }

  attach(handlers: ConsoleHandlers): void {
    this.handlers = handlers;
  }

  /** Read lines from `input` until it ends. */
  listen(input: Readable): void {
    this.rl = readline.createInterface({ input, terminal: false });
    this.rl.on('line', (line) => {
      this.queue = this.queue
        .then(() => this.handleLine(line))
        .catch((err) => this.write(`! ${String(err?.message ?? err)}\n`));
    });
  }

  /** Wait until every line read so far has been handled (tests). */
  async idle(): Promise<void> {
    await this.queue;
  }

  close(): void {
    this.rl?.close();
  }

  /**
   * A line for the person at the terminal, not a message to anyone (the demo tour's narration,
   * app/demo/tour.ts): never journalled, never answerable.
   */
  narrate(text: string): void {
    this.write(`\n${text}\n`);
  }

  private write(text: string): void {
    this.out.write(text);
  }

  private latestOpen(): Shown | undefined {
    return [...this.shown.values()].reverse().find((s) => !s.answered && s.message.actions.length > 0);
  }

  /**
   * A reply typed on a prompt that does not offer it (`record-outcome r5` on the alert the DSL
   * acknowledged): points to the same person's open prompt about the same record that does (the outcome
   * prompt sent after the acknowledgement), else says what this one takes, as it is typed.
   */
  private notOffered(shown: Shown, verb: string): string {
    const typed = verb.replaceAll('_', '-');
    const subject = shown.message.subject;
    const other = subject
      ? [...this.shown.values()]
          .reverse()
          .find(
            (s) =>
              s !== shown &&
              !s.answered &&
              s.staffId === shown.staffId &&
              s.message.subject?.type === subject.type &&
              s.message.subject.id === subject.id &&
              s.message.actions.some((a) => a.verb === verb),
          )
      : undefined;
    if (other)
      return `[${shown.ref}] has no ${typed}; [${other.ref}] has: ${choiceHints(other.message, other.ref, verb)}.`;
    const verbs = [...new Set(shown.message.actions.map((a) => a.verb))];
    if (verbs.length === 0) return `[${shown.ref}] has no ${typed}: it takes no reply.`;
    return `[${shown.ref}] has no ${typed}. Reply: ${verbs.map((v) => choiceHints(shown.message, shown.ref, v)).join(' | ')}.`;
  }

  /** Handle one typed line. Public for tests that drive the console without a stream. */
  async handleLine(raw: string): Promise<void> {
    const line = raw.trim();
    if (!line || !this.handlers) return;
    const h = this.handlers;
    const [word = '', ...rest] = line.split(/\s+/);
    const verb = word.toLowerCase().replaceAll('-', '_');
    if (verb === 'as') {
      const actor = await h.actorForEmail(rest[0] ?? '');
      this.actingAs = actor;
      this.write(
        actor
          ? `Acting as ${actor.displayName}.\n`
          : `No active member of staff has the email ${rest[0] ?? ''}.\n`,
      );
      return;
    }
    if (
      (actionVerbs as readonly string[]).includes(verb) &&
      (rest.length === 0 || /^r\d+$/.test(rest[0] ?? '') || verb !== 'done')
    ) {
      const refArg = /^r\d+$/.test(rest[0] ?? '') ? rest.shift() : undefined;
      const shown = refArg ? this.shown.get(refArg) : this.latestOpen();
      if (!shown) {
        this.write('Nothing to answer: no open prompt with that reference.\n');
        return;
      }
      const choices = shown.message.actions.filter((a) => a.verb === verb);
      const act = choices[0];
      if (!act) {
        this.write(`${this.notOffered(shown, verb)}\n`);
        return;
      }
      const actor = shown.staffId ? await h.actorForStaff(shown.staffId) : this.actingAs;
      if (!actor) {
        this.write('Cannot tell who is answering: type `as <email>` first.\n');
        return;
      }
      // Several buttons with one verb (the outcomes): the choice is the word typed after the reference,
      // never the first button by default (issue 13: `record-outcome r7` must not record "Advice given").
      if (choices.length > 1 && rest.length === 0) {
        this.write(`[${shown.ref}] say which: ${choiceHints(shown.message, shown.ref, verb)}.\n`);
        return;
      }
      const args: Record<string, string> = choices.length > 1 ? {} : { ...act.args };
      if (verb === 'snooze' && rest[0]) args.days = rest[0];
      if (verb === 'reassign' && rest[0]) args.to = rest[0];
      if (verb === 'record_outcome' && rest[0]) args.outcome = rest.join('_');
      const result = await h.action({
        actor,
        via: 'CONSOLE',
        verb: verb as ActionVerb,
        subject: shown.message.subject ?? { type: 'message', id: shown.ref },
        args,
      });
      if (result.resolved) {
        shown.answered = true;
        this.write(`[${shown.ref}] ${result.resolved.text}\n`);
      }
      if (result.reply) this.write(`${renderText(result.reply)}\n`);
      if (result.form) await this.runForm(result.form, actor);
      return;
    }
    const actor = this.actingAs ?? (await h.defaultActor());
    if (!actor) {
      this.write('Type `as <email>` to say who you are.\n');
      return;
    }
    const reply = await h.command(line, actor);
    if (reply.kind === 'message') this.write(`${renderText(reply.message)}\n`);
    else await this.runForm(reply.form, actor);
  }

  /**
   * A guided prompt: asks each field in turn and checks each answer at once (FieldCheck), re-asking a
   * rejected one with its error; then submits and re-asks the fields the core still rejects. `cancel` at
   * any prompt stops it; nothing is sent. A form that keeps drafts (keepOnCancel) keeps the answers so far
   * when cancelled, given up after five tries, or refused by an error, and says where they are.
   */
  private async runForm(form: FormSpec, actor: Actor): Promise<void> {
    if (!this.rl || !this.handlers) {
      this.write(`${form.title}: forms need an interactive terminal.\n`);
      return;
    }
    const h = this.handlers;
    // Pre-filled values (a draft being finished, notes being amended) are kept when Enter is pressed.
    const values: Record<string, string> = Object.fromEntries(
      form.fields.filter((f) => f.initial).map((f) => [f.id, f.initial ?? '']),
    );
    this.write(
      `${form.title} (Enter skips an optional field or keeps the value shown; "-" clears it; "cancel" stops${form.allowDraft ? '; "!draft" saves a draft to finish later' : ''})\n`,
    );
    const keep = async (why: 'cancelled' | 'abandoned' | 'failed'): Promise<string> => {
      if (!form.keepOnCancel || !Object.values(values).some((v) => v.trim())) return '';
      try {
        const kept = await h.form(actor, {
          formId: form.formId,
          context: { ...form.context, keep: why },
          values,
          intent: 'draft',
        });
        return kept.ok ? ` ${kept.reply}` : '';
      } catch {
        return ' Your answers could not be kept either: tell the person you were writing to in person.';
      }
    };
    const stop = async (why: 'cancelled' | 'abandoned' | 'failed', lead: string) => {
      this.write(`${lead}${await keep(why)}\n`);
    };
    let fields = form.fields.filter((f) => !f.setByConfirmation);
    for (let round = 0; round < 5; round++) {
      // Repeatable rows (`group.n.sub`): leaving a row's first field empty ends that group.
      const ended = new Map<string, number>();
      for (const f of fields) {
        const row = /^(.+)\.(\d+)\.([^.]+)$/.exec(f.id);
        if (row && (ended.get(row[1] ?? '') ?? Number.POSITIVE_INFINITY) <= Number(row[2])) continue;
        if (f.askedAfter && !isYes(values[f.askedAfter])) continue;
        const opts = f.options ? ` [${f.options.map((o) => o.value).join('/')}]` : '';
        let offer: Record<string, string> | undefined;
        let accepted = false;
        for (let attempt = 0; attempt < 5 && !accepted; attempt++) {
          const shown = values[f.id] ? ` {${values[f.id]!.replace(/\s+/g, ' ').slice(0, 60)}}` : '';
          const answer = (
            await this.ask(`${f.label}${f.required ? '' : ' (optional)'}${opts}${shown}: `)
          ).trim();
          if (answer.toLowerCase() === 'cancel') {
            await stop('cancelled', 'Cancelled: nothing was sent to anyone.');
            return;
          }
          if (answer === '!draft' && form.allowDraft) {
            const saved = await h.form(actor, {
              formId: form.formId,
              context: form.context,
              values,
              intent: 'draft',
            });
            this.write(`${saved.ok ? saved.reply : Object.values(saved.errors).join('\n')}\n`);
            return;
          }
          if (offer && /^(yes|y)$/i.test(answer)) {
            // The offer made with the last error (e.g. "send it as given, not on roll"), confirmed.
            Object.assign(values, offer);
            const again = h.check
              ? await h.check(actor, form.formId, f.id, values, form.context)
              : { ok: true as const };
            if (again.ok && again.note) this.write(`  ${again.note}\n`);
            accepted = true;
            break;
          }
          values[f.id] = answer === '-' ? '' : answer || values[f.id] || '';
          const firstOfRow =
            row && form.fields.find((x) => x.id.startsWith(`${row[1]}.${row[2]}.`))?.id === f.id;
          if (round === 0 && row && firstOfRow && !values[f.id]) ended.set(row[1] ?? '', Number(row[2]));
          const checked: FieldCheck = h.check
            ? await h.check(actor, form.formId, f.id, values, form.context)
            : { ok: true };
          if (checked.ok) {
            if (checked.note) this.write(`  ${checked.note}\n`);
            accepted = true;
          } else {
            this.write(`  ${checked.error}\n`);
            offer = checked.confirm?.set;
          }
        }
        if (!accepted) {
          await stop('abandoned', `${f.label}: no answer I could use after five tries. Nothing was sent.`);
          return;
        }
      }
      let outcome: FormOutcome;
      try {
        outcome = await h.form(actor, {
          formId: form.formId,
          context: form.context,
          values,
          intent: 'submit',
        });
      } catch (err) {
        await stop('failed', `Not sent: ${String((err as Error)?.message ?? err)}.`);
        return;
      }
      if (outcome.ok) {
        this.write(`${outcome.reply}\n`);
        return;
      }
      // Each error under the question it belongs to, as the person saw it ("Action 1: due date"), not its id.
      for (const [field, error] of Object.entries(outcome.errors)) {
        this.write(`  ${form.fields.find((x) => x.id === field)?.label ?? field}: ${error}\n`);
      }
      fields = form.fields.filter((f) => f.id in outcome.errors && !f.setByConfirmation);
      if (fields.length === 0) break;
    }
    await stop('abandoned', 'Form abandoned after five tries: nothing was sent.');
  }

  private ask(question: string): Promise<string> {
    this.write(question);
    return new Promise((resolve) => this.rl!.question('', resolve));
  }
}
