/** Pure card rendering: any FormSpec by field kind, repeatable rows, values and errors drawn back. */
import { describe, expect, it } from 'vitest';
import { formCard, formValues, messageCard, toCardMarkdown } from '../../bots/teams/cards.ts';
import type { FormSpec } from '../../core/forms/form-spec.ts';
import { message } from '../../core/messages/outgoing-message.ts';

const spec: FormSpec = {
  formId: 'f',
  title: 'Form',
  submitLabel: 'Send',
  context: { meetingId: 'm1' },
  allowDraft: false,
  fields: [
    { id: 'when', label: 'When', kind: 'datetime', required: true },
    { id: 'ok', label: 'OK?', kind: 'boolean', required: false },
    {
      id: 'risk',
      label: 'Risk?',
      kind: 'boolean',
      required: true,
      options: [
        { value: 'yes', label: 'Yes' },
        { value: 'no', label: 'No' },
      ],
    },
    { id: 'a.0.what', label: 'What', kind: 'text', required: false },
    { id: 'a.1.what', label: 'What', kind: 'text', required: false },
    { id: 'a.2.what', label: 'What', kind: 'text', required: false },
  ],
};

type El = { type: string; id?: string; isVisible?: boolean; items?: El[]; value?: string };
const flat = (els: El[]): El[] => els.flatMap((e) => [e, ...flat(e.items ?? [])]);

describe('Teams cards', () => {
  it('renders inputs by kind, yes/no with options as a choice, and joins date + time on submit', () => {
    const body = formCard(spec).body as El[];
    const all = flat(body);
    expect(all.find((e) => e.id === 'when__date')?.type).toBe('Input.Date');
    expect(all.find((e) => e.id === 'when__time')?.type).toBe('Input.Time');
    expect(all.find((e) => e.id === 'ok')?.type).toBe('Input.Toggle');
    expect(all.find((e) => e.id === 'risk')?.type).toBe('Input.ChoiceSet');
    expect(
      formValues(spec, {
        sh: 'form',
        formId: 'f',
        when__date: '2026-11-24',
        when__time: '08:40',
        risk: 'no',
      }),
    ).toEqual({
      when: '2026-11-24T08:40',
      risk: 'no',
      ok: 'false',
    });
  });

  it('shows the first repeatable row and filled ones; later empty rows wait behind "Add another"', () => {
    const rows = (values: Record<string, string>) =>
      (formCard(spec, values).body as El[])
        .filter((e) => e.id?.startsWith('row-'))
        .map((e) => e.isVisible !== false);
    expect(rows({})).toEqual([true, false, false]);
    expect(rows({ 'a.1.what': 'Refer' })).toEqual([true, true, false]);
  });

  it('draws values and field errors back into the form', () => {
    const text = JSON.stringify(formCard(spec, { 'a.0.what': 'Call parent' }, { when: 'Give a date.' }));
    expect(text).toContain('Call parent');
    expect(text).toContain('Give a date.');
  });

  it('turns *bold* into card markdown and drops buttons without a subject or reminder', () => {
    expect(toCardMarkdown('a *b* c')).toBe('a **b** c');
    const c = messageCard(
      message({ kind: 'text', audience: 'private', title: 't', actions: [{ verb: 'done', label: 'Done' }] }),
    );
    expect(c.actions).toBeUndefined();
    const r = messageCard(
      message({
        kind: 'text',
        audience: 'private',
        title: 't',
        actions: [{ verb: 'done', label: 'Done', args: { reminderId: 'r1' } }],
      }),
    ) as unknown as { actions: { data: { subjectType: string; subjectId: string } }[] };
    expect(r.actions[0]?.data).toMatchObject({ subjectType: 'reminder', subjectId: 'r1' });
  });
});
