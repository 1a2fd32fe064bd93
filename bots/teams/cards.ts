/**
 * Adaptive Cards (schema 1.5, the version Teams renders) for every channel-neutral OutgoingMessage and
 * every FormSpec. Pure functions: no botbuilder, no I/O. Buttons are `Action.Execute` (Universal Actions):
 * Teams sends an `adaptiveCard/action` invoke and shows the card we answer with in place of the old one,
 * so a card that has been acted on shows who did what and has no buttons left.
 */
import type { FieldErrors, FormField, FormSpec } from '../../core/forms/form-spec.ts';
import type { MessageAction, OutgoingMessage } from '../../core/messages/outgoing-message.ts';

export type Card = Record<string, unknown> & { type: 'AdaptiveCard'; version: '1.5' };
type Element = Record<string, unknown>;

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** The Action.Execute verbs the bot answers. */
export const VERB_ACTION = 'sendhub.action';
export const VERB_FORM = 'sendhub.form';
export const VERB_OPEN_FORM = 'sendhub.openForm';

/** What a message button carries back (strings only: it travels through Teams). */
export interface ActionData {
  sh: 'action';
  verb: string;
  subjectType: string;
  subjectId: string;
  args: Record<string, string>;
  /** The card title, to redraw the card after the action. */
  title: string;
}

/** What a form's submit button carries back; the inputs' values arrive beside it. */
export interface FormData {
  sh: 'form';
  formId: string;
  context: Record<string, string>;
  intent: 'submit' | 'draft';
  title: string;
}

const card = (body: Element[], actions: Element[] = []): Card => ({
  type: 'AdaptiveCard',
  $schema: CARD_SCHEMA,
  version: '1.5',
  body,
  ...(actions.length ? { actions } : {}),
});

/**
 * An Action.Execute with the fallback Microsoft's Universal Actions guidance gives for clients that do not
 * support it (https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model, "Backward
 * compatibility"): an Action.Submit with the same title, style and data. The bot answers both (an
 * `adaptiveCard/action` invoke, or a message whose `value` carries the same data: teams-bot.ts).
 */
const execute = (a: Element & { title: string; verb: string; data: object }): Element => {
  const { verb: _verb, associatedInputs: _inputs, ...submit } = a;
  return { type: 'Action.Execute', ...a, fallback: { ...submit, type: 'Action.Submit' } };
};

const text = (t: string, extra: Element = {}): Element => ({
  type: 'TextBlock',
  text: t,
  wrap: true,
  ...extra,
});

/** Plain text with *bold* (the core's markup) to Adaptive Card markdown (**bold**). */
export function toCardMarkdown(s: string): string {
  return s.replace(/\*([^*\n]+)\*/g, '**$1**').replace(/\n/g, '\n\n');
}

const styleOf = (a: MessageAction): string | undefined =>
  a.style === 'primary' ? 'positive' : a.style === 'danger' ? 'destructive' : undefined;

/**
 * Inputs a message card may carry for its action (the value chosen arrives beside the action's data). Several
 * buttons of one verb that differ by one argument (the outcomes a DSL records) are drawn as one choice set
 * of that argument and one button: the choice is made from the listed set, never implied (issue 13).
 */
export const CHOICE_INPUTS = ['outcome'] as const;

function choiceOf(same: MessageAction[]): string | undefined {
  if (same.length < 2) return undefined;
  const keys = [...new Set(same.flatMap((a) => Object.keys(a.args)))].filter(
    (k) => new Set(same.map((a) => a.args[k])).size === same.length,
  );
  return keys.find((k) => (CHOICE_INPUTS as readonly string[]).includes(k));
}

/** A message as a card. `subject` is required for buttons (they name what they act on). */
export function messageCard(m: OutgoingMessage): Card {
  const body: Element[] = [];
  if (m.urgent) body.push(text('URGENT', { color: 'attention', weight: 'bolder', size: 'small' }));
  body.push(
    text(m.title, {
      size: 'medium',
      weight: 'bolder',
      style: 'heading',
      ...(m.urgent ? { color: 'attention' } : {}),
    }),
  );
  if (m.text) body.push(text(toCardMarkdown(m.text)));
  if (m.facts.length)
    body.push({ type: 'FactSet', facts: m.facts.map((f) => ({ title: f.label, value: f.value })) });
  for (const s of m.sections) {
    body.push(text(s.heading, { weight: 'bolder', separator: true, spacing: 'medium' }));
    if (s.lines.length) body.push(text(s.lines.map((l) => `- ${l}`).join('\r')));
    else body.push(text('None.', { isSubtle: true }));
  }
  const actions: Element[] = [];
  const chosen = new Set<string>();
  for (const a of m.actions) {
    const same = m.actions.filter((x) => x.verb === a.verb);
    const key = m.subject ? choiceOf(same) : undefined;
    if (key && m.subject) {
      if (chosen.has(a.verb)) continue;
      chosen.add(a.verb);
      const verbLabel = a.verb.replaceAll('_', ' ');
      body.push({
        type: 'Input.ChoiceSet',
        id: key,
        label: `Choose the ${key}`,
        style: 'expanded',
        isRequired: true,
        errorMessage: `Choose the ${key} first.`,
        choices: same.map((x) => ({ title: x.label, value: x.args[key] ?? '' })),
      });
      const common = Object.fromEntries(Object.entries(a.args).filter(([k]) => k !== key));
      const data: ActionData = {
        sh: 'action',
        verb: a.verb,
        subjectType: m.subject.type,
        subjectId: m.subject.id,
        args: common,
        title: m.title,
      };
      actions.push({
        type: 'Action.Execute',
        title: verbLabel.charAt(0).toUpperCase() + verbLabel.slice(1),
        verb: VERB_ACTION,
        data,
        associatedInputs: 'auto',
        style: 'positive',
      });
      continue;
    }
    if (a.verb === 'open_notes_form' || a.verb === 'open_concern_form') {
      actions.push(
        execute({
          title: a.label,
          verb: VERB_OPEN_FORM,
          data: {
            sh: 'open',
            formId: a.args.formId ?? (a.verb === 'open_notes_form' ? 'tac_notes' : 'concern'),
            context: {
              ...a.args,
              ...(m.subject ? { subjectType: m.subject.type, subjectId: m.subject.id } : {}),
            },
          },
        }),
      );
      continue;
    }
    // Buttons name what they act on; a message without a subject falls back to the reminder it answers.
    const subject =
      m.subject ?? (a.args.reminderId ? { type: 'reminder', id: a.args.reminderId } : undefined);
    if (!subject) continue;
    const data: ActionData = {
      sh: 'action',
      verb: a.verb,
      subjectType: subject.type,
      subjectId: subject.id,
      args: a.args,
      title: m.title,
    };
    const style = styleOf(a);
    actions.push(execute({ title: a.label, verb: VERB_ACTION, data, ...(style ? { style } : {}) }));
  }
  if (m.link) actions.push({ type: 'Action.OpenUrl', title: m.link.label, url: m.link.url });
  return card(body, actions);
}

/** The card after someone acted on it: the title and who did what, no buttons (it cannot be acted on twice). */
export function resolvedCard(title: string, resolvedText: string, note?: string): Card {
  const body: Element[] = [
    text(title, { size: 'medium', weight: 'bolder', style: 'heading' }),
    text(`✅ ${resolvedText}`, { color: 'good', weight: 'bolder' }),
  ];
  if (note) body.push(text(toCardMarkdown(note), { isSubtle: true }));
  return card(body);
}

const ROW = /^(.+)\.(\d+)\.([^.]+)$/;

function input(field: FormField, value: string | undefined, error: string | undefined): Element[] {
  const base: Element = {
    id: field.id,
    label: field.label,
    isRequired: field.required,
    errorMessage: error ?? (field.required ? `${field.label} is required` : undefined),
  };
  const initial = value ?? field.initial;
  let el: Element;
  switch (field.kind) {
    case 'multiline':
      el = {
        ...base,
        type: 'Input.Text',
        isMultiline: true,
        ...(field.maxLength ? { maxLength: field.maxLength } : {}),
      };
      break;
    case 'date':
      el = { ...base, type: 'Input.Date' };
      break;
    case 'datetime':
      // Cards have no date-time input: a date and a time, joined back into YYYY-MM-DDTHH:MM on submit.
      return [
        {
          ...base,
          id: `${field.id}__date`,
          type: 'Input.Date',
          ...(initial ? { value: initial.slice(0, 10) } : {}),
        },
        {
          type: 'Input.Time',
          id: `${field.id}__time`,
          label: `${field.label} (time)`,
          isRequired: field.required,
          ...(field.required ? { errorMessage: `${field.label} needs a time` } : {}),
          ...(initial && initial.length >= 16 ? { value: initial.slice(11, 16) } : {}),
        },
        ...(error ? [text(error, { color: 'attention', size: 'small', spacing: 'none' })] : []),
      ];
    case 'select':
      el = {
        ...base,
        type: 'Input.ChoiceSet',
        style: 'compact',
        choices: (field.options ?? []).map((o) => ({ title: o.label, value: o.value })),
      };
      break;
    case 'boolean':
      // A yes/no question with its own answers (e.g. yes / no) is asked as a choice, so "not answered"
      // stays distinguishable; without options it is a toggle ("true" / "false").
      el = field.options?.length
        ? {
            ...base,
            type: 'Input.ChoiceSet',
            style: 'expanded',
            choices: field.options.map((o) => ({ title: o.label, value: o.value })),
          }
        : { ...base, type: 'Input.Toggle', title: field.label, valueOn: 'true', valueOff: 'false' };
      break;
    case 'staff':
    case 'student':
      el = field.options?.length
        ? {
            ...base,
            type: 'Input.ChoiceSet',
            // 'compact' (a drop-down): Teams' typeahead style 'filtered' is not in the Adaptive Card 1.5
            // schema the hub declares (test/teams/cards-schema.test.ts).
            style: 'compact',
            choices: field.options.map((o) => ({ title: o.label, value: o.value })),
          }
        : {
            ...base,
            type: 'Input.Text',
            placeholder: field.kind === 'staff' ? 'email address' : 'initials and year, or pupil id',
          };
      break;
    default:
      el = { ...base, type: 'Input.Text', ...(field.maxLength ? { maxLength: field.maxLength } : {}) };
  }
  if (initial !== undefined && initial !== '') el.value = initial;
  if (el.errorMessage === undefined) delete el.errorMessage;
  const out: Element[] = [el];
  if (field.hint) out.push(text(field.hint, { isSubtle: true, size: 'small', spacing: 'none' }));
  // Server-side errors are shown under the field (errorMessage alone only shows for client-side checks).
  if (error) out.push(text(error, { color: 'attention', size: 'small', spacing: 'none' }));
  return out;
}

/**
 * Any FormSpec as a card: inputs by field kind, required marks, choices, and repeatable rows (fields
 * named `${group}.${n}.${sub}`) grouped under "Row n". `values` and `errors` redraw it after a failed submit.
 */
export function formCard(
  spec: FormSpec,
  values: Record<string, string> = {},
  errors: FieldErrors = {},
): Card {
  const body: Element[] = [text(spec.title, { size: 'medium', weight: 'bolder', style: 'heading' })];
  if (errors.form) body.push(text(errors.form, { color: 'attention', weight: 'bolder' }));
  const otherErrors = Object.entries(errors).filter(
    ([k]) => k !== 'form' && !spec.fields.some((f) => f.id === k),
  );
  if (otherErrors.length) body.push(text(otherErrors.map(([, v]) => v).join('\r'), { color: 'attention' }));
  // Repeatable rows: the first row of a group, and any row with a value or an error, are shown; the
  // others start hidden behind an "Add another" button (Action.ToggleVisibility), so a long form stays short.
  type Row = { group: string; n: number; id: string; el: Element & { items: Element[] }; used: boolean };
  let row: Row | undefined;
  const rows: Row[] = [];
  for (const field of spec.fields) {
    const m = ROW.exec(field.id);
    const els = input(field, values[field.id], errors[field.id]);
    if (m) {
      const [, groupName = '', nRaw = '0'] = m;
      const n = Number(nRaw);
      if (row?.group !== groupName || row.n !== n) {
        const id = `row-${groupName}-${n}`.replace(/[^A-Za-z0-9_-]/g, '_');
        row = {
          group: groupName,
          n,
          id,
          used: false,
          el: {
            type: 'Container',
            id,
            separator: true,
            spacing: 'medium',
            items: [text(`${groupName} — row ${n + 1}`, { weight: 'bolder' })],
          },
        };
        rows.push(row);
        body.push(row.el);
      }
      row.el.items.push(...els);
      if ((values[field.id] ?? field.initial ?? '') !== '' || errors[field.id]) row.used = true;
    } else {
      row = undefined;
      body.push(...els);
    }
  }
  for (const [i, r] of rows.entries()) {
    if (r.n > 0 && !r.used) r.el.isVisible = false;
    const next = rows[i + 1];
    if (next && next.group === r.group && next.n > 0 && !next.used)
      r.el.items.push({
        type: 'ActionSet',
        actions: [
          { type: 'Action.ToggleVisibility', title: `Add another (${r.group})`, targetElements: [next.id] },
        ],
      });
  }
  const data = (intent: 'submit' | 'draft'): FormData => ({
    sh: 'form',
    formId: spec.formId,
    context: spec.context,
    intent,
    title: spec.title,
  });
  const actions: Element[] = [
    execute({ title: spec.submitLabel, verb: VERB_FORM, style: 'positive', data: data('submit') }),
  ];
  if (spec.allowDraft)
    actions.push(
      execute({ title: 'Save draft', verb: VERB_FORM, associatedInputs: 'auto', data: data('draft') }),
    );
  return card(body, actions);
}

/** Input values from a card submission, datetime halves joined; our own keys removed. */
export function formValues(spec: FormSpec | undefined, raw: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (['sh', 'formId', 'context', 'intent', 'title'].includes(k)) continue;
    if (typeof v === 'string') values[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') values[k] = String(v);
  }
  for (const k of Object.keys(values)) {
    if (!k.endsWith('__date')) continue;
    const id = k.slice(0, -'__date'.length);
    const d = values[k] ?? '';
    const t = values[`${id}__time`] ?? '';
    delete values[k];
    delete values[`${id}__time`];
    values[id] = d && t ? `${d}T${t}` : d;
  }
  if (spec)
    for (const f of spec.fields)
      if (f.kind === 'boolean' && !f.options?.length && values[f.id] === undefined) values[f.id] = 'false';
  return values;
}
