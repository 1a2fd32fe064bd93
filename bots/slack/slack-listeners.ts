/**
 * Bolt listeners: Slack payloads → core calls (commands, actions, forms, App Home) and back. The same
 * listeners serve HTTP (/slack/events through HubReceiver) and Socket Mode. Each listener acks first
 * (Slack's 3-second rule) and does the slow part after, except view_submission, whose ack must carry
 * the field errors.
 */
import type { App } from '@slack/bolt';
import type { Hub } from '../../app/container.ts';
import type { CommandReply } from '../../core/commands/command-registry.ts';
import type { FormSpec } from '../../core/forms/form-spec.ts';
import { actionVerbs, message, type OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { Actor } from '../../core/ports.ts';
import { FORM_CALLBACK_ID, readFormState, renderFormView, viewErrors } from './blocks/form-view.ts';
import { renderHomeView } from './blocks/home-view.ts';
import {
  ACTION_PREFIX,
  type Block,
  parseButtonValue,
  renderMessage,
  resolvedBlocks,
} from './blocks/message-blocks.ts';
import { caseloadFor } from './caseload.ts';
import type { StaffLinker } from './link-staff.ts';
import { postJson, type WebClient } from './slack-api.ts';
import type { WorkGate } from './work-gate.ts';

/** `/send concern` and `/send tac` open these forms when no feature command of that name exists. */
const FORM_ALIASES: Record<string, string> = { concern: 'concern', tac: 'tac_notes', notes: 'tac_notes' };
/** Buttons that open a form instead of acting. */
const FORM_VERBS: Record<string, string> = { open_concern_form: 'concern', open_notes_form: 'tac_notes' };
/** view_submission must be answered within 3 s; past this we ack and report the outcome by DM. */
const FORM_ACK_BUDGET_MS = 2_500;

export const NOT_LINKED = message({
  kind: 'text',
  audience: 'private',
  title: 'I could not match your Slack account to a member of staff.',
  text: 'Your Slack profile email must be the email your school has for you in SEND Hub. Your admin has been told.',
});

export interface ListenerDeps {
  hub: Hub;
  linker: StaffLinker;
  /** After-ack work goes through this (see work-gate.ts). */
  gate: WorkGate;
  /** Also told of app_uninstalled (after the warning is logged): the module forgets the installation. */
  onUninstalled?: (body: { team_id?: string; enterprise_id?: string }) => Promise<void>;
}

/** The event types the hub handles (the Events API subscriptions of scopes.ts). */
const SUBSCRIBED_EVENTS = /^(?:app_mention|message|app_home_opened|app_uninstalled)$/;

export function registerListeners(app: App, { hub, linker, gate, onUninstalled }: ListenerDeps): void {
  const log = hub.log;

  async function runCommand(text: string, actor: Actor): Promise<CommandReply> {
    const word =
      text
        .trim()
        .replace(/^\/send\s*/, '')
        .split(/\s+/)[0]
        ?.toLowerCase() ?? '';
    const formId = FORM_ALIASES[word];
    if (formId && !hub.commands.list().some((c) => c.name === word) && hub.forms.has(formId)) {
      return { kind: 'form', form: await hub.forms.open(formId, actor, {}) };
    }
    return hub.commands.run(text, actor, 'SLACK');
  }

  async function openForm(client: WebClient, triggerId: string, form: FormSpec): Promise<void> {
    await client.views.open({ trigger_id: triggerId, view: renderFormView(form) as never });
  }

  /** A private answer: ephemeral in a channel, a plain post in the person's DM with the app. */
  async function replyPrivately(
    client: WebClient,
    channel: string | undefined,
    user: string,
    m: OutgoingMessage,
  ) {
    const { text, blocks } = renderMessage(m);
    // JSON bodies: the client's form encoding of the blocks was most of each request's garbage (slack-api.ts).
    if (channel && !channel.startsWith('D')) {
      await postJson(client, 'chat.postEphemeral', { channel, user, text, blocks });
    } else {
      await postJson(client, 'chat.postMessage', { channel: channel ?? user, text, blocks });
    }
  }

  async function publishHome(client: WebClient, teamId: string, userId: string): Promise<void> {
    const actor = await linker.actorFor(teamId, userId, client);
    const view = renderHomeView(actor ? await caseloadFor(hub, actor) : [NOT_LINKED]);
    await client.views.publish({ user_id: userId, view: view as never });
  }

  // Slash command: /send help | due | concern | tac | digest …
  app.command('/send', async ({ ack, command, client, respond }) => {
    await ack();
    await gate.run(async () => {
      const actor = await linker.actorFor(command.team_id, command.user_id, client);
      if (!actor) {
        await respond({
          response_type: 'ephemeral',
          ...renderMessage(NOT_LINKED),
          blocks: renderMessage(NOT_LINKED).blocks as never,
        });
        return;
      }
      const reply = await runCommand(command.text ?? '', actor);
      if (reply.kind === 'form') {
        // Typed in a channel (not the app's DM): the form knows where (e.g. the concern's channel notice).
        const origin: Record<string, string> = command.channel_id?.startsWith('D')
          ? {}
          : { originConversation: command.channel_id, originTenant: command.team_id };
        await openForm(client, command.trigger_id, {
          ...reply.form,
          context: { ...reply.form.context, ...origin },
        });
        return;
      }
      const r = renderMessage(reply.message);
      await respond({ response_type: 'ephemeral', text: r.text, blocks: r.blocks as never });
    });
  });

  // @mention in a channel: answered only to the person (ephemeral): caseloads never go to a channel.
  async function onMention(
    event: { user?: string; text: string; channel: string },
    teamId: string,
    client: WebClient,
  ): Promise<void> {
    await gate.run(async () => {
      if (!event.user) return;
      const actor = await linker.actorFor(teamId, event.user, client);
      const text = event.text.replace(/<@[A-Z0-9]+>/g, '').trim();
      const reply = actor ? await runCommand(text, actor) : { kind: 'message' as const, message: NOT_LINKED };
      const m =
        reply.kind === 'message'
          ? reply.message
          : message({
              kind: 'text',
              audience: 'private',
              title: 'Use /send to open forms (Slack needs a command to open one).',
            });
      await replyPrivately(client, event.channel, event.user, m);
    });
  }

  // Direct messages to the app: the same commands.
  async function onMessage(
    m: {
      channel_type?: string;
      subtype?: string;
      bot_id?: string;
      user?: string;
      text?: string;
      channel: string;
    },
    teamId: string,
    client: WebClient,
  ): Promise<void> {
    await gate.run(async () => {
      if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user) return;
      const actor = await linker.actorFor(teamId, m.user, client);
      const reply = actor
        ? await runCommand(m.text ?? '', actor)
        : { kind: 'message' as const, message: NOT_LINKED };
      const out =
        reply.kind === 'message'
          ? reply.message
          : message({
              kind: 'text',
              audience: 'private',
              title: `Type /send ${m.text?.trim() ?? ''} to open the form.`,
            });
      await replyPrivately(client, m.channel, m.user, out);
    });
  }

  // App Home tab: the person's caseload.
  async function onHomeOpened(event: { tab?: string; user: string }, teamId: string, client: WebClient) {
    await gate.run(async () => {
      if (event.tab !== 'home') return;
      await publishHome(client, teamId, event.user);
    });
  }

  // Every event the app subscribes to (scopes.ts BOT_EVENTS) through ONE Bolt listener: Bolt runs each
  // registered listener's middleware for every request it processes, so one listener per event type
  // was most of Bolt's allocation per event (bench/README.md "slack-ack").
  app.event(SUBSCRIBED_EVENTS, async ({ event, body, client }) => {
    const teamId = (body as { team_id?: string }).team_id ?? '';
    switch (event.type) {
      case 'app_mention':
        return onMention(event as never, teamId, client);
      case 'message':
        return onMessage(event as never, teamId, client);
      case 'app_home_opened':
        return onHomeOpened(event as never, teamId, client);
      case 'app_uninstalled':
        log.warn(
          { teamId: (body as { team_id?: string }).team_id },
          'slack: app uninstalled from a workspace',
        );
        await onUninstalled?.(body as { team_id?: string; enterprise_id?: string });
        return;
    }
  });

  // Buttons on hub messages and on the Home tab.
  app.action(new RegExp(`^${ACTION_PREFIX}`), async ({ ack, body, action, client }) => {
    await ack();
    await gate.run(async () => {
      const b = body as {
        user: { id: string; team_id?: string };
        team?: { id: string } | null;
        channel?: { id: string };
        message?: { ts: string; blocks?: Block[] };
        container?: { type?: string };
        trigger_id?: string;
      };
      // A button's value, or the option chosen in a select (the outcomes: message-blocks.ts selectFor).
      const picked = action as { value?: string; selected_option?: { value?: string } };
      const value = parseButtonValue(picked.value ?? picked.selected_option?.value);
      if (!value || !(actionVerbs as readonly string[]).includes(value.v)) return;
      const teamId = b.team?.id ?? b.user.team_id ?? '';
      const actor = await linker.actorFor(teamId, b.user.id, client);
      if (!actor) {
        await replyPrivately(client, b.channel?.id, b.user.id, NOT_LINKED);
        return;
      }
      const formId = FORM_VERBS[value.v];
      if (formId) {
        if (!hub.forms.has(formId) || !b.trigger_id) return;
        const context = {
          ...value.a,
          ...(value.t !== 'none' ? { subjectType: value.t, subjectId: value.i } : {}),
        };
        await openForm(client, b.trigger_id, await hub.forms.open(formId, actor, context));
        return;
      }
      const result = await hub.actions.dispatch({
        actor,
        via: 'SLACK',
        verb: value.v,
        subject: { type: value.t, id: value.i },
        args: value.a,
      });
      if (result.form && b.trigger_id) await openForm(client, b.trigger_id, result.form);
      if (result.resolved && b.message && b.channel) {
        await client.chat.update({
          channel: b.channel.id,
          ts: b.message.ts,
          text: result.resolved.text,
          blocks: resolvedBlocks(b.message.blocks ?? [], result.resolved.text) as never,
        });
      }
      if (result.reply) await replyPrivately(client, b.channel?.id, b.user.id, result.reply);
      if (b.container?.type === 'view') await publishHome(client, teamId, b.user.id);
    });
  });

  // Modal submitted: the core validates; field errors go back into the modal.
  app.view(FORM_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const parsed = readFormState(view as never);
    const inputIds = ((view.blocks ?? []) as { type: string; block_id?: string }[])
      .filter((x) => x.type === 'input' && x.block_id)
      .map((x) => x.block_id as string);
    if (!parsed) {
      await ack({
        response_action: 'errors',
        errors: { [inputIds[0] ?? 'form']: 'This form has expired; open it again.' },
      });
      return;
    }
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const actor = await linker.actorFor(teamId, body.user.id, client);
    if (!actor) {
      await ack({ response_action: 'errors', errors: { [inputIds[0] ?? 'form']: NOT_LINKED.title } });
      return;
    }
    const instance = view.id ? { instanceId: `${teamId}:${view.id}` } : {};
    const pending = hub.forms.submit(actor, { ...parsed, ...instance }, 'SLACK');
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      pending,
      new Promise<'late'>((r) => {
        timer = setTimeout(() => r('late'), FORM_ACK_BUDGET_MS);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'late') {
      await ack();
      const late = await pending;
      const text = late.ok ? late.reply : `Your form was not saved: ${Object.values(late.errors).join(' ')}`;
      await client.chat.postMessage({ channel: body.user.id, text });
      return;
    }
    if (!outcome.ok) {
      await ack({ response_action: 'errors', errors: viewErrors(null, outcome.errors, inputIds) });
      return;
    }
    await ack({
      response_action: 'update',
      view: {
        type: 'modal',
        title: view.title,
        close: { type: 'plain_text', text: 'Done' },
        blocks: renderMessage(
          message({ kind: 'text', audience: 'private', title: 'Saved', text: outcome.reply }),
          100,
        ).blocks as never,
      },
    });
    log.info(
      { formId: parsed.formId, intent: parsed.intent, staffId: actor.staffId },
      'slack: form submitted',
    );
  });

  app.error(async (error) => {
    const e = error as { code?: string; original?: unknown; message?: string };
    log.error({ code: e.code, err: e.message?.slice(0, 300) }, 'slack: listener failed');
  });
}
