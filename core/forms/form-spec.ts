/**
 * A channel-neutral form: the TAC notes form and the concern intake form are defined once here and
 * rendered as an Adaptive Card (Teams), a modal (Slack) or a guided prompt (console). Submitted values
 * come back as strings keyed by field id and are validated by the form's zod schema in the core.
 */
export type FormFieldKind =
  | 'text'
  | 'multiline'
  | 'date'
  | 'datetime'
  | 'select'
  | 'boolean'
  | 'staff'
  | 'student';

export interface FormField {
  id: string;
  label: string;
  kind: FormFieldKind;
  required: boolean;
  hint?: string;
  /** For `select`. */
  options?: { value: string; label: string }[];
  /** Repeatable group rows (actions: what / owner / due), flattened as `${id}.${n}.${sub}`. */
  maxLength?: number;
  initial?: string;
  /**
   * Not asked by the console's guided prompt: set when the person confirms an offer made by a field check
   * (FieldCheck.confirm, e.g. `yes` to "send it as given, not on roll"). Cards and modals show it as a field.
   */
  setByConfirmation?: boolean;
  /**
   * Asked by the console's guided prompt only once the named field is answered yes (e.g. the year group of
   * a pupil not on the roll, once "send it as given" is confirmed). Cards and modals show it as a field.
   */
  askedAfter?: string;
}

export interface FormSpec {
  /** 'tac_notes' | 'concern' */
  formId: string;
  title: string;
  submitLabel: string;
  /** Opaque context the submission carries back (e.g. meeting id). */
  context: Record<string, string>;
  fields: FormField[];
  /** Draft saving allowed (long forms). */
  allowDraft: boolean;
  /**
   * `cancel` (or a form given up after errors) keeps the answers so far as a draft: the console submits
   * them with intent 'draft' and `context.keep` = 'cancelled' | 'abandoned' | 'failed', and shows the reply.
   */
  keepOnCancel?: boolean;
}

/**
 * One answer checked as the person gives it (before the form is submitted): the console re-asks the
 * field at once with the error. `confirm` offers a way on: typing `yes` sets `set` and moves on.
 */
export type FieldCheck =
  | { ok: true; note?: string }
  | { ok: false; error: string; confirm?: { set: Record<string, string> } };

export interface FormSubmission {
  formId: string;
  context: Record<string, string>;
  values: Record<string, string>;
  /** 'submit' | 'draft' */
  intent: 'submit' | 'draft';
  /**
   * The platform's identity of the form instance submitted (Slack `<team>:<view id>`, the Teams card's
   * message id, else the activity id): the same for a second press of the same submit button or a
   * re-delivery. Forms that must not act twice (the concern intake) key on it.
   */
  instanceId?: string;
}

/** Field-level errors to show inside the form (Slack modal `response_action: errors`, card re-render). */
export type FieldErrors = Record<string, string>;

export type FormOutcome = { ok: true; reply: string } | { ok: false; errors: FieldErrors };

/** A yes typed or chosen ("yes", "y", "true"): the console's confirmations and a card's or modal's Yes. */
export const isYes = (v: string | undefined): boolean => /^(yes|y|true)$/i.test((v ?? '').trim());
