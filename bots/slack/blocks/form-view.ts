/**
 * Any FormSpec → a Slack modal (views.open), and a view_submission's state → FormSubmission values.
 * Field ids become block ids so field errors from the core map straight onto `response_action: errors`.
 */
import type { FieldErrors, FormField, FormSpec } from '../../../core/forms/form-spec.ts';
import { clamp, LIMITS } from './limits.ts';
import type { Block } from './message-blocks.ts';

export const FORM_CALLBACK_ID = 'sh_form';
/** Block id of the "save as draft" tick box on forms that allow drafts. */
export const DRAFT_BLOCK_ID = '__sh_draft';
const ACTION = 'v';

const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });

export interface FormMetadata {
  f: string;
  c: Record<string, string>;
}

function elementFor(field: FormField): Record<string, unknown> {
  const placeholder = field.hint ? { placeholder: plain(clamp(field.hint, LIMITS.placeholder)) } : {};
  switch (field.kind) {
    case 'date':
      return {
        type: 'datepicker',
        action_id: ACTION,
        ...(field.initial && /^\d{4}-\d{2}-\d{2}$/.test(field.initial)
          ? { initial_date: field.initial }
          : {}),
      };
    case 'datetime': {
      const t = field.initial ? Date.parse(field.initial) : Number.NaN;
      return {
        type: 'datetimepicker',
        action_id: ACTION,
        ...(Number.isFinite(t) ? { initial_date_time: Math.floor(t / 1000) } : {}),
      };
    }
    case 'select':
    case 'staff': {
      // A `staff` field without options is typed (an email); a list longer than a static select allows
      // is typed too rather than cut, so nobody becomes unselectable.
      const choices = field.options ?? [];
      if (choices.length === 0 || choices.length > LIMITS.selectOptions) break;
      const options = choices.map((o) => ({
        text: plain(clamp(o.label, LIMITS.optionText)),
        value: clamp(o.value, LIMITS.optionValue),
      }));
      const initial = options.find((o) => o.value === field.initial);
      return {
        type: 'static_select',
        action_id: ACTION,
        options,
        ...placeholder,
        ...(initial ? { initial_option: initial } : {}),
      };
    }
    case 'boolean': {
      const option = { text: plain(clamp(field.label, LIMITS.optionText)), value: 'true' };
      return {
        type: 'checkboxes',
        action_id: ACTION,
        options: [option],
        ...(field.initial === 'true' ? { initial_options: [option] } : {}),
      };
    }
    default:
      break;
  }
  return {
    type: 'plain_text_input',
    action_id: ACTION,
    multiline: field.kind === 'multiline',
    max_length: Math.min(field.maxLength ?? LIMITS.plainTextInputMax, LIMITS.plainTextInputMax),
    ...placeholder,
    ...(field.initial ? { initial_value: clamp(field.initial, LIMITS.plainTextInputMax) } : {}),
  };
}

/**
 * @example renderFormView(spec).callback_id === 'sh_form'
 */
export function renderFormView(spec: FormSpec): Record<string, unknown> {
  const reserve = spec.allowDraft ? 2 : 1;
  const fields = spec.fields.slice(0, LIMITS.viewBlocks - reserve);
  const blocks: Block[] = fields.map((f) => ({
    type: 'input',
    block_id: clamp(f.id, LIMITS.blockId),
    optional: !f.required,
    label: plain(clamp(f.label, LIMITS.inputLabel)),
    ...(f.hint ? { hint: plain(clamp(f.hint, LIMITS.inputHint)) } : {}),
    element: elementFor(f),
  }));
  if (fields.length < spec.fields.length) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'This form is longer than Slack allows; finish it in the console or Teams.' },
      ],
    });
  }
  if (spec.allowDraft) {
    blocks.push({
      type: 'input',
      block_id: DRAFT_BLOCK_ID,
      optional: true,
      label: plain('Draft'),
      element: {
        type: 'checkboxes',
        action_id: ACTION,
        options: [{ text: plain('Save as a draft (do not submit yet)'), value: 'draft' }],
      },
    });
  }
  const metadata: FormMetadata = { f: spec.formId, c: spec.context };
  let privateMetadata = JSON.stringify(metadata);
  if (privateMetadata.length > LIMITS.privateMetadata)
    privateMetadata = JSON.stringify({ f: spec.formId, c: {} });
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    title: plain(clamp(spec.title, LIMITS.modalTitle)),
    submit: plain(clamp(spec.submitLabel, LIMITS.modalButton)),
    close: plain('Cancel'),
    private_metadata: privateMetadata,
    blocks,
  };
}

type StateValue = {
  type?: string;
  value?: string | null;
  selected_date?: string | null;
  selected_date_time?: number | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
};

/** Read a view_submission back into string values keyed by field id, and the submit/draft intent. */
export function readFormState(view: {
  private_metadata?: string;
  state?: { values?: Record<string, Record<string, StateValue>> };
}): {
  formId: string;
  context: Record<string, string>;
  values: Record<string, string>;
  intent: 'submit' | 'draft';
} | null {
  let meta: FormMetadata;
  try {
    meta = JSON.parse(view.private_metadata ?? '') as FormMetadata;
  } catch {
    return null;
  }
  if (typeof meta?.f !== 'string') return null;
  const values: Record<string, string> = {};
  let intent: 'submit' | 'draft' = 'submit';
  for (const [blockId, actions] of Object.entries(view.state?.values ?? {})) {
    const s = actions[ACTION];
    if (!s) continue;
    if (blockId === DRAFT_BLOCK_ID) {
      if (s.selected_options?.some((o) => o.value === 'draft')) intent = 'draft';
      continue;
    }
    let v = '';
    if (s.type === 'checkboxes') v = s.selected_options?.length ? 'true' : 'false';
    else if (s.type === 'datepicker') v = s.selected_date ?? '';
    else if (s.type === 'datetimepicker')
      v = typeof s.selected_date_time === 'number' ? new Date(s.selected_date_time * 1000).toISOString() : '';
    else if (s.type === 'static_select') v = s.selected_option?.value ?? '';
    else v = s.value ?? '';
    values[blockId] = v;
  }
  const context: Record<string, string> = {};
  for (const [k, val] of Object.entries(meta.c ?? {})) if (typeof val === 'string') context[k] = val;
  return { formId: meta.f, context, values, intent };
}

/** Field errors → `response_action: errors`; an error not tied to a shown field goes on the first one. */
export function viewErrors(
  spec: { fields: { id: string }[] } | null,
  errors: FieldErrors,
  blockIds: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  const ids = new Set(blockIds);
  const first = blockIds[0] ?? spec?.fields[0]?.id ?? 'form';
  for (const [field, msg] of Object.entries(errors)) {
    const key = ids.has(field) ? field : first;
    out[key] = out[key] ? `${out[key]} ${msg}` : msg;
  }
  for (const k of Object.keys(out)) out[k] = clamp(out[k] ?? '', 1000);
  return out;
}
