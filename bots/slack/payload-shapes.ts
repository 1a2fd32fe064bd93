/**
 * The shape of every verified Slack request, checked (zod) before Bolt sees it: a request Bolt would
 * dereference blindly (`"view": null` in a view_submission, an interaction without `actions`, a slash
 * command without `command`) is refused with 400 instead of failing inside Bolt with a 500.
 *
 * Shapes follow Slack's documented payloads: slash commands
 * (https://api.slack.com/interactivity/slash-commands#app_command_handling), interaction payloads
 * (https://api.slack.com/reference/interaction-payloads: block_actions, view_submission, view_closed,
 * block_suggestion, shortcut, message_action) and the Events API envelope
 * (https://api.slack.com/apis/events-api#callback-field). Objects are loose: Slack adds fields, and only
 * what the hub and Bolt read is required. A refusal names the field path, never a value.
 */
import { z } from 'zod';

const nonEmpty = z.string().min(1);
const withId = z.looseObject({ id: nonEmpty });
/** `team` is null for an org-wide (Enterprise Grid) app; absent on some old payloads. */
const team = withId.nullable().optional();
const user = withId;

const slashCommand = z.looseObject({
  command: z.string().regex(/^\/\S+$/),
  text: z.string().optional(),
  team_id: nonEmpty,
  user_id: nonEmpty,
  channel_id: nonEmpty,
  trigger_id: nonEmpty,
  response_url: z.url({ protocol: /^https$/ }),
});

const stateValues = z.record(z.string(), z.record(z.string(), z.looseObject({ type: nonEmpty })));
const view = (stateRequired: boolean) =>
  z.looseObject({
    id: nonEmpty,
    type: nonEmpty,
    callback_id: z.string(),
    private_metadata: z.string().optional(),
    state: stateRequired ? z.looseObject({ values: stateValues }) : z.looseObject({}).optional(),
  });

const interactions = {
  block_actions: z.looseObject({
    user,
    team,
    trigger_id: z.string().optional(),
    actions: z
      .array(z.looseObject({ action_id: nonEmpty, block_id: z.string().optional(), type: nonEmpty }))
      .min(1),
    container: z.looseObject({ type: nonEmpty }).optional(),
    view: view(false).optional(),
    message: z.looseObject({ ts: nonEmpty }).optional(),
    channel: withId.optional(),
  }),
  view_submission: z.looseObject({ user, team, view: view(true) }),
  view_closed: z.looseObject({ user, team, view: view(false) }),
  block_suggestion: z.looseObject({
    user,
    team,
    action_id: nonEmpty,
    block_id: z.string(),
    value: z.string(),
  }),
  shortcut: z.looseObject({ user, team, callback_id: nonEmpty, trigger_id: nonEmpty }),
  message_action: z.looseObject({
    user,
    team,
    callback_id: nonEmpty,
    trigger_id: nonEmpty,
    channel: withId,
    message: z.looseObject({ ts: nonEmpty }),
  }),
} as const;

const eventsApi = {
  event_callback: z.looseObject({
    event_id: nonEmpty,
    event: z.looseObject({ type: nonEmpty }),
  }),
  url_verification: z.looseObject({ challenge: z.string() }),
  app_rate_limited: z.looseObject({}),
} as const;

/** How the body arrived: JSON (Events API), form fields (slash command), a form's `payload` JSON. */
export type SlackBodySource = 'json' | 'form' | 'payload';

export type SlackRequestKind =
  | 'event'
  | 'url_verification'
  | 'app_rate_limited'
  | 'ssl_check'
  | 'command'
  | keyof typeof interactions;

export type ShapeCheck = { ok: true; kind: SlackRequestKind } | { ok: false; problem: string };

function check(schema: z.ZodType, body: unknown, kind: SlackRequestKind, what: string): ShapeCheck {
  const r = schema.safeParse(body);
  if (r.success) return { ok: true, kind };
  const issue = r.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : '(body)';
  // The issue's code says which rule failed; its message can quote the value, so it is not used.
  return { ok: false, problem: `${what}: field "${field}" ${issue?.code ?? 'invalid'}` };
}

/** Which kind of Slack request this is, or why it is malformed (field path and rule, no value). */
export function checkSlackShape(body: Record<string, unknown>, source: SlackBodySource): ShapeCheck {
  const type = typeof body.type === 'string' ? body.type : undefined;
  if (source === 'json') {
    if (type && type in eventsApi) {
      const kind = type === 'event_callback' ? 'event' : (type as 'url_verification' | 'app_rate_limited');
      return check(eventsApi[type as keyof typeof eventsApi], body, kind, type);
    }
    return { ok: false, problem: 'JSON body: field "type" unsupported' };
  }
  if (source === 'payload') {
    if (type && type in interactions) {
      const t = type as keyof typeof interactions;
      return check(interactions[t], body, t, t);
    }
    return { ok: false, problem: 'interaction payload: field "type" unsupported' };
  }
  if (body.ssl_check !== undefined) return { ok: true, kind: 'ssl_check' };
  return check(slashCommand, body, 'command', 'slash command');
}
