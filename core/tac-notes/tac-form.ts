/**
 * The TAC (Team Around the Child) notes form, defined once and rendered by every channel (Teams card,
 * Slack modal, console prompt). Its sections follow the common local TAC/TAF templates synthesised in
 * docs/meetings.md (South Gloucestershire, Lewisham, Buckinghamshire, Sefton, Liverpool EHAT): attendance
 * and apologies, the child's voice, what is working well, worries, a SMART plan (what, who, by when),
 * the next meeting, and consent to share information.
 */
import { z } from 'zod';
import { dayFirstToIso } from '../calendar/day-first.ts';
import { isIsoDate } from '../calendar/iso-date.ts';
import type { FieldCheck, FieldErrors, FormField, FormSpec } from '../forms/form-spec.ts';

export const TAC_FORM_ID = 'tac_notes';

/**
 * Repeatable action rows are flattened as `actions.<n>.what|owner|ownerOther|due`, n from 0 (form-spec.ts
 * convention; the Teams and Slack renderers group them as rows).
 */
export const MAX_ACTION_ROWS = 6;

/**
 * Consent to share (HM Government Information sharing advice for safeguarding practitioners 2024: consent is not needed
 * where a child is at risk, and sharing without it must be recorded with the reason).
 */
export const consentOptions = [
  { value: 'given', label: 'Consent given to share with the agencies present' },
  { value: 'refused', label: 'Consent refused or withdrawn' },
  { value: 'not_required_risk', label: 'Not sought: child at risk (share without consent, reason recorded)' },
] as const;
export type Consent = (typeof consentOptions)[number]['value'];

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `at most ${max} characters` });

export const tacActionSchema = z.object({
  what: text(500).min(1, { message: 'say what needs to happen' }),
  /** A staff id or email (a hub user, nudged), or a name (parent, external professional). */
  owner: text(200).min(1, { message: 'say who will do it' }),
  /** An owner outside the hub given beside a colleague (both own it; only the colleague is nudged). */
  ownerOther: text(120).optional(),
  due: z.string().refine(isIsoDate, { message: 'a date as YYYY-MM-DD' }),
});
export type TacActionInput = z.infer<typeof tacActionSchema>;

/** The decrypted content of a note (stored encrypted as JSON in TacNote.contentEnc). */
export const tacNoteSubmissionSchema = z.object({
  attendees: text(2000).min(1, { message: 'list who attended' }),
  apologies: text(2000).default(''),
  childVoice: text(4000).min(1, {
    message: "record the child or young person's views, or how they were gathered and why not",
  }),
  workingWell: text(4000).min(1, { message: 'record what is working well' }),
  worries: text(4000).min(1, { message: 'record the worries (or "none")' }),
  actions: z.array(tacActionSchema).max(MAX_ACTION_ROWS),
  nextMeetingOn: z
    .string()
    .refine((v) => v === '' || isIsoDate(v), { message: 'a date as YYYY-MM-DD' })
    .default(''),
  consent: z.enum(consentOptions.map((o) => o.value) as [Consent, ...Consent[]], {
    message: 'choose given, refused or not_required_risk',
  }),
  consentReason: text(1000).default(''),
});
export type TacNoteContent = z.infer<typeof tacNoteSubmissionSchema>;

/** A draft keeps whatever was typed, unvalidated beyond length. */
export type TacDraft = Record<string, string>;

export function tacFormFields(
  prefill: Record<string, string> = {},
  staff: { email: string; displayName: string }[] = [],
): FormField[] {
  const f = (field: FormField): FormField =>
    prefill[field.id] ? { ...field, initial: prefill[field.id] } : field;
  const fields: FormField[] = [
    f({
      id: 'attendees',
      label: 'Attendees (name, role, agency)',
      kind: 'multiline',
      required: true,
      maxLength: 2000,
    }),
    f({ id: 'apologies', label: 'Apologies', kind: 'multiline', required: false, maxLength: 2000 }),
    f({
      id: 'childVoice',
      label: "The child or young person's voice",
      kind: 'multiline',
      required: true,
      hint: 'Their own words, wishes and feelings, or how their views were gathered',
      maxLength: 4000,
    }),
    f({
      id: 'workingWell',
      label: 'What is working well',
      kind: 'multiline',
      required: true,
      maxLength: 4000,
    }),
    f({ id: 'worries', label: 'Worries', kind: 'multiline', required: true, maxLength: 4000 }),
  ];
  for (let n = 0; n < MAX_ACTION_ROWS; n++) {
    fields.push(
      f({
        id: `actions.${n}.what`,
        label: `Action ${n + 1}: what needs to happen`,
        kind: 'text',
        required: false,
        maxLength: 500,
      }),
      f({
        id: `actions.${n}.owner`,
        label: `Action ${n + 1}: owner (a colleague)`,
        kind: 'staff',
        required: false,
        hint: 'A colleague in the hub (their name or email), who will be nudged',
        ...(staff.length ? { options: staff.map((s) => ({ value: s.email, label: s.displayName })) } : {}),
        maxLength: 200,
      }),
      f({
        id: `actions.${n}.ownerOther`,
        label: `Action ${n + 1}: or owner outside the hub`,
        kind: 'text',
        required: false,
        hint: 'e.g. "Parent", "School nurse (NHS)"; with a colleague too, both own it (the colleague is nudged)',
        maxLength: 120,
      }),
      f({ id: `actions.${n}.due`, label: `Action ${n + 1}: due date`, kind: 'date', required: false }),
    );
  }
  fields.push(
    f({ id: 'nextMeetingOn', label: 'Next meeting date', kind: 'date', required: false }),
    f({
      id: 'consent',
      label: 'Consent for sharing',
      kind: 'select',
      required: true,
      options: consentOptions.map((o) => ({ value: o.value, label: o.label })),
    }),
    f({
      id: 'consentReason',
      label: 'Reason for sharing without consent (if so)',
      kind: 'multiline',
      required: false,
      maxLength: 1000,
    }),
  );
  return fields;
}

export function tacFormSpec(opts: {
  meetingId: string;
  noteId?: string;
  title: string;
  prefill?: Record<string, string>;
  staff?: { email: string; displayName: string }[];
}): FormSpec {
  return {
    formId: TAC_FORM_ID,
    title: opts.title,
    submitLabel: 'Submit notes',
    context: { meetingId: opts.meetingId, ...(opts.noteId ? { noteId: opts.noteId } : {}) },
    fields: tacFormFields(opts.prefill, opts.staff),
    allowDraft: true,
  };
}

/** Flat form values → content, with field-level errors keyed by form field id. */
export function parseTacSubmission(
  values: Record<string, string>,
): { ok: true; content: TacNoteContent } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const actions: { what: string; owner: string; ownerOther?: string; due: string }[] = [];
  const rowOf: number[] = [];
  for (let n = 0; n < MAX_ACTION_ROWS; n++) {
    const what = (values[`actions.${n}.what`] ?? '').trim();
    // Every owner given is kept: a colleague (nudged) and an owner outside the hub may share an action.
    const colleague = (values[`actions.${n}.owner`] ?? '').trim();
    const other = (values[`actions.${n}.ownerOther`] ?? '').trim();
    const due = (values[`actions.${n}.due`] ?? '').trim();
    if (!what && !colleague && !other && !due) continue;
    actions.push({
      what,
      owner: colleague || other,
      ...(colleague && other ? { ownerOther: other } : {}),
      due,
    });
    rowOf.push(n);
  }
  const parsed = tacNoteSubmissionSchema.safeParse({
    attendees: values.attendees ?? '',
    apologies: values.apologies ?? '',
    childVoice: values.childVoice ?? '',
    workingWell: values.workingWell ?? '',
    worries: values.worries ?? '',
    actions,
    nextMeetingOn: (values.nextMeetingOn ?? '').trim(),
    consent: (values.consent ?? '').trim(),
    consentReason: values.consentReason ?? '',
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, index, sub] = issue.path;
      const id =
        head === 'actions' && typeof index === 'number'
          ? `actions.${rowOf[index]}.${String(sub ?? 'what')}`
          : String(head ?? 'form');
      errors[id] ??= issue.message;
    }
  }
  if (parsed.success && parsed.data.consent === 'not_required_risk' && !parsed.data.consentReason) {
    // Information Sharing Advice 2024: record what was shared, with whom and why.
    errors.consentReason = 'record why information is shared without consent';
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, content: parsed.data };
}

/**
 * One answer checked as it is given (the console asks field by field): a date field (an action's due date,
 * the next meeting) must be a real YYYY-MM-DD date. A day-first date is offered back as YYYY-MM-DD to
 * confirm with `yes`, never guessed silently. The other fields are checked on submit.
 */
export function checkTacField(fieldId: string, values: Record<string, string>): FieldCheck {
  if (fieldId !== 'nextMeetingOn' && !/^actions\.\d+\.due$/.test(fieldId)) return { ok: true };
  const value = (values[fieldId] ?? '').trim();
  if (value === '' || isIsoDate(value)) return { ok: true };
  const iso = dayFirstToIso(value);
  if (iso) {
    return {
      ok: false,
      error: `a date as YYYY-MM-DD: type yes for ${iso}, or type the date again`,
      confirm: { set: { [fieldId]: iso } },
    };
  }
  return { ok: false, error: 'a date as YYYY-MM-DD, e.g. 2027-01-15' };
}

/** Content → flat values (to pre-fill the form when amending or resuming a draft). */
export function contentToValues(c: TacNoteContent): Record<string, string> {
  const v: Record<string, string> = {
    attendees: c.attendees,
    apologies: c.apologies,
    childVoice: c.childVoice,
    workingWell: c.workingWell,
    worries: c.worries,
    nextMeetingOn: c.nextMeetingOn,
    consent: c.consent,
    consentReason: c.consentReason,
  };
  c.actions.forEach((a, i) => {
    v[`actions.${i}.what`] = a.what;
    if (a.owner.includes('@')) {
      v[`actions.${i}.owner`] = a.owner;
      if (a.ownerOther) v[`actions.${i}.ownerOther`] = a.ownerOther;
    } else v[`actions.${i}.ownerOther`] = a.owner;
    v[`actions.${i}.due`] = a.due;
  });
  return v;
}

/** Which top-level sections differ between two versions (for the revision history: "who changed what"). */
export function changedSections(before: TacNoteContent, after: TacNoteContent): string[] {
  const keys = Object.keys(tacNoteSubmissionSchema.shape) as (keyof TacNoteContent)[];
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}
