/** Routes a submitted form (from a Teams card, a Slack modal or the console prompt) to its feature. */
import type { Actor, Platform } from '../ports.ts';
import type { FieldCheck, FormOutcome, FormSpec, FormSubmission } from './form-spec.ts';

export interface FormHandler {
  /** Build the form for an actor (pre-filled from context: meeting id, draft). */
  open(actor: Actor, context: Record<string, string>): Promise<FormSpec>;
  submit(actor: Actor, submission: FormSubmission, via: Platform): Promise<FormOutcome>;
  /** Check one field as it is answered (`values` holds the answers so far); absent = checked on submit. */
  check?(
    actor: Actor,
    fieldId: string,
    values: Record<string, string>,
    via: Platform,
    /** The form's context (FormSpec.context: the meeting being written up, a draft). */
    context?: Record<string, string>,
  ): Promise<FieldCheck>;
}

export class FormRegistry {
  private readonly handlers = new Map<string, FormHandler>();

  register(formId: string, handler: FormHandler): this {
    this.handlers.set(formId, handler);
    return this;
  }

  has(formId: string): boolean {
    return this.handlers.has(formId);
  }

  async open(formId: string, actor: Actor, context: Record<string, string> = {}): Promise<FormSpec> {
    const h = this.handlers.get(formId);
    if (!h) throw new Error(`no form "${formId}"`);
    return h.open(actor, context);
  }

  async check(
    formId: string,
    actor: Actor,
    fieldId: string,
    values: Record<string, string>,
    via: Platform,
    context: Record<string, string> = {},
  ): Promise<FieldCheck> {
    const h = this.handlers.get(formId);
    return h?.check ? h.check(actor, fieldId, values, via, context) : { ok: true };
  }

  async submit(actor: Actor, submission: FormSubmission, via: Platform): Promise<FormOutcome> {
    const h = this.handlers.get(submission.formId);
    if (!h) return { ok: false, errors: { form: `This form (${submission.formId}) is not available.` } };
    return h.submit(actor, submission, via);
  }
}
